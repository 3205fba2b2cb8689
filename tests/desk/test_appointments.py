"""Issue 16: appointments (预约上门时间) move the clocks. DS-1-appointment (按约上门: on site at
the agreed time + its grace), DS-1 (当日完成 on the agreed day), the ``appoint`` event (改约)
and its checks; DS-1-arrival (急修到场) under a grade preset. All on the injected clock
(2026-11-26 10:00 Shanghai, a Thursday)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from propdesk.clocks.models import Clock, ClockLog
from propdesk.clocks.services import clocks_sweep
from propdesk.core.clock import FixedClock
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import WorkOrder, WorkOrderEvent
from propdesk.desk.services import (
    work_order_appoint,
)
from tests.conftest import Office, client_for
from tests.desk.test_work_orders import act
from tests.desk.test_work_orders import repair as create
from tests.notify.helpers import run_telling

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SH)


def appoint(order: WorkOrder, by, clock: FixedClock, when: datetime | None, **kw) -> WorkOrder:
    order.refresh_from_db()
    return work_order_appoint(
        order_id=order.pk,
        by=by,
        now=clock.now(),
        version=order.version,
        appointment_at=when,
        **kw,
    )


def clock_of(order: WorkOrder, rule_id: str) -> Clock:
    return order.clocks.filter(rule_id=rule_id).order_by("-id").first()


def on_site(office: Office, order: WorkOrder, clock: FixedClock) -> WorkOrder:
    act(order, "claim", office.repair_member, clock)
    return order


# --- DS-1-appointment: on site at the agreed time + grace ----------------------------------------


def test_ds1_appointment_met_by_check_in_at_the_agreed_time_plus_grace_exactly(
    office, clock
) -> None:
    """DS-1-appointment: agreed 14:00, 15 minutes' grace (default policy): 签到 at 14:15:00 is
    on time."""
    order = create(office, clock, appointment_at=at(26, 14))
    appt = clock_of(order, "DS-1-appointment")
    assert (appt.state, appt.due_at) == ("running", at(26, 14, 15))
    on_site(office, order, clock)
    clock.at = at(26, 14, 15)
    act(order, "check_in", office.repair_member, clock)
    appt.refresh_from_db()
    assert (appt.state, appt.met_at) == ("met", at(26, 14, 15))


def test_ds1_appointment_breached_one_second_after_the_grace(office, clock) -> None:
    """DS-1-appointment: 签到 at 14:15:01 is late; the sweeper breaches it at 14:15:01 too."""
    order = create(office, clock, appointment_at=at(26, 14))
    on_site(office, order, clock)
    clock.at = at(26, 14, 15)
    clocks_sweep(now=clock.now())
    appt = clock_of(order, "DS-1-appointment")
    assert appt.state == "running"
    clock.at = at(26, 14, 15, 1)
    clocks_sweep(now=clock.now())
    appt.refresh_from_db()
    assert (appt.state, appt.breached_at) == ("breached", at(26, 14, 15))
    act(order, "check_in", office.repair_member, clock)
    appt.refresh_from_db()
    assert appt.state == "breached"
    assert ClockLog.objects.filter(clock=appt, what="met_late").exists()


def test_ds1_appointment_grace_is_policy(office, clock) -> None:
    """DS-1-appointment: a community sets its own grace (minutes after the agreed time)."""
    office.community.policy = {"clocks": {"DS-1-appointment": {"duration": {"value": 5}}}}
    office.community.save()
    order = create(office, clock, appointment_at=at(26, 14))
    assert clock_of(order, "DS-1-appointment").due_at == at(26, 14, 5)


def test_an_order_without_appointment_has_no_ds_appt_and_ds1_counts_from_creation(
    office, clock
) -> None:
    """DS-1 without an agreed time: same day as before (today's end)."""
    order = create(office, clock)
    assert not order.clocks.filter(rule_id="DS-1-appointment").exists()
    assert clock_of(order, "DS-1").due_at == at(26, 23, 59, 59)
    assert not WorkOrderEvent.objects.filter(order=order, action="appoint").exists()


# --- DS-1 from the agreed day --------------------------------------------------------------------


def test_ds1_same_day_with_an_appointment_tomorrow_morning_is_due_tomorrows_end(
    office, clock
) -> None:
    """DS-1: the owner asks for 明天上午 (tomorrow 09:00): 当日完成 is tomorrow's end of day;
    the reply (FD-6) still counts from today."""
    order = create(office, clock, appointment_at=at(27, 9))
    assert clock_of(order, "DS-1").due_at == at(27, 23, 59, 59)
    assert clock_of(order, "FD-6").due_at == at(26, 23, 59, 59)
    assert clock_of(order, "DS-1-appointment").due_at == at(27, 9, 15)
    event = WorkOrderEvent.objects.get(order=order, action="appoint")
    assert event.actor == office.receptionist
    assert event.data == {
        "appointment_at": at(27, 9).isoformat(),
        "previous": None,
        "source": "intake",
    }


def test_ds1_an_appointment_later_today_keeps_today(office, clock) -> None:
    """DS-1: agreed this afternoon: still today's end."""
    order = create(office, clock, appointment_at=at(26, 15))
    assert clock_of(order, "DS-1").due_at == at(26, 23, 59, 59)


# --- 改约: the agreed time changes ------------------------------------------------------------


def test_changing_the_appointment_moves_the_clocks(office, clock) -> None:
    """改约: DS-1 is recomputed to the new day (ClockLog ``recomputed``), the old
    DS-1-appointment is cancelled and a new one runs from the new time; the event keeps the
    previous time."""
    order = create(office, clock, appointment_at=at(26, 14))
    first_appt = clock_of(order, "DS-1-appointment")
    ds1 = clock_of(order, "DS-1")
    clock.advance(minutes=30)
    appoint(order, office.receptionist, clock, at(28, 9, 30), note="业主临时出差")
    ds1.refresh_from_db()
    first_appt.refresh_from_db()
    assert ds1.due_at == at(28, 23, 59, 59)
    log = ClockLog.objects.get(clock=ds1, what="recomputed")
    assert (log.data["rule"], log.data["reason"]) == ("DS-1", "appoint")
    assert datetime.fromisoformat(log.data["old_due_at"]) == at(26, 23, 59, 59)
    assert datetime.fromisoformat(log.data["new_due_at"]) == at(28, 23, 59, 59)
    assert (first_appt.state, first_appt.cancel_reason) == ("cancelled", "appoint")
    second = clock_of(order, "DS-1-appointment")
    assert second.pk != first_appt.pk
    assert (second.state, second.due_at) == ("running", at(28, 9, 45))
    event = WorkOrderEvent.objects.filter(order=order, action="appoint").last()
    assert event.data == {
        "appointment_at": at(28, 9, 30).isoformat(),
        "previous": at(26, 14).isoformat(),
        "source": "order",
    }
    assert event.note == "业主临时出差"
    order.refresh_from_db()
    assert order.appointment_at == at(28, 9, 30)


def test_a_missed_appointment_stays_a_breach_when_it_is_agreed_again(office, clock) -> None:
    """DS-1-appointment: missing the appointment is its own breach; 改约 afterwards does not
    undo it."""
    order = create(office, clock, appointment_at=at(26, 11))
    clock.at = at(26, 12)
    appoint(order, office.receptionist, clock, at(26, 16))
    missed, new = order.clocks.filter(rule_id="DS-1-appointment").order_by("id")
    assert (missed.state, missed.breached_at) == ("breached", at(26, 11, 15))
    assert (new.state, new.due_at) == ("running", at(26, 16, 15))


def test_withdrawing_the_appointment_brings_ds1_back_to_its_own_day(office, clock) -> None:
    """改约 to no appointment: DS-1-appointment cancelled, none started; DS-1 back to today."""
    order = create(office, clock, appointment_at=at(27, 9))
    appoint(order, office.administrator, clock, None)
    assert clock_of(order, "DS-1-appointment").state == "cancelled"
    assert order.clocks.filter(rule_id="DS-1-appointment").count() == 1
    assert clock_of(order, "DS-1").due_at == at(26, 23, 59, 59)


def test_a_breached_ds1_is_not_moved_by_a_later_appointment(office, clock) -> None:
    """DS-1 breached yesterday stays breached; 改约 recomputes only running clocks."""
    order = create(office, clock)
    clock.at = at(27, 8)
    clocks_sweep(now=clock.now())
    ds1 = clock_of(order, "DS-1")
    assert ds1.state == "breached"
    appoint(order, office.receptionist, clock, at(27, 10))
    ds1.refresh_from_db()
    assert (ds1.state, ds1.due_at) == ("breached", at(26, 23, 59, 59))
    assert not ClockLog.objects.filter(clock=ds1, what="recomputed").exists()


# --- refusals: nothing changes -------------------------------------------------------------------


def _snapshot(order: WorkOrder) -> tuple:
    order.refresh_from_db()
    return (
        order.version,
        order.appointment_at,
        WorkOrderEvent.objects.filter(order=order).count(),
        list(order.clocks.values_list("id", "state", "due_at")),
    )


def test_an_appointment_in_the_past_is_refused_and_nothing_changes(office, clock) -> None:
    order = create(office, clock, appointment_at=at(26, 14))
    before = _snapshot(order)
    with pytest.raises(ValidationError) as exc:
        appoint(order, office.receptionist, clock, at(26, 9, 59))
    assert exc.value.message_dict["appointment_at"] == [
        "预约上门时间不能早于现在，请填写现在以后的时间。"
    ]
    assert _snapshot(order) == before


def test_an_appointment_in_the_past_is_refused_at_intake(office, clock) -> None:
    with pytest.raises(ValidationError) as exc:
        create(office, clock, appointment_at=at(26, 9))
    assert "appointment_at" in exc.value.message_dict
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    ("when", "field"),
    [(lambda: at(26, 14), "appointment_at"), (lambda: at(26, 10) + timedelta(days=61), None)],
)
def test_the_same_time_or_too_far_ahead_is_refused(office, clock, when, field) -> None:
    order = create(office, clock, appointment_at=at(26, 14))
    before = _snapshot(order)
    with pytest.raises(ValidationError) as exc:
        appoint(order, office.receptionist, clock, when())
    assert "appointment_at" in exc.value.message_dict
    assert _snapshot(order) == before


