"""Work orders: open one (routed to its team by policy, the people who must act told), attach a
file. Actions on an order are in transitions.py."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import ClockPlan, Written, clocks_plan
from propdesk.community.models import Community, Household, Place, User
from propdesk.community.selectors import user_roles, user_team_ids
from propdesk.core.bulk import create_many
from propdesk.core.errors import Forbidden
from propdesk.core.uploads import (
    PHOTO_OR_PDF_TYPES,
    atomic_storing_files,
    stored_file_save,
    upload_check,
)
from propdesk.desk.models import (
    Attachment,
    ComplaintType,
    Contact,
    OrderKind,
    ServiceItem,
    WorkOrder,
)
from propdesk.desk.services._common import (
    _next_number,
    _normalise_phone,
    _number_order,
    _require_office_role,
    _route_team,
    order_event_write,
)
from propdesk.desk.services.appointments import appoint_write, appointment_errors
from propdesk.desk.services.telling import (
    for_the_head,
    tell_about_order,
    tell_head,
    tell_routed,
)
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import (
    OFFICE_ROLES,
    TEAM_ROLES,
    State,
)

# --- work orders --------------------------------------------------------------------------------

# The kinds' and complaint types' values, read once (``Choices.values`` is built on each read).
KINDS = frozenset(OrderKind.values)
COMPLAINT_TYPES = frozenset(ComplaintType.values)


@dataclass
class WorkOrderDraft:
    """What the front desk fills in for a new work order."""

    kind: str
    description: str
    complaint_type: str = ""
    is_important: bool = False
    is_long_running: bool = False
    is_construction_legacy: bool = False
    household: Household | None = None
    location: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    service_item: ServiceItem | None = None
    appointment_at: datetime | None = None  # 预约上门时间: aware, not in the past
    place: Place | None = None  # the sticker place it was reported at; its label is the location
    is_urgent: bool = False  # 急修 (a repair only): its arrival clock DS-1-arrival


def _validate_draft(
    community: Community, d: WorkOrderDraft, now: datetime | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if d.appointment_at is not None and now is not None:
        problems = appointment_errors(d.appointment_at, now=now)
        if problems:
            errors["appointment_at"] = problems
    if d.is_urgent and d.kind != OrderKind.REPAIR:
        errors["is_urgent"] = [_("Only a repair can be marked urgent.")]
    if d.kind not in KINDS:
        errors["kind"] = [_("Choose a kind of work order.")]
    if d.kind == OrderKind.COMPLAINT:
        if not d.complaint_type:
            d.complaint_type = ComplaintType.GENERAL
        elif d.complaint_type not in COMPLAINT_TYPES:
            errors["complaint_type"] = [_("Unknown complaint type.")]
    elif d.complaint_type:
        errors["complaint_type"] = [_("Only a complaint has a complaint type.")]
    if not (d.description or "").strip():
        errors["description"] = [_("Describe the problem.")]
    if d.household is not None and d.household.community_id != community.pk:
        errors["household"] = [_("This household is not in the community.")]
    if d.service_item is not None:
        if d.service_item.company_id != community.company_id or not d.service_item.active:
            errors["service_item"] = [_("This service item is not in the catalogue.")]
        elif d.service_item.kind != d.kind:
            errors["service_item"] = [_("This service item is for another kind of work order.")]
    if d.place is not None:
        if d.place.community_id != community.pk or not d.place.active:
            errors["place"] = [_("This place is not one of the community's active places.")]
        elif not d.location.strip():
            d.location = d.place.name
    if not d.household and not d.location.strip():
        errors["location"] = [
            _(
                "Write the room number (e.g. 4-1-901), or where it is (e.g. the lobby of building "
                "3)."
            )
        ]
    return errors


@dataclass
class _OrderPlan:
    """A new order decided before its transaction (``_plan_order``): the order, not yet saved,
    and what the clock engine will start for it."""

    community: Community
    order: WorkOrder
    clocks: ClockPlan


def _plan_order(
    community: Community, d: WorkOrderDraft, *, by: User | None, now: datetime
) -> _OrderPlan:
    """Route the order, build it and decide its clocks, writing nothing: the reads and the
    engine's work a create can do before its transaction, so that on SQLite the one write lock
    is held for the writes only (``_write_order``)."""
    team = _route_team(community, d.kind, d.service_item)
    # Repairs and housekeeping go straight to their team's pool (policy: dispatch.direct).
    direct = team is not None and d.kind in load_policy(community.policy).dispatch.direct
    order = WorkOrder(
        community=community,
        # Numbered in its transaction (_write_order). On PostgreSQL last: the day's counter row
        # is locked from its UPDATE to the commit, so every create of the community waits on it
        # (seen in pg_stat_activity under load); taken at the end, it is held for two
        # statements instead of the whole create.
        number=f"~{uuid4().hex[:24]}",
        kind=d.kind,
        complaint_type=d.complaint_type,
        is_important=d.is_important,
        is_long_running=d.is_long_running,
        is_construction_legacy=d.is_construction_legacy,
        is_urgent=d.is_urgent,
        household=d.household,
        location=d.location.strip(),
        place=d.place,
        description=d.description.strip(),
        reporter_name=d.reporter_name.strip(),
        reporter_phone=d.reporter_phone,
        appointment_at=d.appointment_at,
        service_item=d.service_item,
        team=team,
        state=State.DISPATCHED if direct else State.NEW,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    clocks = clocks_plan(
        community=community,
        event="create",
        at=now,
        actor=by,
        actor_roles=user_roles(by, community.pk) if by is not None else (),
        order=order,
        new=True,
    )
    return _OrderPlan(community, order, clocks)


def _write_order(
    plan: _OrderPlan,
    *,
    by: User | None,
    now: datetime,
    contact: Contact | None,
    event_data: dict[str, object] | None = None,
) -> WorkOrder:
    """Write a planned order (``_plan_order``) with its clocks, its first event and its number,
    and tell who must act. Inside the caller's transaction; ``contact``, when given, is saved."""
    order, community = plan.order, plan.community
    order.contact = contact
    # SQLite: the transaction holds the one write lock from BEGIN whatever it does, so the
    # number is taken first and written with the order (one UPDATE less). PostgreSQL takes it
    # last: the day's counter row stays locked from its UPDATE to the commit, and every other
    # create of the community waits for it meanwhile.
    number_first = connection.vendor == "sqlite"
    if number_first:
        order.number = _next_number(community, now)
    create_many([order])  # order.save(force_insert=True), lean (core.bulk)
    clocks = Written()
    plan.clocks.write(clocks)
    event = order_event_write(
        order,
        by=by,
        now=now,
        action="create",
        to_state=order.state,
        data={
            "team": order.team_id,
            "kind": order.kind,
            "contact": contact.pk if contact else None,
            **(event_data or {}),
        },
    )
    created = [event]
    if order.appointment_at is not None:
        # Issue 16: the agreed time is its own event (DS-1-appointment starts from it).
        created.append(
            appoint_write(
                order,
                by=by,
                now=now,
                previous=None,
                source="portal" if by is None else "intake",
            )
        )
    if not number_first:
        _number_order(order, community, now)
    _tell_on_create(order, by=by, now=now)
    # The new order's events and clocks, for its first answer (desk.selectors.created_work_order).
    order._created_event = event  # type: ignore[attr-defined]
    order._created_events = created  # type: ignore[attr-defined]
    order._created_clocks = clocks  # type: ignore[attr-defined]
    return order


