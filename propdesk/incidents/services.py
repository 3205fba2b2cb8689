"""Writes of emergencies (EM-1, EM-2): logging one, acknowledging, checking in on site, resolving,
and the repeat of unacknowledged alerts that widens to the deputies.

Every function takes an aware ``now`` and runs in one transaction: the work order, the emergency,
its responders, their outbox notifications, their EM-2 clocks and the work order's events are
written together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Community, DutyShift, Household, Membership, Team, User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import ComplaintType, OrderKind, WorkOrder, WorkOrderEvent
from propdesk.desk.services import WorkOrderDraft, work_order_create, work_order_transition
from propdesk.incidents.models import (
    Emergency,
    EmergencyState,
    IncidentReport,
    Responder,
    ResponderReason,
)
from propdesk.notify.services import notifications_create
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.rules import EmergencyPolicy, load_policy
from propdesk.policy.workflow import OFFICE_ROLES, Role, State

EMERGENCY_KIND = "emergency"  # the notification kind: every channel a person has (EM-1)
ROSTER_GAP_KIND = "roster_gap"


def emergency_policy(community: Community) -> EmergencyPolicy:
    return load_policy(community.policy).emergencies


def _order_event(
    order: WorkOrder, *, by: User | None, now: datetime, action: str, note: str = "", **data: Any
) -> WorkOrderEvent:
    """An event on the emergency's work order; its state does not change."""
    return WorkOrderEvent.objects.create(
        order=order,
        community_id=order.community_id,
        at=now,
        actor=by,
        action=action,
        note=note,
        data=data,
    )


def _payload(emergency: Emergency) -> dict[str, Any]:
    return {
        "emergency": emergency.pk,
        "order": emergency.order_id,
        "number": emergency.order.number,
        "kind": emergency.kind,
        "kind_title": emergency.kind_title,
        "location": emergency.location,
        "reported_at": emergency.reported_at.isoformat(),
    }


def _alert_title(emergency: Emergency) -> str:
    return _("Emergency: %(kind)s at %(location)s") % {
        "kind": emergency.kind_title,
        "location": emergency.location,
    }


