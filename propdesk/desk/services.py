"""Writes to contacts and work orders. The one door for every change: views, API, commands,
the demo seed and the simulator all call these functions, and each change writes an event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Community, Household, Membership, Team, User
from propdesk.community.selectors import user_roles, user_team_ids
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import (
    Attachment,
    Channel,
    ComplaintType,
    Contact,
    OrderKind,
    Outcome,
    ReplyChannel,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderSequence,
)
from propdesk.notify.services import notifications_create
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.rooms import InvalidRoom, parse_room
from propdesk.policy.routing import team_kind_for
from propdesk.policy.workflow import (
    OFFICE_ROLES,
    TEAM_ROLES,
    Role,
    State,
    TransitionRefused,
    check_transition,
)

# --- helpers ------------------------------------------------------------------------------------


def _require_office_role(user: User, community: Community) -> frozenset[Role]:
    roles = user_roles(user, community.pk)
    if not roles & OFFICE_ROLES:
        raise Forbidden(_("Only front-desk and office staff of this community may do this."))
    return roles


def _local_day(community: Community, at: datetime) -> datetime:
    return at.astimezone(ZoneInfo(community.time_zone))


def _next_number(community: Community, now: datetime) -> str:
    """PREFIX-YYYYMMDD-NNNN, counted per community and community-local day."""
    day = _local_day(community, now).date()
    counter = WorkOrderSequence.objects.filter(community=community, day=day)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                WorkOrderSequence.objects.create(community=community, day=day, last=1)
        except IntegrityError:  # another request created today's row first
            counter.update(last=F("last") + 1)
    last = counter.values_list("last", flat=True).get()
    return f"{community.order_prefix}-{day:%Y%m%d}-{last:04d}"


def _normalise_phone(value: str, field_name: str, errors: dict[str, list[str]]) -> tuple[str, str]:
    if not value.strip():
        return "", ""
    try:
        phone = parse_phone(value)
    except InvalidPhone as exc:
        errors.setdefault(field_name, []).append(str(exc))
        return "", ""
    return phone.number, phone.extension


def _event(
    order: WorkOrder,
    *,
    by: User | None,
    now: datetime,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict[str, object] | None = None,
) -> WorkOrderEvent:
    return WorkOrderEvent.objects.create(
        order=order,
        community_id=order.community_id,
        at=now,
        actor=by,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


def _route_team(community: Community, kind: str, service_item: ServiceItem | None) -> Team | None:
    team_kind = service_item.team_kind if service_item else team_kind_for(kind, community.policy)
    if not team_kind:
        return None
    return Team.objects.filter(community=community, kind=team_kind).order_by("id").first()


# --- work orders --------------------------------------------------------------------------------


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


def _validate_draft(community: Community, d: WorkOrderDraft) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if d.kind not in OrderKind.values:
        errors["kind"] = [_("Choose a kind of work order.")]
    if d.kind == OrderKind.COMPLAINT:
        if not d.complaint_type:
            d.complaint_type = ComplaintType.GENERAL
        elif d.complaint_type not in ComplaintType.values:
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
    if not d.household and not d.location.strip():
        errors["location"] = [_("Give the household or the location.")]
    return errors


def _create_order(
    community: Community, d: WorkOrderDraft, *, by: User, now: datetime, contact: Contact | None
) -> WorkOrder:
    # Already validated by the caller: a bad number cannot reach this point.
    reporter_phone, _ext = _normalise_phone(d.reporter_phone, "reporter_phone", {})
    order = WorkOrder(
        community=community,
        number=_next_number(community, now),
        kind=d.kind,
        complaint_type=d.complaint_type,
        is_important=d.is_important,
        is_long_running=d.is_long_running,
        is_construction_legacy=d.is_construction_legacy,
        household=d.household,
        location=d.location.strip(),
        description=d.description.strip(),
        reporter_name=d.reporter_name.strip(),
        reporter_phone=reporter_phone,
        contact=contact,
        service_item=d.service_item,
        team=_route_team(community, d.kind, d.service_item),
        state=State.NEW,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    order.save(force_insert=True)
    clocks_on_event(
        community=community,
        event="create",
        at=now,
        actor=by,
        actor_roles=user_roles(by, community.pk),
        order=order,
        new=True,
    )
    _event(
        order,
        by=by,
        now=now,
        action="create",
        to_state=State.NEW,
        data={
            "team": order.team_id,
            "kind": order.kind,
            "contact": contact.pk if contact else None,
        },
    )
    return order


@transaction.atomic
def work_order_create(
    *, community: Community, by: User, now: datetime, draft: WorkOrderDraft
) -> WorkOrder:
    """Open a numbered work order routed to its team by policy (FD-6, DS-1).

    ``now`` is aware. Raises Forbidden for users without an office role in ``community``,
    ValidationError with field messages for bad input; nothing is written then.
    """
    _require_office_role(by, community)
    draft = replace(draft)  # validation fills defaults; the caller's draft stays as given
    errors = _validate_draft(community, draft)
    if draft.reporter_phone.strip():
        _normalise_phone(draft.reporter_phone, "reporter_phone", errors)
    if errors:
        raise ValidationError(errors)
    return _create_order(community, draft, by=by, now=now, contact=None)


def _check_assignee(
    order: WorkOrder, team: Team | None, assignee: User, errors: dict[str, list[str]]
) -> None:
    roles = user_roles(assignee, order.community_id) if assignee.is_active else frozenset()
    if not roles - {Role.LEADERSHIP}:
        errors["assignee"] = [_("This person is not on the staff of the community.")]
        return
    if order.kind == OrderKind.COMPLAINT:
        if not roles & {Role.ADMINISTRATOR, Role.OFFICE_HEAD}:
            errors["assignee"] = [_("A complaint is taken by an administrator or the office head.")]
        return
    if (
        team is not None
        and team.leader_id != assignee.pk
        and assignee.pk not in set(team.members.values_list("id", flat=True))
    ):
        errors["assignee"] = [_("This person is not on the team.")]


@transaction.atomic
def work_order_transition(
    *,
    order_id: int,
    action: str,
    by: User,
    now: datetime,
    version: int,
    note: str = "",
    team: Team | None = None,
    assignee: User | None = None,
    channel: str = "",
    flags: dict[str, bool] | None = None,
) -> WorkOrder:
    """Take one action of the declared state machine (policy.workflow.ACTIONS) on an order.

    ``version`` is the order's version the user saw: if someone changed it since, Conflict
    (code ``stale``) and nothing changes. Raises Forbidden when the user's role may not take the
    action, Conflict (``not_allowed_in_state``) when the order's state does not allow it,
    ValidationError for missing notes or a wrong assignee. ``channel`` is how the owner was
    reached (reply, contact_owner); ``flags`` sets is_important / is_long_running /
    is_construction_legacy (flag). The order's clocks start, are met or cancelled in the same
    transaction (clocks.services.clocks_on_event).
    """
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("community", "team")
        .get(pk=order_id)
    )
    if order.version != version:
        raise Conflict(
            _(
                "Someone else changed this work order (now version %(now)s, you saw %(seen)s). "
                "Reload it and try again."
            )
            % {"now": order.version, "seen": version},
            code="stale",
        )
    on_team = order.assignee_id == by.pk or (
        order.team_id is not None and order.team_id in user_team_ids(by)
    )
    try:
        spec = check_transition(
            action,
            state=State(order.state),
            actor_roles=user_roles(by, order.community_id),
            actor_on_team=on_team,
        )
    except TransitionRefused as exc:
        if exc.code == "role_not_allowed":
            raise Forbidden(
                _("Your role may not do this to the work order."), code=exc.code
            ) from exc
        raise Conflict(
            _("The work order is %(state)s: this action is not possible now.")
            % {"state": order.get_state_display()},
            code=exc.code,
        ) from exc

    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if spec.needs_note and not note:
        errors["note"] = [_("Write the reason or the result.")]
    before = {"team": order.team_id, "assignee": order.assignee_id}
    if spec.needs_assignee:
        if team is not None and team.community_id != order.community_id:
            errors["team"] = [_("This team is not in the community.")]
        chosen_team = team or order.team
        # A complaint is taken by a person (CP-1: an administrator), never by default.
        is_complaint = order.kind == OrderKind.COMPLAINT
        chosen = assignee or (chosen_team.leader if chosen_team and not is_complaint else None)
        if chosen is None:
            errors["assignee"] = [
                _("Choose the administrator who takes this complaint.")
                if is_complaint
                else _("Choose who takes this work order.")
            ]
        elif "team" not in errors:
            _check_assignee(order, chosen_team, chosen, errors)
        if (
            Role.TEAM_LEADER in user_roles(by, order.community_id)
            and not (user_roles(by, order.community_id) & OFFICE_ROLES)
            and chosen_team is not None
            and chosen_team.pk not in user_team_ids(by)
        ):
            raise Forbidden(_("You may assign only within your own team."))
    data: dict[str, object] = {}
    if action in {"reply", "contact_owner"}:
        channel = channel or ReplyChannel.PHONE
        if channel not in ReplyChannel.values:
            errors["channel"] = [_("Choose how the owner was told.")]
        data["channel"] = channel
    changed_flags: dict[str, bool] = {}
    if action == "flag":
        for name, value in (flags or {}).items():
            if name not in FLAGS:
                errors.setdefault("flags", []).append(_("Unknown flag: %s") % name)
            elif getattr(order, name) != bool(value):
                changed_flags[name] = bool(value)
        if not changed_flags and "flags" not in errors:
            errors["flags"] = [_("Nothing to change: the order already has these flags.")]
    if errors:
        raise ValidationError(errors)

    from_state = order.state
    order.state = spec.leads_to(State(order.state))
    fields = ["state", "version", "updated_at"]
    if spec.needs_assignee:
        order.team = chosen_team
        order.assignee = chosen
        fields += ["team", "assignee"]
    if action == "return":
        order.assignee = None
        fields.append("assignee")
    if action == "resolve":
        order.resolved_at = now
        fields.append("resolved_at")
    if action == "close":
        order.closed_at = now
        fields.append("closed_at")
    if action == "reopen":
        order.resolved_at = order.closed_at = None
        fields += ["resolved_at", "closed_at"]
    if changed_flags:
        data["flags"] = changed_flags
        for name, value in changed_flags.items():
            setattr(order, name, value)
        fields += list(changed_flags)
    order.version += 1
    order.updated_at = now
    order.save(update_fields=fields)
    after = {"team": order.team_id, "assignee": order.assignee_id}
    if before != after:
        data.update(before=before, after=after)
    _event(
        order,
        by=by,
        now=now,
        action=action,
        from_state=from_state,
        to_state=order.state,
        note=note,
        data=data,
    )
    clocks_on_event(
        community=order.community,
        event=action,
        at=now,
        actor=by,
        actor_roles=user_roles(by, order.community_id),
        order=order,
        data=data,
    )
    return order


FLAGS = ("is_important", "is_long_running", "is_construction_legacy")


_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heic"),
]


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file by its first bytes (never by its name): photos and scanned letters."""
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    return None