def test_a_stale_version_is_refused(office, clock) -> None:
    order = create(office, clock, appointment_at=at(26, 14))
    before = _snapshot(order)
    with pytest.raises(Conflict) as exc:
        work_order_appoint(
            order_id=order.pk,
            by=office.receptionist,
            now=clock.now(),
            version=order.version - 1 if order.version > 1 else 99,
            appointment_at=at(26, 16),
        )
    assert exc.value.code == "stale"
    assert _snapshot(order) == before


def test_once_on_site_the_appointment_no_longer_changes(office, clock) -> None:
    order = create(office, clock, appointment_at=at(26, 14))
    on_site(office, order, clock)
    act(order, "check_in", office.repair_member, clock)
    with pytest.raises(Conflict) as exc:
        appoint(order, office.receptionist, clock, at(26, 16))
    assert exc.value.code == "not_allowed_in_state"


def test_who_may_agree_the_time(office, clock) -> None:
    """The office, the team leader and the member who has it; not a member without it, and
    not on a complaint."""
    order = create(office, clock)
    appoint(order, office.repair_leader, clock, at(26, 15))
    with pytest.raises(Forbidden):
        appoint(order, office.repair_member, clock, at(26, 16))
    on_site(office, order, clock)  # the member takes it from the pool
    appoint(order, office.repair_member, clock, at(26, 16))
    complaint = create(office, clock, kind="complaint", description="噪音")
    with pytest.raises(Conflict) as exc:
        appoint(complaint, office.administrator, clock, at(26, 16))
    assert exc.value.code == "not_for_kind"