def office_heads(community_id: int) -> list[int]:
    return list(
        Membership.objects.filter(
            community_id=community_id, role=Role.OFFICE_HEAD, user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def on_duty(community_id: int, at: datetime, team_ids: Iterable[int] | None = None) -> list[Any]:
    """(team id, user id) of every shift running at ``at`` (``starts_at <= at < ends_at``): a
    night shift 20:00–08:00 is one row crossing midnight, so it counts on both days."""
    qs = DutyShift.objects.filter(
        team__community_id=community_id, starts_at__lte=at, ends_at__gt=at, user__is_active=True
    )
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    return list(qs.order_by("starts_at", "id").values_list("team_id", "user_id"))


@dataclass(frozen=True)
class Call:
    user_id: int
    reason: str
    team_id: int | None


@dataclass(frozen=True)
class RosterGap:
    department: str  # a team kind
    team_id: int | None  # None: the community has no such team at all
    leader_id: int | None


def responders_for(
    community: Community, departments: Iterable[str], at: datetime
) -> tuple[list[Call], list[RosterGap]]:
    """Who an emergency calls at ``at`` (EM-1): the office head(s), then the on-duty staff of each
    department in the policy's order; a department with nobody on duty calls its team leader
    instead and is reported as a roster gap. Each person is called once (first reason wins)."""
    calls: dict[int, Call] = {}
    for uid in office_heads(community.pk):
        calls.setdefault(uid, Call(uid, ResponderReason.OFFICE_HEAD, None))
    gaps: list[RosterGap] = []
    departments = list(departments)
    teams = list(
        Team.objects.filter(community=community, kind__in=departments).order_by("kind", "id")
    )
    duty = on_duty(community.pk, at, [t.pk for t in teams])
    for department in departments:
        mine = [t for t in teams if t.kind == department]
        people = [(tid, uid) for tid, uid in duty if tid in {t.pk for t in mine}]
        for tid, uid in people:
            calls.setdefault(uid, Call(uid, ResponderReason.ON_DUTY, tid))
        if people:
            continue
        team = mine[0] if mine else None
        leader = team.leader_id if team is not None else None
        if leader is not None and User.objects.filter(pk=leader, is_active=True).exists():
            calls.setdefault(leader, Call(leader, ResponderReason.TEAM_LEADER, team.pk))  # type: ignore[union-attr]
        else:
            leader = None
        gaps.append(RosterGap(department, team.pk if team else None, leader))
    return list(calls.values()), gaps


def _department_name(kind: str) -> str:
    from propdesk.community.models import TeamKind

    return str(TeamKind(kind).label) if kind in TeamKind.values else kind


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
) -> Emergency:
    """Log an emergency at the front desk (EM-1): the kind and where (a location or a household)
    are all it needs. Opens the work order (a complaint of type emergency, taken by the office
    head), calls the office head(s) and the on-duty staff of every department the kind calls
    (roster at ``now``), writes a notification per person (kind ``emergency``: every channel),
    starts each responder's 5-minute clock (EM-2) and warns the office head of a roster gap.

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
    if caller_phone.strip():
        try:
            parse_phone(caller_phone)
        except InvalidPhone as exc:
            errors["caller_phone"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    assert spec is not None
    description = (description or "").strip()
    order = work_order_create(
        community=community,
        by=by,
        now=now,
        draft=WorkOrderDraft(
            kind=OrderKind.COMPLAINT,
            complaint_type=ComplaintType.EMERGENCY,
            description=description or f"{spec.title}：{location}",
            household=household,
            location=location[:200],
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
            tell_assignee=False,  # the emergency's own call tells the head, on every channel
        )
    emergency = Emergency.objects.create(
        community=community,
        order=order,
        kind=kind,
        kind_title=spec.title,
        location=location[:200],
        description=description,
        household=household,
        caller_name=caller_name.strip()[:50],
        caller_phone=caller_phone.strip()[:20],
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


@dataclass
class RepeatReport:
    examined: int = 0
    repeats: int = 0
    widened: int = 0


def _deputies(responder: Responder, now: datetime, policy: EmergencyPolicy) -> list[int]:
    """Who stands in for an unacknowledged responder: for a department's responder, its team
    leader, its other on-duty staff and the office head(s); for an office head, the other office
    heads and the roles the policy names."""
    emergency = responder.emergency
    cid = emergency.community_id
    out: list[int] = []
    if responder.team_id is not None:
        leader = Team.objects.filter(pk=responder.team_id).values_list("leader_id", flat=True)
        out += [uid for uid in leader if uid is not None]
        out += [uid for _tid, uid in on_duty(cid, now, [responder.team_id])]
        out += office_heads(cid)
    else:
        out += office_heads(cid)
        roles = set(policy.office_head_deputies)
        out += list(
            Membership.objects.filter(
                community_id=cid, role__in=roles - {"leadership"}, user__is_active=True
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        if "leadership" in roles:
            out += list(
                User.objects.filter(
                    is_leadership=True,
                    is_active=True,
                    company_id=emergency.community.company_id,
                )
                .order_by("id")
                .values_list("id", flat=True)
            )
    return [uid for uid in dict.fromkeys(out) if uid != responder.user_id]


def _due(now: datetime, batch_size: int) -> list[Responder]:
    qs = (
        Responder.objects.filter(
            next_repeat_at__lte=now,
            acknowledged_at__isnull=True,
            emergency__state=EmergencyState.OPEN,
        )
        .select_related("emergency__community", "emergency__order")
        .order_by("next_repeat_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:batch_size])


def emergencies_repeat(*, now: datetime, batch_size: int = 200) -> RepeatReport:
    """Repeat the alert to every responder who has not acknowledged after each interval (EM-1:
    every ``repeat_seconds``, policy), once per round: round *n* is due at notified_at + n ×
    interval, and a worker that fell behind sends only the latest round. After
    ``widen_after_rounds`` rounds the deputies are told, once. Each batch is one transaction and
    each round's cause is unique (``emergency:<id>:r<n>:<user>``), so two workers never send a
    round twice."""
    report = RepeatReport()
    while True:
        with transaction.atomic():
            due = _due(now, batch_size)
            if not due:
                return report
            report.examined += len(due)
            for responder in due:
                _repeat_one(responder, now, report)
        if len(due) < batch_size:
            return report


def _repeat_one(responder: Responder, now: datetime, report: RepeatReport) -> None:
    emergency = responder.emergency
    policy = emergency_policy(emergency.community)
    interval = timedelta(seconds=policy.repeat_seconds)
    round_ = max(int((now - responder.notified_at) / interval), responder.rounds + 1)
    responder.rounds = round_
    responder.next_repeat_at = responder.notified_at + interval * (round_ + 1)
    fields = ["rounds", "next_repeat_at"]
    notifications_create(
        community_id=emergency.community_id,
        recipient_ids=[responder.user_id],
        cause=f"emergency:{emergency.pk}:r{round_}:{responder.user_id}",
        kind=EMERGENCY_KIND,
        title=_("Not yet acknowledged (reminder %(round)s): %(alert)s")
        % {"round": round_, "alert": _alert_title(emergency)},
        payload={**_payload(emergency), "round": round_},
        now=now,
    )
    _order_event(
        emergency.order,
        by=None,
        now=now,
        action="responder_repeated",
        user=responder.user_id,
        round=round_,
    )
    report.repeats += 1
    if round_ >= policy.widen_after_rounds and responder.widened_at is None:
        deputies = _deputies(responder, now, policy)
        who = User.objects.filter(pk=responder.user_id).first()
        notifications_create(
            community_id=emergency.community_id,
            recipient_ids=deputies,
            cause=f"emergency:{emergency.pk}:w:{responder.user_id}",
            kind=EMERGENCY_KIND,
            title=_("%(name)s has not acknowledged: %(alert)s")
            % {"name": str(who), "alert": _alert_title(emergency)},
            payload={**_payload(emergency), "unacknowledged": responder.user_id},
            now=now,
        )
        responder.widened_at = now
        fields.append("widened_at")
        _order_event(
            emergency.order,
            by=None,
            now=now,
            action="deputies_notified",
            user=responder.user_id,
            deputies=deputies,
        )
        report.widened += 1
    responder.save(update_fields=fields)
