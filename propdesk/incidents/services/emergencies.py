"""Writes of one emergency (EM-1, EM-2): logging it, acknowledging, checking in on site,
resolving. Each runs in one transaction: the work order, the emergency, its responders, their
outbox notifications, their EM-2 clocks and the order's events are written together or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Community, Household, User
from propdesk.community.selectors import office_heads, user_roles
from propdesk.core.errors import Conflict, Forbidden, policy_message, too_long_for
from propdesk.desk.models import ComplaintType, OrderKind
from propdesk.desk.services import (
    WorkOrderDraft,
    work_order_create,
    work_order_transition,
)
from propdesk.incidents.models import (
    Emergency,
    EmergencyState,
    IncidentReport,
    Responder,
)
from propdesk.incidents.services._common import (
    EMERGENCY_KIND,
    ROSTER_GAP_KIND,
    _alert_title,
    _department_name,
    _order_event,
    _payload,
    emergency_policy,
    responders_for,
)
from propdesk.incidents.services.duplicates import (
    ASK,
    CHOICES,
    FORCE,
    MERGE,
    DuplicateEmergency,
    emergency_duplicate_of,
    emergency_merge,
)
from propdesk.notify.services import notifications_create
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.workflow import OFFICE_ROLES, State


@transaction.atomic
def emergency_log(
    *,
    community: Community,
    by: User,
    now: datetime,
    kind: str,
    location: str = "",
    description: str = "",
    household: Household | None = None,
    caller_name: str = "",
    caller_phone: str = "",
    duplicate: str = ASK,
) -> Emergency:
    """Log an emergency at the front desk (EM-1): the kind and where (a location or a household)
    are all it needs. Opens the work order (a complaint of type emergency, taken by the office
    head), calls the office head(s) and the on-duty staff of every department the kind calls
    (roster at ``now``), writes a notification per person (kind ``emergency``: every channel),
    starts each responder's 5-minute clock (EM-2) and warns the office head of a roster gap.

    The same emergency logged again within a minute (see duplicates.py) raises
    DuplicateEmergency unless ``duplicate`` says ``merge`` (the open one is returned, with the
    report recorded on it, and nobody is called again) or ``force`` (a separate emergency).

    Raises Forbidden for users without an office role in ``community``, ValidationError naming
    each wrong field; nothing is written then.
    """
    if not user_roles(by, community.pk) & OFFICE_ROLES:
        raise Forbidden(_("Only front-desk and office staff of this community may do this."))
    policy = emergency_policy(community)
    errors: dict[str, list[str]] = {}
    spec = policy.kinds.get(kind)
    if spec is None:
        errors["kind"] = [_("Choose the kind of emergency.")]
    if household is not None and household.community_id != community.pk:
        errors["household"] = [_("This household is not in the community.")]
    location = (location or "").strip() or (household.code if household is not None else "")
    if not location:
        errors["location"] = [_("Say where it is: a location or a room.")]
    caller_name = caller_name.strip()
    for field, text in (("location", location), ("caller_name", caller_name)):
        if refused := too_long_for(Emergency, field, text):  # refused, never cut to fit
            errors[field] = refused
    # The caller's number as the desk stores one (digits as dialled; an extension stays on the
    # order's reporter), never the typed text cut to the column.
    phone = ""
    if caller_phone.strip():
        try:
            phone = parse_phone(caller_phone, area_code=community.area_code).number
        except InvalidPhone as exc:
            errors["caller_phone"] = [policy_message(exc)]
    if duplicate not in CHOICES:
        errors["duplicate"] = [_("Choose merge or force.")]
    if errors:
        raise ValidationError(errors)
    assert spec is not None
    description = (description or "").strip()
    if duplicate != FORCE:
        # Two desks logging the same emergency at once: the community's row serialises them.
        Community.objects.select_for_update().filter(pk=community.pk).first()
        existing = emergency_duplicate_of(
            community=community, kind=kind, location=location, household=household, now=now
        )
        if existing is not None and duplicate == MERGE:
            return emergency_merge(
                existing,
                by=by,
                now=now,
                description=description,
                caller_name=caller_name,
                caller_phone=phone,
            )
        if existing is not None:
            raise DuplicateEmergency(existing)
    order = work_order_create(
        community=community,
        by=by,
        now=now,
        draft=WorkOrderDraft(
            kind=OrderKind.COMPLAINT,
            complaint_type=ComplaintType.EMERGENCY,
            description=description or f"{spec.title}：{location}",
            household=household,
            location=location,
            reporter_name=caller_name,
            reporter_phone=caller_phone,
        ),
    )
    calls, gaps = responders_for(community, spec.departments, now)
    heads = office_heads(community.pk)
    if heads:
        # The office head takes the emergency's order (EM-1: they are told at once).
        order = work_order_transition(
            order_id=order.pk,
            action="dispatch",
            by=by,
            now=now,
            version=order.version,
            assignee=User.objects.get(pk=heads[0]),
        )
    emergency = Emergency.objects.create(
        community=community,
        order=order,
        kind=kind,
        kind_title=spec.title,
        location=location,
        description=description,
        household=household,
        caller_name=caller_name,
        caller_phone=phone,
        reported_at=now,
        reported_by=by,
    )
    first_repeat = now + timedelta(seconds=policy.repeat_seconds)
    Responder.objects.bulk_create(
        Responder(
            emergency=emergency,
            user_id=c.user_id,
            team_id=c.team_id,
            reason=c.reason,
            notified_at=now,
            next_repeat_at=first_repeat,
        )
        for c in calls
    )
    _order_event(
        order,
        by=by,
        now=now,
        action="emergency_logged",
        note=f"{spec.title}：{location}",
        emergency=emergency.pk,
        kind=kind,
        departments=spec.departments,
    )
    notifications_create(
        community_id=community.pk,
        recipient_ids=[c.user_id for c in calls],
        cause=f"emergency:{emergency.pk}",
        kind=EMERGENCY_KIND,
        title=_alert_title(emergency),
        payload=_payload(emergency),
        now=now,
    )
    roles = user_roles(by, community.pk)
    for c in calls:
        _order_event(
            order,
            by=by,
            now=now,
            action="responder_notified",
            user=c.user_id,
            reason=c.reason,
            team=c.team_id,
        )
        clocks_on_event(
            community=community,
            event="responder_notified",
            at=now,
            actor=by,
            actor_roles=roles,
            order=order,
            subject=str(c.user_id),
        )
    for gap in gaps:
        department = _department_name(gap.department)
        if gap.leader_id is not None:
            title = _("Nobody on duty in %(department)s: its team leader was called instead") % {
                "department": department
            }
        else:
            title = _("Nobody on duty in %(department)s and no team leader to call") % {
                "department": department
            }
        _order_event(
            order,
            by=by,
            now=now,
            action="roster_gap",
            note=title,
            department=gap.department,
            team=gap.team_id,
            leader=gap.leader_id,
        )
        notifications_create(
            community_id=community.pk,
            recipient_ids=heads,
            cause=f"emergency:{emergency.pk}:gap:{gap.department}",
            kind=ROSTER_GAP_KIND,
            title=title,
            payload={**_payload(emergency), "department": gap.department, "team": gap.team_id},
            now=now,
        )
    return emergency


def _my_call(emergency_id: int, by: User) -> Responder:
    responder = (
        Responder.objects.select_for_update(of=("self",))
        .select_related("emergency__order", "emergency__community")
        .filter(emergency_id=emergency_id, user=by)
        .first()
    )
    if responder is None:
        raise Forbidden(
            _("Only the people called to this emergency can do this, each for themselves."),
            code="not_responder",
        )
    if responder.emergency.state != EmergencyState.OPEN:
        raise Conflict(_("This emergency is over."), code="emergency_over")
    return responder


@transaction.atomic
def emergency_acknowledge(*, emergency_id: int, by: User, now: datetime) -> Responder:
    """The responder ``by`` has seen the alert: it stops repeating for them (EM-1). Raises
    Forbidden if ``by`` was not called, Conflict if already acknowledged or the emergency is
    over."""
    responder = _my_call(emergency_id, by)
    if responder.acknowledged_at is not None:
        raise Conflict(_("You have already acknowledged this emergency."), code="already_done")
    responder.acknowledged_at, responder.next_repeat_at = now, None
    responder.save(update_fields=["acknowledged_at", "next_repeat_at"])
    _order_event(responder.emergency.order, by=by, now=now, action="acknowledged", user=by.pk)
    return responder


@transaction.atomic
def emergency_check_in(*, emergency_id: int, by: User, now: datetime) -> Responder:
    """The responder ``by`` is on site (EM-2): the time is recorded and their 5-minute clock is
    met (or met late, a breach). Arriving also acknowledges. Raises Forbidden if ``by`` was not
    called, Conflict if already on site or the emergency is over."""
    responder = _my_call(emergency_id, by)
    if responder.arrived_at is not None:
        raise Conflict(_("You have already checked in on site."), code="already_done")
    fields = ["arrived_at", "next_repeat_at"]
    responder.arrived_at, responder.next_repeat_at = now, None
    if responder.acknowledged_at is None:
        responder.acknowledged_at = now
        fields.append("acknowledged_at")
    responder.save(update_fields=fields)
    emergency = responder.emergency
    _order_event(emergency.order, by=by, now=now, action="responder_arrived", user=by.pk)
    clocks_on_event(
        community=emergency.community,
        event="responder_arrived",
        at=now,
        actor=by,
        actor_roles=user_roles(by, emergency.community_id),
        order=emergency.order,
        subject=str(by.pk),
    )
    return responder


@transaction.atomic
def emergency_resolve(*, emergency_id: int, by: User, now: datetime, note: str) -> Emergency:
    """The emergency is under control: alerts stop repeating, the responders' clocks still running
    are cancelled (``emergency_closed``), the work order is resolved (through the state machine,
    when its state allows) and the incident report's draft is opened (EM-3).

    Office staff of the community only (Forbidden); ``note`` says what was done
    (ValidationError); Conflict if it is not open."""
    emergency = (
        Emergency.objects.select_for_update(of=("self",))
        .select_related("community", "order")
        .get(pk=emergency_id)
    )
    if not user_roles(by, emergency.community_id) & OFFICE_ROLES:
        raise Forbidden(_("Only office staff of this community may resolve an emergency."))
    if emergency.state != EmergencyState.OPEN:
        raise Conflict(_("This emergency is already resolved."), code="emergency_over")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Write down what was done.")]})
    emergency.state, emergency.resolved_at = EmergencyState.RESOLVED, now
    emergency.resolved_by, emergency.resolution = by, note
    emergency.save(update_fields=["state", "resolved_at", "resolved_by", "resolution"])
    emergency.responders.update(next_repeat_at=None)
    order = emergency.order
    _order_event(order, by=by, now=now, action="emergency_resolved", note=note)
    clocks_on_event(
        community=emergency.community,
        event="emergency_closed",
        at=now,
        actor=by,
        actor_roles=user_roles(by, emergency.community_id),
        order=order,
    )
    if order.state == State.DISPATCHED:
        order = work_order_transition(
            order_id=order.pk, action="accept", by=by, now=now, version=order.version
        )
    if order.state in {State.ACCEPTED, State.ON_SITE}:
        work_order_transition(
            order_id=order.pk, action="resolve", by=by, now=now, version=order.version, note=note
        )
    IncidentReport.objects.get_or_create(
        emergency=emergency, defaults={"created_at": now, "updated_at": now}
    )
    return emergency


# --- repeat and widen ----------------------------------------------------------------------------
