"""Reads of emergencies and incident reports, scoped to the communities the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from propdesk.clocks.models import Clock
from propdesk.community.models import User
from propdesk.community.selectors import scope, user_roles
from propdesk.core.errors import NotFound
from propdesk.desk.models import WorkOrderEvent
from propdesk.incidents.models import (
    Emergency,
    IncidentPhoto,
    IncidentReport,
    ReportState,
    Responder,
)
from propdesk.policy.workflow import OFFICE_ROLES

EMERGENCY_RULE = "EM-2"


def emergencies_visible(user: User) -> QuerySet[Emergency]:
    """Every emergency of the communities the user may see: an emergency concerns the whole
    office of its community."""
    return scope(
        Emergency.objects.select_related("community", "order", "household", "reported_by"), user
    )


def emergency_list(
    user: User, *, community_id: int | None = None, open_only: bool = False
) -> QuerySet[Emergency]:
    qs = emergencies_visible(user)
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if open_only:
        qs = qs.filter(state="open")
    return qs.prefetch_related(_responders(), _clocks()).order_by("-reported_at", "-id")


def _responders() -> Prefetch[Any]:
    return Prefetch(
        "responders",
        queryset=Responder.objects.select_related("user", "team").order_by("id"),
    )


def _clocks() -> Prefetch[Any]:
    return Prefetch(
        "order__clocks",
        queryset=Clock.objects.filter(rule_id=EMERGENCY_RULE).order_by("id"),
        to_attr="responder_clocks",
    )


def access_emergency(user: User, emergency_id: int | str) -> Emergency:
    """One emergency the user may see, with its responders and their EM-2 clocks; NotFound
    otherwise (hidden and missing look the same)."""
    try:
        return (
            emergencies_visible(user)
            .prefetch_related(_responders(), _clocks())
            .get(pk=int(emergency_id))
        )
    except (Emergency.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("Emergency not found")) from exc


def responder_clock(emergency: Emergency, user_id: int) -> Clock | None:
    """The responder's EM-2 clock; ``emergency`` comes from access_emergency/emergency_list."""
    clocks = getattr(emergency.order, "responder_clocks", None)
    if clocks is None:
        clocks = list(Clock.objects.filter(order_id=emergency.order_id, rule_id=EMERGENCY_RULE))
    return next((c for c in clocks if c.subject == str(user_id)), None)


def seconds_left(clock: Clock | None, now: datetime) -> int | None:
    """Whole seconds until a running clock's deadline (negative once past); None otherwise."""
    if clock is None or clock.state != "running":
        return None
    return int((clock.due_at - now).total_seconds())


def access_report(user: User, emergency_id: int | str) -> IncidentReport:
    """The incident report of an emergency the user may see; NotFound if there is none yet."""
    emergency = access_emergency(user, emergency_id)
    try:
        return (
            IncidentReport.objects.select_related("emergency")
            .prefetch_related("approvals__by", "photos")
            .get(emergency=emergency)
        )
    except IncidentReport.DoesNotExist as exc:
        raise NotFound(_("This emergency has no incident report yet.")) from exc


def may_read_report(user: User, report: IncidentReport) -> bool:
    """The office of the emergency's community and company leadership read its report; a
    team member who was called to the scene does not."""
    community_id = report.emergency.community_id
    return bool(user.is_leadership or user_roles(user, community_id) & OFFICE_ROLES)


def access_incident_photo(user: User, photo_id: int | str) -> IncidentPhoto:
    """A photo of an incident report the user may read (may_read_report); NotFound otherwise."""
    try:
        photo = IncidentPhoto.objects.select_related("report__emergency").get(
            pk=int(photo_id), report__emergency__in=emergencies_visible(user).values("pk")
        )
    except (IncidentPhoto.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound(_("Photo not found")) from exc
    if not may_read_report(user, photo.report):
        raise NotFound(_("Photo not found"))
    return photo


def incident_reports_for(user: User, *, limit: int = 200) -> list[IncidentReport]:
    """The reports ``user`` may read, newest first, the ones waiting for them on top: submitted
    ones for leadership (to approve), drafts and returned ones for the office (to complete)."""
    rows = [
        r
        for r in IncidentReport.objects.filter(emergency__in=emergencies_visible(user))
        .select_related("emergency__community", "emergency__order")
        .order_by("-created_at")[:limit]
        if may_read_report(user, r)
    ]
    waiting = (
        {ReportState.SUBMITTED} if user.is_leadership else {ReportState.DRAFT, ReportState.RETURNED}
    )
    rows.sort(key=lambda r: (r.state not in waiting, -r.pk))
    return rows


# --- the timeline of the report ------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    what: str  # a stable code: reported, notified, repeated, deputies, acknowledged, ...
    title: str  # in the user's language
    person: str  # whom it concerns ("" for the office as a whole)
    note: str


_WHAT = {
    "emergency_logged": "reported",
    "responder_notified": "notified",
    "roster_gap": "roster_gap",
    "responder_repeated": "repeated",
    "deputies_notified": "deputies",
    "acknowledged": "acknowledged",
    "responder_arrived": "arrived",
    "emergency_resolved": "resolved",
}


def _labels() -> dict[str, str]:
    return {
        "reported": _("Emergency reported"),
        "notified": _("Notified"),
        "roster_gap": _("Roster gap"),
        "repeated": _("Reminder sent"),
        "deputies": _("Deputies notified"),
        "acknowledged": _("Acknowledged"),
        "arrived": _("Arrived on site"),
        "resolved": _("Resolved"),
    }


def report_timeline(emergency: Emergency) -> list[TimelineEntry]:
    """The emergency's story for the report (EM-3), read from its work order's events: reported,
    each notification and reminder, each acknowledgement and arrival, resolved. Oldest first;
    two queries."""
    events = list(
        WorkOrderEvent.objects.filter(order_id=emergency.order_id, action__in=list(_WHAT))
        .select_related("actor")
        .order_by("at", "id")
    )
    ids = {e.data.get("user") for e in events} | {
        uid for e in events for uid in e.data.get("deputies", [])
    }
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[i for i in ids if i])}
    labels = _labels()
    out: list[TimelineEntry] = []
    for e in events:
        what = _WHAT[e.action]
        uid = e.data.get("user")
        person = names.get(uid, "") if uid else (str(e.actor) if e.actor else "")
        note = e.note
        if what == "repeated":
            note = _("reminder %(round)s") % {"round": e.data.get("round")}
        elif what == "deputies":
            note = "、".join(names.get(d, str(d)) for d in e.data.get("deputies", []))
        out.append(TimelineEntry(at=e.at, what=what, title=labels[what], person=person, note=note))
    return out
