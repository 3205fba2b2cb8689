"""FD-3 and CP-5: the deadlines staff type themselves (a promise to the owner, FD-3; the
deadline of a rectification, CP-5), whose clocks (kind given) are due when they say. A time
already past would start a clock born breached; one absurdly far away (2062 for 2026) one that
never breaches. Bad input is refused with a clear error, in Chinese on the console (what was
typed kept on the form) and by field in the API; nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.desk.models import Contact, Rectification, WorkOrder
from propdesk.desk.services import ContactInput, contact_log, rectification_set
from propdesk.policy.deadlines import GIVEN_DEADLINE_HORIZON
from tests.conftest import client_for
from tests.web.conftest import browser_for


def promise(office, clock, promised_at, **kw) -> Contact:
    return contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="phone",
            intent="consultation",
            content="问停车费标准",
            outcome="promised",
            caller_phone="13812345678",
            room_text="3-2-1502",
            promised_at=promised_at,
            promise_reason="需查询收费标准",
            **kw,
        ),
    )


def nothing_written() -> bool:
    return not (Contact.objects.exists() or Clock.objects.exists() or WorkOrder.objects.exists())


def test_fd3_a_promise_already_past_is_refused_even_for_a_call_logged_late(office, clock):
    """FD-3: a call taken at 07:00 and logged at 10:00 (received_at) with the promise "by
    09:00" was taken (09:00 is after the call) and started a clock due an hour before it
    started: born breached, escalated at once. The promise must still be to come."""
    now = clock.now()
    for promised in (now - timedelta(hours=1), now):
        with pytest.raises(ValidationError) as refused:
            promise(office, clock, promised, received_at=now - timedelta(hours=3))
        assert set(refused.value.message_dict) == {"promised_at"}
        assert nothing_written()
    kept = promise(office, clock, now + timedelta(seconds=1), received_at=now - timedelta(hours=3))
    c = Clock.objects.get(contact=kept, rule_id="FD-3")
    assert (c.started_at, c.due_at) == (now, now + timedelta(seconds=1))


def test_fd3_a_promise_absurdly_far_away_is_refused(office, clock):
    """FD-3: a promise a year (366 days) away is the farthest taken; one second more (a year
    typed 2062 for 2026) is refused: its clock would never come due."""
    now = clock.now()
    assert timedelta(days=366) == GIVEN_DEADLINE_HORIZON
    with pytest.raises(ValidationError) as refused:
        promise(office, clock, now + GIVEN_DEADLINE_HORIZON + timedelta(seconds=1))
    assert set(refused.value.message_dict) == {"promised_at"}
    assert nothing_written()
    kept = promise(office, clock, now + GIVEN_DEADLINE_HORIZON)
    assert Clock.objects.get(contact=kept, rule_id="FD-3").due_at == now + GIVEN_DEADLINE_HORIZON


INTAKE = {
    "channel": "phone",
    "caller_phone": "13812345678",
    "intent": "consultation",
    "content": "问停车费标准",
    "outcome": "promised",
    "promise_reason": "需查询收费标准",
}


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("2026-11-26T09:30", "承诺时间须晚于现在"),  # now is 10:00 in Shanghai
        ("2026-11-26T10:00", "承诺时间须晚于现在"),
        ("2062-11-26T15:30", "承诺时间距今超过一年"),
    ],
)
def test_fd3_the_console_says_why_in_chinese_and_keeps_what_was_typed(office, clock, typed, error):
    """FD-3 on the front desk's form: a promise past or absurdly far is refused (400) with the
    reason in Chinese beside the field, the typed time and reason still on the form."""
    r = browser_for(office.receptionist).post(
        reverse("desk-intake", args=[office.community.pk]), {**INTAKE, "promised_at": typed}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert error in html
    assert f'value="{typed}"' in html and "需查询收费标准" in html
    assert nothing_written()


@pytest.mark.parametrize(
    "promised",
    ["2026-11-26T09:30:00+08:00", "2026-11-26T10:00:00+08:00", "2062-11-26T15:30:00+08:00"],
)
def test_fd3_the_api_answers_a_past_or_far_promise_by_field(office, clock, promised):
    """FD-3 through POST /api/contacts/: 400, the error under ``promised_at``, nothing
    written."""
    r = client_for(office.receptionist).post(
        "/api/contacts/",
        {
            "community": office.community.pk,
            **INTAKE,
            "household": office.household.pk,
            "promised_at": promised,
            "work_orders": [],
        },
        format="json",
    )
    assert r.status_code == 400, r.json()
    error = r.json()["error"]
    assert (error["code"], set(error["fields"])) == ("validation_error", {"promised_at"})
    assert nothing_written()


def attitude_complaint_with_account(office, desk):
    order = desk.open("complaint", complaint_type="attitude", description="态度差")
    browser_for(office.head).post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "account",
            "version": order.version,
            "staff_member": office.repair_member.pk,
            "account": "说明",
        },
    )
    order.refresh_from_db()
    assert order.staff_member_id == office.repair_member.pk
    return order


def test_cp5_a_rectification_deadline_now_or_past_or_beyond_a_year_is_refused(office, clock, desk):
    """CP-5: the rectification's deadline must be to come (now itself is refused: a clock
    due as it starts) and within a year (366 days); its clock is due at the deadline."""
    order = attitude_complaint_with_account(office, desk)
    now = clock.now()
    for deadline in (now - timedelta(days=1), now, now + GIVEN_DEADLINE_HORIZON + timedelta(1)):
        with pytest.raises(ValidationError) as refused:
            rectification_set(
                order_id=order.pk,
                by=office.head,
                now=now,
                measures="服务礼仪培训",
                penalty="警告",
                deadline=deadline,
            )
        assert set(refused.value.message_dict) == {"deadline"}
        assert not Rectification.objects.exists()
        assert not Clock.objects.filter(rule_id="CP-5-rectification").exists()
    rect = rectification_set(
        order_id=order.pk,
        by=office.head,
        now=now,
        measures="服务礼仪培训",
        penalty="警告",
        deadline=now + GIVEN_DEADLINE_HORIZON,
    )
    c = Clock.objects.get(order=order, rule_id="CP-5-rectification")
    assert c.due_at == rect.deadline == now + GIVEN_DEADLINE_HORIZON


def test_cp5_the_console_refuses_a_deadline_years_away_in_chinese_and_keeps_the_form(
    office, clock, desk
):
    """CP-5 on the order's page: a deadline typed 2036 for 2026 is refused (400) in Chinese,
    the measures, penalty and the typed deadline kept; nothing written. (The past is refused
    too: test_orders_and_jobs.test_cp5_a_deadline_in_the_past_is_refused_and_kept_on_the_form.)"""
    order = attitude_complaint_with_account(office, desk)
    r = browser_for(office.head).post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "rectification",
            "measures": "书面检讨",
            "penalty": "警告",
            "deadline": "2036-12-03T17:00",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "整改期限距今超过一年" in html
    assert "书面检讨" in html and 'value="2036-12-03T17:00"' in html
    assert not Rectification.objects.exists()
    assert not Clock.objects.filter(rule_id="CP-5-rectification").exists()
