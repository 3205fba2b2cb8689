"""RULES (working days): when the statutory calendar has no data for a year a clock spans, its
order says so. The board says it only for the clocks still to meet (``live_only``), as its
chips show them: a breach met late or cancelled since is done, whatever its state says; the
order's own page keeps saying it for every clock (its deadlines are on its timeline)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.clocks.models import Clock, ClockLog, ClockState
from propdesk.clocks.selectors import calendar_fallback
from tests.desk.test_console_reads_scoped import _open_in

pytestmark = pytest.mark.django_db


def _clock_counting_on_a_fallback(office, clock):  # type: ignore[no-untyped-def]
    order = _open_in(office, clock, "repair")
    live = Clock.objects.filter(order=order).order_by("pk").first()
    assert live is not None and live.state == ClockState.RUNNING
    ClockLog.objects.create(
        clock=live,
        order=order,
        at=clock.now() + timedelta(minutes=1),
        what="recomputed",
        data={"rule": live.rule_id, "calendar_fallback_years": [2099]},
    )
    return order, live


@pytest.mark.parametrize("ended", ["met_at", "cancelled_at"])
def test_the_board_leaves_out_a_breach_met_late_or_cancelled(office, clock, ended) -> None:
    order, live = _clock_counting_on_a_fallback(office, clock)
    others = Clock.objects.filter(order=order).exclude(pk=live.pk)
    others.update(state=ClockState.MET, met_at=clock.now())  # only this clock counts here
    assert calendar_fallback([order.pk], live_only=True) == {order.pk: [2099]}

    setattr(live, ended, clock.now() + timedelta(hours=3))
    live.state, live.breached_at = ClockState.BREACHED, live.due_at
    live.save()
    assert calendar_fallback([order.pk], live_only=True) == {}
    assert calendar_fallback([order.pk]) == {order.pk: [2099]}


def test_a_breach_still_to_meet_keeps_its_notice(office, clock) -> None:
    order, live = _clock_counting_on_a_fallback(office, clock)
    live.state, live.breached_at = ClockState.BREACHED, live.due_at
    live.save()
    assert calendar_fallback([order.pk], live_only=True) == {order.pk: [2099]}