@transaction.atomic
def work_order_attach(
    *, order_id: int, by: User, now: datetime, upload: UploadedFile[bytes], kind: str = "photo"
) -> Attachment:
    """Attach a photo (JPEG, PNG, WebP, HEIC) or a scanned letter (PDF) to an order.

    The type is read from the file's content; the size limit is settings.ATTACHMENT_MAX_BYTES.
    """
    order = WorkOrder.objects.select_related("community").get(pk=order_id)
    roles = user_roles(by, order.community_id)
    on_team = order.assignee_id == by.pk or order.team_id in user_team_ids(by)
    if not (roles & OFFICE_ROLES or (roles & TEAM_ROLES and on_team)):
        raise Forbidden(_("Only staff working on this order may attach files."))
    errors: dict[str, list[str]] = {}
    if kind not in Attachment.Kind.values:
        errors["kind"] = [_("Unknown attachment kind.")]
    if upload.size is None or upload.size > settings.ATTACHMENT_MAX_BYTES:
        errors["file"] = [
            _("The file is larger than %(mb)s MB.")
            % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        ]
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None and "file" not in errors:
        errors["file"] = [_("Only photos (JPEG, PNG, WebP, HEIC) and PDF scans can be attached.")]
    if errors:
        raise ValidationError(errors)
    attachment = Attachment(
        order=order,
        kind=kind,
        original_name=(upload.name or "file")[:200],
        content_type=content_type or "",
        size=upload.size or 0,
        uploaded_by=by,
        uploaded_at=now,
    )
    attachment.file.save(upload.name or "file", upload, save=False)
    attachment.save(force_insert=True)
    _event(
        order,
        by=by,
        now=now,
        action="attach",
        note=attachment.original_name,
        data={"attachment": attachment.pk, "kind": kind},
    )
    return attachment


