"""Compliance per rule per month (one query over stored clocks); office calendar days and a new
statutory year recompute running working-day clocks and say so on the order's timeline."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from propdesk.clocks.models import CalendarSource, Clock, ClockLog
from propdesk.clocks.selectors import compliance_for_month
from propdesk.clocks.services import calendar_day_set, calendar_source_check
from tests.clocks.conftest import sh
from tests.conftest import client_for

T0 = sh(2026, 11, 26, 10, 0)


def test_compliance_counts_each_rule_by_outcome_for_the_month(desk, office) -> None:
    """CP-1 this month: two met in time, one breached, one running; one from October apart."""
    desk.at(sh(2026, 10, 31, 23, 58)).open("complaint")  # October (Shanghai), not November
    met = [desk.at(T0).open("complaint") for _ in range(2)]
    for order in met:
        desk.act(order, "dispatch", by=office.receptionist, assignee=office.administrator)
    desk.open("complaint")
    desk.sweep(T0 + timedelta(minutes=11))
    desk.at(T0 + timedelta(minutes=30)).open("complaint")
    with CaptureQueriesContext(connection) as ctx:
        rules = {r.rule_id: r for r in compliance_for_month(office.community, 2026, 11)}
    assert len(ctx.captured_queries) == 1
    cp1 = rules["CP-1"]
    assert (cp1.started, cp1.met, cp1.breached, cp1.running, cp1.cancelled) == (4, 2, 1, 1, 0)
    assert str(cp1.compliance) == "66.7"
    assert rules["CP-6"].compliance is None  # all still running: nothing decided yet


def test_compliance_api_is_scoped_and_checks_its_input(desk, office, other_office) -> None:
    desk.at(T0).open("complaint")
    c = client_for(office.head)
    r = c.get("/api/compliance/", {"community": office.community.pk, "month": "2026-11"})
    assert r.status_code == 200
    rules = {x["rule_id"]: x for x in r.json()["rules"]}
    assert rules["CP-1"]["running"] == 1 and rules["CP-1"]["compliance"] is None
    r = c.get("/api/compliance/", {"community": office.community.pk, "month": "2026-13"})
    assert r.status_code == 400 and "month" in r.json()["error"]["fields"]
    r = c.get("/api/compliance/", {"community": other_office.community.pk, "month": "2026-11"})
    assert r.status_code == 404


def test_cp4_an_office_day_off_moves_running_deadlines_and_says_so(desk, office) -> None:
    order = desk.at(T0).open("complaint", is_important=True)  # Thursday: due Monday 11-30
    c = desk.clock_of(order, "CP-4")
    assert c.due_at == sh(2026, 11, 30, 23, 59, 59)
    changed = calendar_day_set(
        community=office.community,
        day=date(2026, 11, 27),
        is_working=False,
        now=T0 + timedelta(hours=1),
        note="停电检修",
    )
    assert changed == 1
    c.refresh_from_db()
    assert c.due_at == sh(2026, 12, 1, 23, 59, 59)
    entry = ClockLog.objects.get(clock=c, what="recomputed")
    assert datetime.fromisoformat(entry.data["old_due_at"]) == sh(2026, 11, 30, 23, 59, 59)
    timeline = client_for(office.head).get(f"/api/work-orders/{order.pk}/").json()["timeline"]
    assert [t["what"] for t in timeline if t["rule_id"] == "CP-4"] == ["started", "recomputed"]
    # Giving the day back to the statutory calendar moves it back.
    calendar_day_set(
        community=office.community,
        day=date(2026, 11, 27),
        is_working=None,
        now=T0 + timedelta(hours=2),
    )
    c.refresh_from_db()
    assert c.due_at == sh(2026, 11, 30, 23, 59, 59)


def test_cp4_other_clocks_and_other_communities_are_left_alone(desk, office, other_office):
    important = desk.at(T0).open("complaint", is_important=True)
    calendar_day_set(
        community=other_office.community, day=date(2026, 11, 27), is_working=False, now=T0
    )
    assert desk.clock_of(important, "CP-4").due_at == sh(2026, 11, 30, 23, 59, 59)
    calendar_day_set(community=office.community, day=date(2026, 11, 27), is_working=False, now=T0)
    cp6 = desk.clock_of(important, "CP-6")
    assert cp6.due_at == sh(2026, 11, 26, 23, 59, 59)  # same-day clocks don't count workdays
    assert not ClockLog.objects.filter(clock=cp6, what="recomputed").exists()


def test_cp4_a_new_statutory_calendar_recomputes_running_clocks(desk, office) -> None:
    """When the package brings new data its fingerprint changes; the worker's check recomputes.
    Here the stored fingerprint is an older one and an office day stands in for the new data."""
    order = desk.at(T0).open("complaint", is_important=True)
    assert calendar_source_check(now=T0) == 0  # first sight: remembered, nothing to redo
    assert calendar_source_check(now=T0) == 0  # unchanged
    Clock.objects.filter(order=order, rule_id="CP-4").update(due_at=sh(2026, 11, 29, 23, 59, 59))
    CalendarSource.objects.update(fingerprint="chinese_calendar 1.10.0 2004-2025")
    assert calendar_source_check(now=T0 + timedelta(hours=1)) == 1
    assert desk.clock_of(order, "CP-4").due_at == sh(2026, 11, 30, 23, 59, 59)
    assert ClockLog.objects.get(what="recomputed").data["reason"].startswith("statutory:")
