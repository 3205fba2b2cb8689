"""Reads of contacts and work orders, scoped by community and by role.

Office roles (receptionist, administrator, office head) and leadership see every order of their
communities; a user who is only on a team there sees that team's orders and orders assigned to
them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from propdesk.clocks.models import Clock, ClockLog
from propdesk.clocks.services import Written
from propdesk.community.access import (
    community_ids_visible,
    community_ids_with_roles,
    may_call_order_owner,
    may_call_owners,
    scope,
    user_roles,
    user_team_ids,
)
from propdesk.community.models import Membership, Place, User
from propdesk.core.errors import NotFound
from propdesk.desk.models import (
    Attachment,
    Channel,
    Contact,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
)
from propdesk.policy.phones import Phone, mask_phone
from propdesk.policy.workflow import OFFICE_ROLES, OPEN_STATES, Role

# The office and company leadership see every order and contact of their communities.
FULL_VIEW_ROLES = OFFICE_ROLES | {Role.LEADERSHIP}


def _order_visibility(user: User) -> Q | None:
    """The filter for orders ``user`` may see; ``None`` means no limit (superuser)."""
    ids = community_ids_visible(user)
    if ids is None:
        return None
    full = community_ids_with_roles(user, FULL_VIEW_ROLES) or []
    partial = [cid for cid in ids if cid not in full]
    cond = Q(community_id__in=full)
    if partial:
        teams = user_team_ids(user)
        cond |= Q(community_id__in=partial) & (Q(team_id__in=teams) | Q(assignee_id=user.pk))
    return cond


def order_visible_to(user: User, order: WorkOrder) -> bool:
    """Whether ``user`` may see ``order``: the same rule as ``work_orders_visible``, decided in
    memory from the user's roles and teams (``community.access.preload_access`` loads them for
    many users at once)."""
    ids = community_ids_visible(user)
    if ids is None:
        return True
    if order.community_id not in ids:
        return False
    if user_roles(user, order.community_id) & FULL_VIEW_ROLES:
        return True
    return order.team_id in user_team_ids(user) or order.assignee_id == user.pk


def work_orders_visible(user: User) -> QuerySet[WorkOrder]:
    cond = _order_visibility(user)
    qs = WorkOrder.objects.all()
    return qs if cond is None else qs.filter(cond)


@dataclass(frozen=True)
class OrderFilters:
    community_id: int | None = None
    state: list[str] | None = None
    open_only: bool = False
    kind: str | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    building_id: int | None = None
    household_id: int | None = None


def work_order_list(user: User, filters: OrderFilters | None = None) -> QuerySet[WorkOrder]:
    """Orders for lists and boards, newest first, with what a row shows joined in one query."""
    f = filters or OrderFilters()
    # Join only what a row shows: on PostgreSQL every extra join costs planning time.
    qs = work_orders_visible(user).select_related("household", "team", "assignee")
    if f.community_id is not None:
        qs = qs.filter(community_id=f.community_id)
    return qs.filter(order_conditions(f)).order_by("-created_at", "-id")


def order_conditions(f: OrderFilters) -> Q:
    """``f``'s conditions on an order but its community (state, kind, team,
    assignee, building, household), as one condition: all of them, or none for no filter."""
    q = Q()
    if f.open_only:
        q &= Q(state__in=[s.value for s in OPEN_STATES])
    if f.state:
        q &= Q(state__in=f.state)
    if f.kind:
        q &= Q(kind=f.kind)
    if f.team_id is not None:
        q &= Q(team_id=f.team_id)
    if f.assignee_id is not None:
        q &= Q(assignee_id=f.assignee_id)
    if f.building_id is not None:
        q &= Q(household__unit__building_id=f.building_id)
    if f.household_id is not None:
        q &= Q(household_id=f.household_id)
    return q


def place_open_orders(user: User, place: Place) -> QuerySet[WorkOrder]:
    """The open orders at ``place`` (a sticker place) that ``user`` may see, newest first: what a
    staff member who scans the place's sticker is shown."""
    f = OrderFilters(community_id=place.community_id, open_only=True)
    return work_order_list(user, f).filter(place_id=place.pk)


def open_orders_by_place(user: User, community_id: int) -> dict[int, int]:
    """Place id → how many open orders ``user`` may see there, for one community (one query)."""
    rows = (
        work_orders_visible(user)
        .filter(
            community_id=community_id,
            place__isnull=False,
            state__in=[s.value for s in OPEN_STATES],
        )
        .values("place_id")
        .annotate(n=Count("id"))
        .values_list("place_id", "n")
    )
    return dict(rows)