# --- contacts -----------------------------------------------------------------------------------


@dataclass
class ContactInput:
    channel: str
    intent: str
    content: str
    outcome: str
    caller_name: str = ""
    caller_phone: str = ""
    room_text: str = ""
    household: Household | None = None
    received_at: datetime | None = None
    resolution: str = ""
    promised_at: datetime | None = None
    promise_reason: str = ""
    owner_agitated: bool = False
    work_orders: Sequence[WorkOrderDraft] = ()


@transaction.atomic
def contact_log(*, community: Community, by: User, now: datetime, data: ContactInput) -> Contact:
    """Log a call, visit, letter or message and its outcome (FD-2, FD-3), with the work orders it
    opens (FD-6) in the same transaction.

    Outcome rules: *resolved* needs what was done; *promised* needs the promised time (after the
    contact) and the reason given to the owner; *work_order* needs at least one work order. A typed
    room number must exist in the community. Raises ValidationError with every field's problem at
    once; nothing is written then.
    """
    _require_office_role(by, community)
    d = data
    errors: dict[str, list[str]] = {}
    if d.channel not in Channel.values:
        errors["channel"] = [_("Choose how the owner reached us.")]
    if d.intent not in OrderKind.values:
        errors["intent"] = [_("Choose what the owner wants.")]
    if not d.content.strip():
        errors["content"] = [_("Write down what the owner said.")]
    received_at = d.received_at or now
    if received_at > now + timedelta(minutes=1):
        errors["received_at"] = [_("The time of the contact cannot be in the future.")]
    phone, ext = _normalise_phone(d.caller_phone, "caller_phone", errors)
    if d.channel == Channel.PHONE and not d.caller_phone.strip():
        errors["caller_phone"] = [_("Write down the caller's number.")]
    household = d.household
    if household is not None and household.community_id != community.pk:
        errors["household"] = [_("This household is not in the community.")]
    if household is None and d.room_text.strip():
        try:
            code = parse_room(d.room_text).code
        except InvalidRoom as exc:
            errors["room_text"] = [str(exc)]
        else:
            household = Household.objects.filter(community=community, code=code).first()
            if household is None:
                errors["room_text"] = [
                    _("There is no room %(code)s in this community.") % {"code": code}
                ]
    if d.outcome not in Outcome.values:
        errors["outcome"] = [_("Choose how the contact ended.")]
    if d.outcome == Outcome.RESOLVED and not d.resolution.strip():
        errors["resolution"] = [_("Write down how it was resolved.")]
    if d.outcome == Outcome.PROMISED:
        if d.promised_at is None:
            errors["promised_at"] = [_("Tell the owner when it will be resolved.")]
        elif d.promised_at <= received_at:
            errors["promised_at"] = [_("The promised time must be after the contact.")]
        if not d.promise_reason.strip():
            errors["promise_reason"] = [_("Tell the owner why it cannot be done now.")]
    if d.outcome == Outcome.WORK_ORDER and not d.work_orders:
        errors["work_orders"] = [_("Open at least one work order.")]
    if d.outcome != Outcome.WORK_ORDER and d.work_orders:
        errors["work_orders"] = [_("Work orders are opened only with the outcome 'work order'.")]
    if d.owner_agitated and d.channel != Channel.VISIT:
        errors["owner_agitated"] = [_("Only a visitor can be moved to a quiet room.")]
    drafts = [
        replace(
            draft,
            household=draft.household or (None if draft.location.strip() else household),
            reporter_name=draft.reporter_name or d.caller_name,
            reporter_phone=draft.reporter_phone or d.caller_phone,
        )
        for draft in d.work_orders
    ]
    for i, draft in enumerate(drafts):
        for key, messages in _validate_draft(community, draft).items():
            errors[f"work_orders[{i}].{key}"] = messages
    if errors:
        raise ValidationError(errors)
    contact = Contact(
        community=community,
        channel=d.channel,
        received_at=received_at,
        caller_name=d.caller_name.strip(),
        caller_phone=phone,
        caller_phone_ext=ext,
        household=household,
        room_text=d.room_text.strip(),
        intent=d.intent,
        content=d.content.strip(),
        outcome=d.outcome,
        resolution=d.resolution.strip(),
        promised_at=d.promised_at if d.outcome == Outcome.PROMISED else None,
        promise_reason=d.promise_reason.strip() if d.outcome == Outcome.PROMISED else "",
        owner_agitated=d.owner_agitated,
        taken_by=by,
        created_at=now,
    )
    contact.save(force_insert=True)
    for draft in drafts:
        _create_order(community, draft, by=by, now=now, contact=contact)
    if contact.owner_agitated:
        _tell_head_agitated_visitor(contact, now=now)
    if contact.outcome == Outcome.PROMISED:
        clocks_on_event(
            community=community,
            event="contact_promised",
            at=now,
            actor=by,
            actor_roles=user_roles(by, community.pk),
            contact=contact,
            data={"promised_at": contact.promised_at},
            new=True,
        )
    return contact