def _tell_on_create(order: WorkOrder, *, by: User | None, now: datetime) -> None:
    """Who hears of a new order at once: a complaint's administrators on duty (CP-1), the head
    for a written, important or attitude complaint (CP-3 … CP-5); an order that went straight to
    its team, the leader and the members on duty (DS-1); a suggestion nobody has, the
    administrators on duty. An emergency calls its own people."""
    exclude = [by.pk] if by is not None else []
    if order.kind == OrderKind.COMPLAINT:
        if order.complaint_type == ComplaintType.EMERGENCY:
            return
        tell_about_order(
            "complaint_created",
            order=order,
            now=now,
            cause=f"complaint-new:{order.pk}",
            title=_("New complaint %(number)s: %(text)s")
            % {"number": order.number, "text": order.description[:60]},
            exclude=exclude,
        )
        if for_the_head(order):
            tell_head(order, now=now)
    elif order.state == State.DISPATCHED:
        tell_routed(order, now=now, cause=f"order-routed:{order.pk}", exclude=exclude)
    elif order.kind == OrderKind.SUGGESTION and order.assignee_id is None:
        # A suggestion nobody has yet (a resident's from the portal; the desk's own that it did
        # not 派单 at once): the administrators on duty hear of it, and it waits in their
        # 我的待办 (queues.suggestions_to_take) until one takes it.
        tell_about_order(
            "suggestion_created",
            order=order,
            now=now,
            cause=f"suggestion-new:{order.pk}",
            title=_("New suggestion %(number)s: %(text)s")
            % {"number": order.number, "text": order.description[:60]},
            exclude=exclude,
        )


