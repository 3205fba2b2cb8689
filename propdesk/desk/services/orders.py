"""Work orders: open one, take an action of the declared state machine, attach a file."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Community, Household, Membership, Team, User
from propdesk.community.selectors import user_roles, user_team_ids
from propdesk.core.errors import Conflict, Forbidden
from propdesk.core.uploads import PHOTO_OR_PDF_TYPES, upload_check
from propdesk.desk.models import (
    Attachment,
    ComplaintType,
    Contact,
    OrderKind,
    ReplyChannel,
    ServiceItem,
    WorkOrder,
)
from propdesk.desk.services._common import (
    _event,
    _next_number,
    _normalise_phone,
    _require_office_role,
    _route_team,
)
from propdesk.notify.services import notifications_create
from propdesk.policy.workflow import (
    OFFICE_ROLES,
    TEAM_ROLES,
    Role,
    State,
    TransitionRefused,
    check_transition,
)

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
    if _for_the_head(order):
        _tell_heads(order, now=now)
    return order


def _for_the_head(order: WorkOrder) -> bool:
    """CP-3, CP-4, CP-5: a written, important or service-attitude complaint goes to the head."""
    return order.kind == OrderKind.COMPLAINT and (
        order.is_important
        or order.complaint_type in (ComplaintType.WRITTEN, ComplaintType.ATTITUDE)
    )


def _tell_heads(order: WorkOrder, *, now: datetime) -> None:
    heads = Membership.objects.filter(
        community_id=order.community_id, role=Role.OFFICE_HEAD, user__is_active=True
    ).values_list("user_id", flat=True)
    what = (
        _("Important complaint")
        if order.is_important
        else ComplaintType(order.complaint_type).label
    )
    notifications_create(
        community_id=order.community_id,
        recipient_ids=list(heads),
        cause=f"complaint-to-head:{order.pk}",
        kind="complaint_to_head",
        title=_("%(what)s %(number)s: %(text)s")
        % {"what": what, "number": order.number, "text": order.description[:60]},
        payload={"order": order.pk},
        now=now,
    )


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
    materials: str = "",
    fee: Decimal | None = None,
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
    if action == "resolve":
        materials = (materials or "").strip()
        if len(materials) > 200:
            errors["materials"] = [_("Keep the materials under 200 characters.")]
        if fee is not None and (fee < 0 or fee >= Decimal("10000000")):
            errors["fee"] = [_("The fee must be between 0 and 9,999,999.99 yuan.")]
    elif materials or fee is not None:
        errors["materials"] = [_("Materials and fee are written when the job is completed.")]
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
        order.materials = materials
        order.fee_charged = fee
        fields += ["resolved_at", "materials", "fee_charged"]
        if materials:
            data["materials"] = materials
        if fee is not None:
            data["fee"] = str(fee)
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


@transaction.atomic
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
    attachment.file.save(checked.stored_name, checked.content, save=False)
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