def _order_clocks() -> QuerySet[Clock]:
    """An order's clocks for its page, with the fingerprint of the policy each started under:
    what it counts (team hours)."""
    return Clock.objects.select_related("policy_version").defer("policy_version__content")


def access_work_order(user: User, order_id: int | str) -> WorkOrder:
    """One order the user may see, with its timeline and attachments; NotFound otherwise."""
    events = Prefetch(
        "events", queryset=WorkOrderEvent.objects.select_related("actor").order_by("at", "id")
    )
    clocks = Prefetch("clocks", queryset=_order_clocks())
    # Join what every order has; the service item and the place (most orders have neither) come
    # by prefetch, which reads nothing when they are empty. On PostgreSQL each extra join costs
    # planning time on every read, far more than the read itself: at 1,000,000 orders the
    # 8-table join planned in ~2-4 ms, the 6-table one in ~0.5 ms, executed in 0.3 ms.
    try:
        return (
            work_orders_visible(user)
            .select_related("community", "household", "team", "assignee", "created_by")
            .prefetch_related("service_item", "place", events, "attachments", clocks)
            .get(pk=int(order_id))
        )
    except (WorkOrder.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Work order not found") from exc


def created_work_order(user: User, order: WorkOrder) -> WorkOrder:
    """The order ``user`` has just created (desk.services.work_order_create), ready for its
    page as access_work_order would give it, without reading it back: its event and attachments
    came from the create, its related rows were set on it, its clocks and their log lines
    (work_order_timeline) are the rows the create wrote. An order opened with an agreed time has
    had its clocks moved by that second event: those are read. A user who could not see it
    (never the case for the office roles that create) gets NotFound."""
    if not order_visible_to(user, order):
        raise NotFound("Work order not found")
    event: WorkOrderEvent | None = getattr(order, "_created_event", None)
    if event is None:
        return access_work_order(user, order.pk)
    # Its events: the opening, and the agreed time given with it (issue 16).
    events: list[WorkOrderEvent] = getattr(order, "_created_events", None) or [event]
    for e in events:
        e.actor = user if e.actor_id == user.pk else e.actor
    _prefetched(order, "events", events)
    _prefetched(order, "attachments", [])
    written: Written | None = getattr(order, "_created_clocks", None)
    if written is None or len(events) > 1:
        _prefetched(order, "clocks", list(_order_clocks().filter(order=order)))
    else:
        # As stored: Clock.Meta.ordering, and the log in the order written (``at``, then id).
        _prefetched(order, "clocks", sorted(written.started, key=lambda c: (c.due_at, c.pk)))
        order._clock_log = sorted(written.logs, key=lambda e: e.at)  # type: ignore[attr-defined]
    return order


def _prefetched(order: WorkOrder, name: str, rows: list[Any]) -> None:
    """Put ``rows`` where prefetch_related would have put them (Django's own way)."""
    qs = getattr(order, name).all()
    qs._result_cache = rows
    qs._prefetch_done = True
    order.__dict__.setdefault("_prefetched_objects_cache", {})[name] = qs


@dataclass(frozen=True)
class Reporter:
    """Who reported an order, as ``user`` may read it: the whole phone for the roles that call
    owners (community.access.may_call_owners), and on the order's own page for its assignee
    doing it (``order_reporter_to_call``); for anyone else who sees the order (its team, its
    assignee elsewhere or before or after, company leadership) the name and a masked phone
    (138****1234), enough to knock on the right door."""

    name: str
    phone: str
    phone_display: str
    masked: bool


def _reporter(order: WorkOrder, *, whole: bool) -> Reporter:
    if whole:
        display = Phone(order.reporter_phone, "").display() if order.reporter_phone else ""
        return Reporter(order.reporter_name, order.reporter_phone, display, masked=False)
    masked = mask_phone(order.reporter_phone)
    return Reporter(order.reporter_name, masked, masked, masked=True)


def order_reporter(user: User, order: WorkOrder) -> Reporter:
    """The reporter of ``order`` (an order from access_work_order) as ``user`` may read it
    anywhere but the order's own page: its printed form and PDF (whole for the roles that call
    owners only: ``phone_as_seen``'s rule)."""
    return _reporter(order, whole=may_call_owners(user, order.community_id))


def order_reporter_to_call(user: User, order: WorkOrder) -> Reporter:
    """The reporter of ``order`` as ``user`` reads it on the order's own page (the console's and
    the phone job page) and in the API's detail of it: also whole for the order's assignee while
    they are doing it (community.access.may_call_order_owner), to call ahead."""
    return _reporter(order, whole=may_call_order_owner(user, order))


def access_attachment(user: User, attachment_id: int | str) -> Attachment:
    """One attachment of an order the user may see; NotFound otherwise (hidden and missing
    look the same)."""
    try:
        return Attachment.objects.get(
            pk=int(attachment_id), order__in=work_orders_visible(user).values("pk")
        )
    except (Attachment.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound("Attachment not found") from exc


def _resident_actor(event: WorkOrderEvent) -> str | None:
    """A resident's own act in the portal (no staff actor): 业主自助 and the resident's name."""
    name = event.data.get("resident") if isinstance(event.data, dict) else None
    return f"{Channel.RESIDENT.label} {name}" if name else None


def work_order_timeline(order: WorkOrder) -> list[dict[str, Any]]:
    """The order's events and what happened to its clocks (started, met, breached, escalated,
    recomputed), oldest first. ``order`` comes from access_work_order (events prefetched), or
    from created_work_order (its clock log too: the lines the create wrote)."""
    log: list[ClockLog] | None = getattr(order, "_clock_log", None)
    if log is None:
        log = list(ClockLog.objects.filter(order=order).order_by("at", "id"))
    entries: list[dict[str, Any]] = [
        {
            # In UTC, as read from the database (the answer writes it as it is): the 201 of a
            # create, built from the rows it wrote, says the same as the order read back.
            "at": e.at.astimezone(UTC),
            "source": "event",
            "what": e.action,
            "actor": str(e.actor) if e.actor else _resident_actor(e),
            "rule_id": "",
            "note": e.note,
            "data": {**e.data, "from": e.from_state, "to": e.to_state},
        }
        for e in order.events.all()
    ]
    if order.is_emergency:
        entries = _without_emergency_bookkeeping(entries)
    entries += [
        {
            "at": entry.at.astimezone(UTC),
            "source": "clock",
            "what": entry.what,
            "actor": None,
            "rule_id": entry.data.get("rule", ""),
            "note": "",
            "data": entry.data,
        }
        for entry in log
    ]
    entries.sort(key=lambda x: (x["at"], 0 if x["source"] == "event" else 1))
    return entries


def _without_emergency_bookkeeping(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An emergency's order without the steps 处置完毕 takes on the way to resolving it (accepted,
    handled, at the same instant, incidents.emergency_resolve): the emergency has no 接单, and
    处置完毕 already says it was handled; a 已接单 line after it read as someone taking it on."""
    handled = {e["at"] for e in entries if e["what"] == "emergency_resolved"}
    return [e for e in entries if not (e["what"] in {"accept", "resolve"} and e["at"] in handled)]


@dataclass(frozen=True)
class WorkDone:
    """What was done on an order, for the caller to check with the owner on a return visit."""

    kind: str  # the order's kind (a complaint is handled to the end, not completed)
    steps: list[WorkOrderEvent]  # the answers to the owner, the completions, the follow-ups
    materials: str
    fee: Any  # Decimal in yuan, or None when no fee was entered
    photos: list[Attachment]
    done_by: User | None


# The lines of a timeline that say what the owner was told and what was done.
WORK_DONE_ACTIONS = ("reply", "resolve", "follow_up", "contact_owner")


def work_done(order: WorkOrder) -> WorkDone:
    """``order`` comes from access_work_order (events prefetched): its answers, completions and
    follow-ups oldest first, the materials and fee entered, and its photos."""
    steps = [e for e in order.events.all() if e.action in WORK_DONE_ACTIONS]
    resolved = [e for e in steps if e.action == "resolve"]
    return WorkDone(
        kind=order.kind,
        steps=steps,
        materials=order.materials,
        fee=order.fee_charged,
        photos=[a for a in order.attachments.all() if a.kind == Attachment.Kind.PHOTO],
        done_by=resolved[-1].actor if resolved else order.assignee,
    )


def contacts_visible(user: User) -> QuerySet[Contact]:
    """Contacts are the front desk's log: office roles and leadership see them."""
    ids = community_ids_visible(user)
    qs = Contact.objects.select_related("community", "household", "taken_by")
    if ids is None:
        return qs
    return qs.filter(community_id__in=community_ids_with_roles(user, FULL_VIEW_ROLES) or [])


def access_contact(user: User, contact_id: int | str) -> Contact:
    try:
        return contacts_visible(user).prefetch_related("work_orders").get(pk=int(contact_id))
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound("Contact not found") from exc


def created_contact(user: User, contact: Contact) -> Contact:
    """The contact ``user`` has just logged (desk.services.contact_log), as access_contact
    would give it, without reading it back: its community, household and orders opened were set
    on it by the service, and ``user`` took it. A user who could not see it (never the case for
    the office roles that log) gets NotFound, as access_contact would answer."""
    ids = community_ids_visible(user)
    if ids is not None and not user_roles(user, contact.community_id) & FULL_VIEW_ROLES:
        raise NotFound("Contact not found")
    if contact.taken_by_id == user.pk:
        contact.taken_by = user
    return contact


def service_items_visible(user: User) -> QuerySet[ServiceItem]:
    qs = ServiceItem.objects.filter(active=True)
    if user.is_superuser:
        return qs
    return scope(qs, user, "company__communities__id").distinct()


def agitated_visitors(user: User, community_id: int, *, since: datetime) -> list[Contact]:
    """FD-4: the agitated visitors taken to a quiet room since ``since``, newest first, with the
    orders they opened."""
    return list(
        contacts_visible(user)
        .filter(community_id=community_id, owner_agitated=True, received_at__gte=since)
        .prefetch_related("work_orders")
        .order_by("-received_at", "-id")
    )


# --- what a resident reads (issue 13) -----------------------------------------------------------

# A staff member as a resident reads them: a title by role and team, never a phone.
_TEAM_TITLES = {
    # team kind: (leader, member)
    "repair": (_("Repair team leader"), _("Repair technician")),
    "cleaning": (_("Cleaning team leader"), _("Cleaner")),
    "security": (_("Security team leader"), _("Guard")),
}
_ROLE_TITLES = {
    Role.ADMINISTRATOR: _("Customer-service administrator"),
    Role.OFFICE_HEAD: _("Office head"),
    Role.RECEPTIONIST: _("Front desk"),
    Role.CONCIERGE: _("Concierge"),
}


def staff_roles(user_ids: Iterable[int], community_id: int) -> dict[int, frozenset[str]]:
    """The roles in ``community_id`` of each of ``user_ids``, in one query (for lists)."""
    out: dict[int, set[str]] = {uid: set() for uid in user_ids}
    for uid, role in Membership.objects.filter(
        user_id__in=list(out), community_id=community_id
    ).values_list("user_id", "role"):
        out[uid].add(role)
    return {uid: frozenset(roles) for uid, roles in out.items()}


def staff_title(user: User, order: WorkOrder, roles: frozenset[str] | None = None) -> str:
    """What a resident reads for ``user`` working on ``order``: 维修工, 保洁班长, 客服管理员 … by
    their role in the order's community and the order's team; the plain name of their role
    otherwise. Never their phone. ``roles``: the user's roles there, when already read
    (staff_roles)."""
    if roles is None:
        roles = user_roles(user, order.community_id)
    team = order.team
    if team is not None and team.kind in _TEAM_TITLES:
        leader, member = _TEAM_TITLES[team.kind]
        if team.leader_id == user.pk:
            return str(leader)
        if Role.TEAM_MEMBER in roles or Role.TEAM_LEADER in roles:
            return str(member)
    for role, title in _ROLE_TITLES.items():
        if role in roles:
            return str(title)
    return str(_("Staff"))


def resident_orders(household_ids: list[int]) -> QuerySet[WorkOrder]:
    """Every order of these households (the caller's, from portal.access): open ones first,
    newest first within each group. Emergencies are the office's and are left out."""
    return (
        WorkOrder.objects.filter(household_id__in=household_ids)
        .exclude(kind="complaint", complaint_type="emergency")
        .select_related("household", "team", "assignee")
        .annotate(
            is_open=Case(
                When(state__in=[s.value for s in OPEN_STATES], then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_open", "-created_at", "-id")
    )


def access_resident_order(household_ids: list[int], order_id: int | str) -> WorkOrder:
    """One order of these households with its events and photos; NotFound otherwise (another
    household's order and a missing one answer the same)."""
    events = Prefetch(
        "events", queryset=WorkOrderEvent.objects.select_related("actor").order_by("at", "id")
    )
    try:
        return (
            resident_orders(household_ids)
            .select_related("community", "contact")
            .prefetch_related(events, "attachments")
            .get(pk=int(order_id))
        )
    except (WorkOrder.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound("Work order not found") from exc