def work_order_create(
    *, community: Community, by: User, now: datetime, draft: WorkOrderDraft
) -> WorkOrder:
    """Open a numbered work order routed to its team by policy (FD-6, DS-1).

    ``now`` is aware. Raises Forbidden for users without an office role in ``community``,
    ValidationError with field messages for bad input; nothing is written then. The checks, the
    route and the clocks' decision come before the transaction, which holds only the writes.
    """
    _require_office_role(by, community)
    draft = replace(draft)  # validation fills defaults; the caller's draft stays as given
    errors = _validate_draft(community, draft, now)
    draft.reporter_phone, _ext = _normalise_phone(
        draft.reporter_phone, "reporter_phone", errors, community.area_code
    )  # as stored (_plan_order)
    if errors:
        raise ValidationError(errors)
    plan = _plan_order(community, draft, by=by, now=now)
    with transaction.atomic():
        return _write_order(plan, by=by, now=now, contact=None)


FLAGS = ("is_important", "is_long_running", "is_construction_legacy")


@atomic_storing_files()
def work_order_attach(
    *, order_id: int, by: User, now: datetime, upload: UploadedFile[bytes], kind: str = "photo"
) -> Attachment:
    """Attach a photo (JPEG, PNG, WebP) or a scanned letter (PDF) to an order.

    The type is read from the file's content; the size limit is settings.ATTACHMENT_MAX_BYTES;
    photos are re-encoded and the stored name is made by core.uploads (never the user's).
    """
    order = WorkOrder.objects.select_related("community").get(pk=order_id)
    roles = user_roles(by, order.community_id)
    on_team = order.assignee_id == by.pk or order.team_id in user_team_ids(by)
    if not (roles & OFFICE_ROLES or (roles & TEAM_ROLES and on_team)):
        raise Forbidden(_("Only staff working on this order may attach files."))
    errors: dict[str, list[str]] = {}
    if kind not in Attachment.Kind.values:
        errors["kind"] = [_("Unknown attachment kind.")]
    checked, problems = upload_check(upload, PHOTO_OR_PDF_TYPES)
    if problems:
        errors["file"] = problems
    if errors or checked is None:
        raise ValidationError(errors)
    attachment = Attachment(
        order=order,
        kind=kind,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
        uploaded_at=now,
    )
    stored_file_save(attachment.file, checked)  # deleted again if this rolls back
    attachment.save(force_insert=True)
    order_event_write(
        order,
        by=by,
        now=now,
        action="attach",
        note=attachment.original_name,
        data={"attachment": attachment.pk, "kind": kind},
    )
    return attachment
