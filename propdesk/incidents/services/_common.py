"""What the emergency services share: the notification kinds, the policy, the alert's words and
payload, and who an emergency calls (EM-1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from propdesk.community.models import Community, Team, User
from propdesk.community.selectors import office_heads, on_duty
from propdesk.desk.models import WorkOrder, WorkOrderEvent
from propdesk.desk.services import (
    order_event_write,
)
from propdesk.incidents.models import (
    Emergency,
    ResponderReason,
)
from propdesk.policy.rules import EmergencyPolicy, load_policy

EMERGENCY_KIND = "emergency"  # the notification kind: every channel a person has (EM-1)
ROSTER_GAP_KIND = "roster_gap"


def emergency_policy(community: Community) -> EmergencyPolicy:
    return load_policy(community.policy).emergencies


def _order_event(
    order: WorkOrder, *, by: User | None, now: datetime, action: str, note: str = "", **data: Any
) -> WorkOrderEvent:
    """An event on the emergency's work order; its state does not change."""
    return order_event_write(order, by=by, now=now, action=action, note=note, data=data)


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
