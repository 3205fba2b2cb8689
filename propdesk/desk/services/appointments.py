"""Appointments (issue 16): the agreed time (预约上门时间) of a home visit, set at intake, from the
resident portal, or changed on the order (改约). Each setting is an ``appoint`` event on the
order's timeline (the new time, the previous one, where it was agreed) and goes to the clocks:
DS-1-appointment (按约上门) starts at the agreed time + its grace, and the clocks the policy counts
``from_appointment`` (DS-1: 当日完成 on the agreed day) are recomputed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import OrderKind, WorkOrder, WorkOrderEvent
from propdesk.desk.services._common import order_event_write, stale_conflict
from propdesk.desk.services.telling import tell_about_order
from propdesk.policy.workflow import OFFICE_ROLES, TEAM_ROLES, State

# Where an agreed time came from (the event's ``source``).
APPOINTMENT_SOURCES = ("intake", "portal", "order", "call")
# An agreed time is for a visit to come; not after the team is on site or the order is done.
APPOINTABLE_STATES = frozenset(
    {State.NEW, State.DISPATCHED, State.ACCEPTED, State.RETURNED, State.REOPENED}
)
# How far ahead an agreed time may be (the portal's report uses the same limit).
APPOINTMENT_MAX_DAYS = 60


def appointment_errors(appointment_at: datetime | None, *, now: datetime) -> list[str]:
    """Why ``appointment_at`` cannot be agreed now ([] when it can): not in the past, not more
    than APPOINTMENT_MAX_DAYS ahead. Aware datetimes; None (no appointment) is always fine."""
    if appointment_at is None:
        return []
    if appointment_at.tzinfo is None:
        return [_("Choose a date and a time, e.g. 2026-12-01 09:30.")]
    if appointment_at < now:
        return [_("The appointment cannot be in the past: give a time from now on.")]
    if appointment_at > now + timedelta(days=APPOINTMENT_MAX_DAYS):
        return [_("Choose a time within the next 60 days.")]
    return []


def appoint_write(
    order: WorkOrder,
    *,
    by: User | None,
    now: datetime,
    previous: datetime | None,
    source: str,
    note: str = "",
) -> WorkOrderEvent:
    """Write the ``appoint`` event of ``order`` (whose ``appointment_at`` is already the new
    time) and move its clocks. Inside the caller's transaction. Returns the event."""
    zone = ZoneInfo(order.community.time_zone)

    def local(when: datetime | None) -> str | None:
        return when.astimezone(zone).isoformat() if when is not None else None

    data: dict[str, object] = {
        "appointment_at": local(order.appointment_at),
        "previous": local(previous),
        "source": source,
    }
    event = order_event_write(order, by=by, now=now, action="appoint", note=note, data=data)
    clocks_on_event(
        community=order.community,
        event="appoint",
        at=now,
        actor=by,
        actor_roles=user_roles(by, order.community_id) if by is not None else (),
        order=order,
        data={"appointment_at": order.appointment_at, "source": source},
    )
    return event


@transaction.atomic
def work_order_appoint(
    *,
    order_id: int,
    by: User,
    now: datetime,
    version: int,
    appointment_at: datetime | None,
    note: str = "",
    source: str = "order",
) -> WorkOrder:
    """Agree a new time for the home visit (改约), or withdraw it (``appointment_at`` None).

    The office, and the team working on the order (the leader, or the member who has it), may.
    ``now`` and ``appointment_at`` are aware. ValidationError (field ``appointment_at``) for a
    time in the past, more than 60 days ahead, or the same as now agreed; Conflict ``stale`` when
    the order changed since ``version``, ``not_allowed_in_state`` once the team is on site or the
    order is done; Forbidden for anyone else. Nothing is written then. The ``appoint`` event
    moves the clocks: DS-1-appointment restarts from the new time (a missed one stays
    breached), DS-1 and any other ``from_appointment`` clock is recomputed (ClockLog
    ``recomputed``)."""
    WorkOrder.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True).get()
    order = WorkOrder.objects.select_related("community", "team").get(pk=order_id)
    roles = user_roles(by, order.community_id)
    # The member who has it, or the leader of its team (the one who calls the owner).
    on_team = order.assignee_id == by.pk or (
        order.team is not None and order.team.leader_id == by.pk
    )
    if not (roles & OFFICE_ROLES or (roles & TEAM_ROLES and on_team)):
        raise Forbidden(_("Only the office or the team working on this order may agree its time."))
    if order.kind == OrderKind.COMPLAINT:
        raise Conflict(_("A complaint has no home-visit appointment."), code="not_for_kind")
    if order.version != version:
        raise stale_conflict(order)
    if order.state not in APPOINTABLE_STATES:
        raise Conflict(
            _("The work order is %(state)s: its appointment can no longer change.")
            % {"state": order.get_state_display()},
            code="not_allowed_in_state",
        )
    errors: dict[str, list[str]] = {}
    problems = appointment_errors(appointment_at, now=now)
    if problems:
        errors["appointment_at"] = problems
    elif appointment_at == order.appointment_at:
        errors["appointment_at"] = [_("This is already the agreed time.")]
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = [_("Keep it under 500 characters.")]
    if source not in APPOINTMENT_SOURCES:
        errors["source"] = [_("Unknown source.")]
    if errors:
        raise ValidationError(errors)
    previous = order.appointment_at
    order.appointment_at = appointment_at
    order.version += 1
    order.updated_at = now
    order.save(update_fields=["appointment_at", "version", "updated_at"])
    appoint_write(order, by=by, now=now, previous=previous, source=source, note=note)
    if appointment_at is not None:
        local = appointment_at.astimezone(ZoneInfo(order.community.time_zone))
        title = _("%(number)s: the appointment is now %(when)s") % {
            "number": order.number,
            "when": local.strftime("%m-%d %H:%M"),
        }
    else:
        title = _("%(number)s: the appointment was withdrawn") % {"number": order.number}
    tell_about_order(
        "order_appointed",
        order=order,
        now=now,
        cause=f"order:{order.pk}:v{order.version}:appoint",
        title=title,
        exclude=[by.pk],
    )
    return order
