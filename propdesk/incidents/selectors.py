"""Reads of emergencies and incident reports, scoped to the communities the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from propdesk.clocks.models import Clock
from propdesk.community.models import User
from propdesk.community.selectors import community_ids_visible, user_roles
from propdesk.core.errors import Forbidden, NotFound
from propdesk.desk.models import WorkOrderEvent
from propdesk.incidents.models import (
    Emergency,
    EmergencyState,
    IncidentPhoto,
    IncidentReport,
    ReportState,
    Responder,
)
from propdesk.policy.workflow import OFFICE_ROLES, Role

EMERGENCY_RULE = "EM-2"


def emergencies_visible(user: User) -> QuerySet[Emergency]:
    """Every emergency of the communities the user may see (an emergency concerns the whole
    office of its community), and every emergency the user was called to, even from a roster
    of a community where they hold no role: whoever is called sees the alert."""
    qs = Emergency.objects.select_related("community", "order", "household", "reported_by")
    ids = community_ids_visible(user)
    if ids is None:
        return qs
    if not user.is_authenticated:
        return qs.none()
    called = Responder.objects.filter(user_id=user.pk).values("emergency_id")
    return qs.filter(Q(community_id__in=ids) | Q(pk__in=called))


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


def emergency_id_of_order(order_id: int) -> int | None:
    """The id of the emergency whose work order is ``order_id`` (None: not an emergency's)."""
    return Emergency.objects.filter(order_id=order_id).values_list("id", flat=True).first()


def may_open_emergency(user: User, emergency: Emergency) -> bool:
    """Who opens an emergency's page (``emergency`` from access_emergency): each person called
    to it, the office staff of its community (front desk, administrators, office head) and
    company leadership. A team member who was not called sees the alert, not the page."""
    if user_roles(user, emergency.community_id) & (OFFICE_ROLES | {Role.LEADERSHIP}):
        return True
    return any(r.user_id == user.pk for r in emergency.responders.all())


def emergencies_openable(user: User, emergency_ids: list[int]) -> set[int]:
    """Which of ``emergency_ids`` (visible to ``user``) the user may open the page of, as
    may_open_emergency decides, in at most two queries."""
    if not emergency_ids:
        return set()
    rows = list(Emergency.objects.filter(pk__in=emergency_ids).values_list("id", "community_id"))
    out = {
        eid
        for eid, cid in rows
        if user.is_leadership or user_roles(user, cid) & (OFFICE_ROLES | {Role.LEADERSHIP})
    }
    rest = [eid for eid, _cid in rows if eid not in out]
    if rest:
        out |= set(
            Responder.objects.filter(user_id=user.pk, emergency_id__in=rest).values_list(
                "emergency_id", flat=True
            )
        )
    return out


def may_resolve_emergency(user: User, emergency: Emergency) -> bool:
    """Whether the page offers ``user`` 处置完毕: the office head of its community (the one who
    takes the emergency's order), while it is open."""
    return emergency.state == EmergencyState.OPEN and Role.OFFICE_HEAD in user_roles(
        user, emergency.community_id
    )


def emergency_of_order(user: User, order_id: int) -> Emergency | None:
    """The emergency a work order belongs to, if ``user`` may open its page; None otherwise
    (not an emergency's order, or not for this user). Two queries at most."""
    emergency = (
        emergencies_visible(user).filter(order_id=order_id).prefetch_related(_responders()).first()
    )
    if emergency is None or not may_open_emergency(user, emergency):
        return None
    return emergency


# What a person reads of each responder on the emergency page.
CALLED, ACKNOWLEDGED, ARRIVED, LATE = "called", "acknowledged", "arrived", "late"


@dataclass(frozen=True)
class ResponderLine:
    """One person called, as the emergency page shows them at ``now``.

    ``status``: ``called`` (told, not yet acknowledged), ``acknowledged``, ``arrived`` (on site)
    or ``late`` (not on site and their EM-2 deadline has passed, whether or not the sweeper has
    breached the clock yet). ``late`` is also true of an arrival after the deadline. ``clock``
    is their EM-2 clock, shown counting down while it runs."""

    responder: Responder
    status: str
    late: bool
    clock: Clock | None

    @property
    def counting(self) -> bool:
        return (
            self.clock is not None
            and self.status != ARRIVED
            and self.clock.state
            in (
                "running",
                "breached",
            )
        )


def responder_lines(emergency: Emergency, now: datetime) -> list[ResponderLine]:
    """Each responder of ``emergency`` (from access_emergency: responders and clocks are
    prefetched, so no further query) with their state at ``now``, in the order they were
    called (the office head first)."""
    out: list[ResponderLine] = []
    for r in emergency.responders.all():
        clock = responder_clock(emergency, r.user_id)
        overdue = clock is not None and (
            clock.state == "breached" or (clock.state == "running" and clock.due_at <= now)
        )
        if r.arrived_at is not None:
            status = ARRIVED
        elif overdue:
            status = LATE
        elif r.acknowledged_at is not None:
            status = ACKNOWLEDGED
        else:
            status = CALLED
        out.append(ResponderLine(responder=r, status=status, late=overdue, clock=clock))
    return out


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
    """The incident report of an emergency the user may see and whose report they may read
    (may_read_report: the office of its community and company leadership). NotFound if the
    emergency is hidden or missing, or has no report yet; Forbidden for anyone else who sees
    the emergency (a team member called to the scene, a concierge)."""
    emergency = access_emergency(user, emergency_id)
    try:
        report = (
            IncidentReport.objects.select_related("emergency")
            .prefetch_related("approvals__by", "photos")
            .get(emergency=emergency)
        )
    except IncidentReport.DoesNotExist as exc:
        raise NotFound(_("This emergency has no incident report yet.")) from exc
    if not may_read_report(user, report):
        raise Forbidden(_("Only the office and company leadership read incident reports."))
    return report


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


def readable_report(user: User, emergency: Emergency) -> IncidentReport | None:
    """The emergency's incident report if there is one yet and ``user`` may read it."""
    report = IncidentReport.objects.filter(emergency=emergency).first()
    if report is None or not may_read_report(user, report):
        return None
    return report


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
        "resolved": _("Handled"),  # 处置完毕 (GLOSSARY), not a work order's 处理完成
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