# --- the resident portal's report ----------------------------------------------------------------


def test_the_portals_agreed_time_is_an_appoint_event_from_the_portal(office, clock) -> None:
    """DS-1-appointment starts from a resident's report too; the event says it came from the
    portal."""
    from propdesk.desk.services import ResidentReport, resident_report

    order = resident_report(
        household=office.household,
        phone="13812345678",
        now=clock.now(),
        data=ResidentReport(kind="repair", description="卫生间漏水", appointment_at=at(27, 10)),
    )
    event = WorkOrderEvent.objects.get(order=order, action="appoint")
    assert (event.actor, event.data["source"]) == (None, "portal")
    assert clock_of(order, "DS-1-appointment").due_at == at(27, 10, 15)
    assert clock_of(order, "DS-1").due_at == at(27, 23, 59, 59)


# --- DS-1-arrival: urgent repairs under a grade preset -------------------------------------------


# DS-1-arrival switched on at 30 minutes, as an office sets it in its own policy (the grade
# presets are drafts until a source confirms them).
ARRIVAL_30 = {
    "clocks": {"DS-1-arrival": {"enabled": True, "duration": {"kind": "minutes", "value": 30}}}
}


def test_ds1_arrival_is_off_in_the_default_policy(office, clock) -> None:
    order = create(office, clock, is_urgent=True)
    assert order.is_urgent
    assert not order.clocks.filter(rule_id="DS-1-arrival").exists()


