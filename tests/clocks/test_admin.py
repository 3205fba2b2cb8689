"""The back office: an office edits its calendar and its policy; bad policy is refused with the
key named, and a calendar day saved there recomputes running clocks."""

from __future__ import annotations

from datetime import date

from django.test import Client

from propdesk.clocks.models import CalendarDay, ClockLog
from tests.clocks.conftest import sh

T0 = sh(2026, 11, 26, 10, 0)


def superuser_client(django_user_model) -> Client:
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456!")
    c = Client()
    c.force_login(admin)
    return c


def test_cp4_a_day_off_added_in_the_back_office_moves_running_deadlines(
    desk, office, django_user_model
) -> None:
    order = desk.at(T0).open("complaint", is_important=True)
    c = superuser_client(django_user_model)
    r = c.post(
        "/admin/clocks/calendarday/add/",
        {
            "community": office.community.pk,
            "day": "2026-11-27",
            "is_working": "",
            "note": "停电",
        },
    )
    assert r.status_code == 302, r.content[:2000]
    assert CalendarDay.objects.get().day == date(2026, 11, 27)
    assert desk.clock_of(order, "CP-4").due_at == sh(2026, 12, 1, 23, 59, 59)
    assert ClockLog.objects.filter(what="recomputed").count() == 1


def test_a_wrong_policy_is_refused_naming_the_key(office, django_user_model) -> None:
    c = superuser_client(django_user_model)
    community = office.community
    r = c.post(
        f"/admin/community/community/{community.pk}/change/",
        {
            "company": community.company_id,
            "name": community.name,
            "code": community.code,
            "address": "",
            "time_zone": "Asia/Shanghai",
            "order_prefix": "GD",
            "policy": '{"clocks": {"CP-1": {"duration": {"kind": "minutes", "value": 0}}}}',
        },
    )
    assert r.status_code == 200
    assert "clocks.CP-1.duration" in r.content.decode()
    community.refresh_from_db()
    assert community.policy == {}


def test_cp1_the_orders_back_office_page_shows_its_clocks(desk, office, django_user_model):
    order = desk.at(T0).open("complaint")
    page = superuser_client(django_user_model).get(f"/admin/desk/workorder/{order.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "CP-1" in body and "投诉10分钟内安排管理员处理" in body
