"""The back office's 预览 of a community's rule changes (issue 16, item 5): last month under the
rules as typed, beside what happened, before anything is saved; only for who may change the
community in the back office."""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.test import Client

from propdesk.clocks.services import clocks_sweep
from propdesk.community.models import Community
from tests import factories as f
from tests.clocks.conftest import repair_done_late_in_urumqi, sh


def _staff(office, *, perms: bool):
    user = f.UserFactory(username="bo-staff", roles=[(office.community, "office_head")])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    if perms:
        user.user_permissions.set(
            Permission.objects.filter(codename__in=["change_community", "view_community"])
        )
    c = Client()
    c.force_login(user)
    return c


def _form(community: Community, policy: dict) -> dict[str, str]:
    return {
        "company": str(community.company_id),
        "name": community.name,
        "code": community.code,
        "time_zone": community.time_zone,
        "area_code": community.area_code,
        "order_prefix": community.order_prefix,
        "policy": json.dumps(policy),
        "_preview": "预览",
    }


def test_cp1_preview_shows_last_month_under_the_typed_rules_and_saves_nothing(
    desk, office, other_office, clock
) -> None:
    """CP-1 at 15 minutes: last month's complaint dispatched at 12 minutes would be on time."""
    t0 = sh(2026, 10, 20, 10, 0)
    late = desk.at(t0).open("complaint")
    desk.at(t0 + timedelta(minutes=12)).act(
        late, "dispatch", by=office.receptionist, assignee=office.administrator
    )
    clock.at = sh(2026, 11, 26, 10, 0)
    clocks_sweep(now=clock.now())
    c = _staff(office, perms=True)
    community = office.community
    url = f"/admin/community/community/{community.pk}/preview/"
    page = c.get(f"/admin/community/community/{community.pk}/change/")
    assert page.status_code == 200 and url in page.content.decode()
    r = c.post(url, _form(community, {"clocks": {"CP-1": {"duration": {"value": 15}}}}))
    assert r.status_code == 200
    text = r.content.decode()
    assert "预览" in text and late.number in text and "100.0%" in text and "0.0%" in text
    assert "10分钟内安排管理员" in text  # the rule by its name (CP-1 small beside it)
    # The form is carried on to be saved as typed; nothing was saved yet.
    assert 'name="policy"' in text and 'name="_save"' in text
    community.refresh_from_db()
    assert community.policy == {}
    # Bad rules: a clear error, the form still carried.
    r = c.post(url, _form(community, {"clocks": {"CP-1": {"duration": {"value": -1}}}}))
    assert r.status_code == 200 and "规则调整无效" in r.content.decode()
    r = c.post(url, {**_form(community, {}), "policy": "{not json"})
    assert r.status_code == 200 and "JSON" in r.content.decode()
    # Only a POST; another community's is not found.
    assert c.get(url).status_code == 405
    other = f"/admin/community/community/{other_office.community.pk}/preview/"
    assert c.post(other, _form(other_office.community, {})).status_code == 404


def test_preview_is_for_who_may_change_the_community(office) -> None:
    url = f"/admin/community/community/{office.community.pk}/preview/"
    assert _staff(office, perms=False).post(url, _form(office.community, {})).status_code == 403
    r = Client().post(url, _form(office.community, {}))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_ds1_preview_counts_in_the_communitys_own_time_zone(desk, office, clock) -> None:
    """RULES.md (Clocks): a community in Urumqi (UTC+6), a repair completed at 22:30 there, in
    time for DS-1 (23:59:59 there). Previewing rule changes that name no zone lists no order
    whose outcome would change: they were counted in Shanghai's zone, two hours sooner, and the
    repair read as one the changes would make late."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    order = repair_done_late_in_urumqi(desk, office, 10, 20)
    community = office.community
    clock.at = datetime(2026, 11, 26, 10, 0, tzinfo=ZoneInfo("Asia/Urumqi"))
    clocks_sweep(now=clock.now())
    c = _staff(office, perms=True)
    r = c.post(f"/admin/community/community/{community.pk}/preview/", _form(community, {}))
    assert r.status_code == 200
    text = r.content.decode()
    assert "报修/家政当日完成" in text  # DS-1's line is there …
    assert order.number not in text  # … and the repair is not among the changed ones