def test_ds1_arrival_met_at_30_minutes_exactly(office, clock) -> None:
    """DS-1-arrival (switched on at 30 minutes): an urgent repair on site within 30 minutes;
    签到 at 10:30:00 is on time."""
    office.community.policy = ARRIVAL_30
    office.community.save()
    order = create(office, clock, is_urgent=True)
    arrival = clock_of(order, "DS-1-arrival")
    assert arrival.due_at == at(26, 10, 30)
    on_site(office, order, clock)
    clock.at = at(26, 10, 30)
    act(order, "check_in", office.repair_member, clock)
    arrival.refresh_from_db()
    assert arrival.state == "met"


def test_ds1_arrival_breached_one_second_later(office, clock) -> None:
    """DS-1-arrival (switched on at 30 minutes): at 10:30:01 the sweeper breaches it."""
    office.community.policy = ARRIVAL_30
    office.community.save()
    order = create(office, clock, is_urgent=True)
    clock.at = at(26, 10, 30, 1)
    clocks_sweep(now=clock.now())
    assert clock_of(order, "DS-1-arrival").state == "breached"
    plain = create(office, clock)  # not urgent: no arrival clock
    assert not plain.clocks.filter(rule_id="DS-1-arrival").exists()


def test_only_a_repair_can_be_urgent(office, clock) -> None:
    with pytest.raises(ValidationError) as exc:
        create(office, clock, kind="housekeeping", description="保洁", is_urgent=True)
    assert list(exc.value.message_dict) == ["is_urgent"]
    assert not WorkOrder.objects.exists()


# --- the console and the API ---------------------------------------------------------------------