def _tell_head_agitated_visitor(contact: Contact, *, now: datetime) -> None:
    """FD-4: an agitated owner was taken to the meeting room or the head's office; the office
    head hears of it at once (in the same transaction as the contact)."""
    heads = Membership.objects.filter(
        community_id=contact.community_id, role=Role.OFFICE_HEAD, user__is_active=True
    ).values_list("user_id", flat=True)
    who = contact.caller_name or _("An owner")
    where = contact.household.code if contact.household else contact.room_text
    notifications_create(
        community_id=contact.community_id,
        recipient_ids=list(heads),
        cause=f"agitated:{contact.pk}",
        kind="agitated_visitor",
        title=_("%(who)s %(where)s is agitated and was taken to a quiet room: please come now")
        % {"who": who, "where": where},
        payload={
            "contact": contact.pk,
            "household": contact.household_id,
            "content": contact.content[:500],
        },
        now=now,
    )


@transaction.atomic
def contact_promise_keep(*, contact_id: int, by: User, now: datetime, result: str) -> Contact:
    """Record that a promise made at the front desk (FD-3) was kept: what was done, and that the
    owner was told. Meets the promise's clock."""
    contact = Contact.objects.select_for_update().select_related("community").get(pk=contact_id)
    _require_office_role(by, contact.community)
    if contact.outcome != Outcome.PROMISED:
        raise Conflict(_("Nothing was promised on this contact."), code="not_promised")
    if contact.promise_kept_at is not None:
        raise Conflict(_("This promise was already recorded as kept."), code="already_kept")
    if not (result or "").strip():
        raise ValidationError({"result": [_("Write down what was done and told to the owner.")]})
    contact.promise_kept_at, contact.promise_result = now, result.strip()
    contact.save(update_fields=["promise_kept_at", "promise_result"])
    clocks_on_event(
        community=contact.community,
        event="promise_kept",
        at=now,
        actor=by,
        actor_roles=user_roles(by, contact.community_id),
        contact=contact,
    )
    return contact