def test_the_order_page_changes_the_appointment_and_keeps_what_was_typed_on_error(
    office, clock, client
) -> None:
    order = create(office, clock, appointment_at=at(26, 14))
    client.force_login(office.receptionist)
    url = f"/desk/orders/{order.pk}/"
    page = client.get(url)
    assert b'id="form-appoint"' in page.content
    bad = client.post(
        url,
        {
            "form": "appoint",
            "version": order.version,
            "appointment_at": "2026-11-25T09:00",
            "note": "业主改到昨天？",
        },
    )
    assert bad.status_code == 400
    assert b"2026-11-25T09:00" in bad.content
    assert "业主改到昨天？".encode() in bad.content
    order.refresh_from_db()
    assert order.appointment_at == at(26, 14)
    ok = client.post(
        url,
        {"form": "appoint", "version": order.version, "appointment_at": "2026-11-27T09:00"},
    )
    assert ok.status_code == 302
    order.refresh_from_db()
    assert order.appointment_at == at(27, 9)
    page = client.get(url)
    assert b"2026-11-27 09:00" in page.content


def test_the_api_changes_the_appointment(office, clock) -> None:
    order = create(office, clock, appointment_at=at(26, 14))
    api = client_for(office.administrator)
    url = f"/api/work-orders/{order.pk}/appointment/"
    bad = api.post(
        url, {"version": order.version, "appointment_at": "2026-11-26T09:00:00+08:00"}, "json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"appointment_at"}
    good = api.post(
        url, {"version": order.version, "appointment_at": "2026-11-27T09:00:00+08:00"}, "json"
    )
    assert good.status_code == 200, good.content
    body = good.json()
    assert body["appointment_at"].startswith("2026-11-27T09:00:00")
    assert {c["rule_id"] for c in body["clocks"]} >= {"DS-1-appointment", "DS-1"}


def test_the_printed_form_shows_the_agreed_time_and_each_clock(office, clock) -> None:
    """DS-1, DS-1-appointment on paper: 预约上门时间 and each clock's deadline (时限); 急修
    among the marks."""
    from tests.desk.test_printing import print_order
    from tests.pdfs import pdf_text

    order = create(office, clock, appointment_at=at(27, 9), is_urgent=True)
    text = pdf_text(print_order(office, order, clock))
    assert "预约上门时间2026年11月27日 09:00" in text
    assert "急修" in text
    # Each clock by its name (GLOSSARY.md), the ID left out on paper.
    assert "报修/家政当日完成" in text and "按约定时间上门" in text and "DS-1" not in text
    assert "2026年11月27日 23:59" in text  # DS-1 on the agreed day
    assert "2026年11月27日 09:15" in text  # DS-1-appointment: the agreed time + grace


def test_the_member_who_has_the_job_changes_the_time_on_the_phone_page(
    office, clock, client
) -> None:
    """改约 from the technician's phone job page (the member who has it calls the owner)."""
    order = create(office, clock, appointment_at=at(26, 14))
    on_site(office, order, clock)
    order.refresh_from_db()
    client.force_login(office.repair_member)
    url = f"/desk/jobs/{order.pk}/"
    assert b'id="form-appoint"' in client.get(url).content
    bad = client.post(url, {"form": "appoint", "version": order.version, "appointment_at": "x"})
    assert bad.status_code == 400
    ok = client.post(
        url, {"form": "appoint", "version": order.version, "appointment_at": "2026-11-26T16:30"}
    )
    assert ok.status_code == 302
    order.refresh_from_db()
    assert order.appointment_at == at(26, 16, 30)
    assert clock_of(order, "DS-1-appointment").due_at == at(26, 16, 45)


def test_the_member_who_has_it_is_told_of_a_new_time(office, clock) -> None:
    """改约 by the office tells the assignee (policy: notify.order_appointed); in the pool, the
    team leader."""
    from propdesk.notify.models import Notification

    order = create(office, clock)
    appoint(order, office.receptionist, clock, at(26, 15))
    run_telling(clock)
    told = Notification.objects.filter(kind="order_appointed", channel="in_app")
    assert set(told.values_list("recipient_id", flat=True)) == {office.repair_leader.pk}
    on_site(office, order, clock)
    appoint(order, office.receptionist, clock, at(26, 16))
    run_telling(clock)
    latest = told.order_by("-id").first()
    assert latest.recipient_id == office.repair_member.pk
    assert "11-26 16:00" in latest.title
