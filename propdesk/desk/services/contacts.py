"""The front-desk log: calls, visits, letters, messages, their outcome and promises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Community, Household, User
from propdesk.community.selectors import user_roles
from propdesk.core.bulk import create_many
from propdesk.core.errors import Conflict, policy_message
from propdesk.core.uploads import PHOTO_OR_PDF_TYPES, atomic_storing_files, upload_check
from propdesk.desk.models import (
    Attachment,
    Channel,
    ComplaintType,
    Contact,
    OrderKind,
    Outcome,
    WorkOrder,
)
from propdesk.desk.services._common import (
    _normalise_phone,
    _require_office_role,
)
from propdesk.desk.services.orders import (
    KINDS,
    WorkOrderDraft,
    _OrderPlan,
    _plan_order,
    _validate_draft,
    _write_order,
    work_order_attach,
)
from propdesk.desk.services.telling import tell_about_contact
from propdesk.policy.deadlines import GIVEN_DEADLINE_HORIZON
from propdesk.policy.rooms import InvalidRoom, parse_room, parse_room_query

# --- contacts -----------------------------------------------------------------------------------

# The choices' values, read once (``Choices.values`` is built on each read).
CHANNELS = frozenset(Channel.values)
OUTCOMES = frozenset(Outcome.values)


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
    # CP-3: a written complaint carries the owner's letter (a scan or a photo), or says that the
    # owner left none.
    letter: UploadedFile[bytes] | None = None
    no_written_material: bool = False


def _complaint_type(channel: str, draft: WorkOrderDraft) -> str:
    """CP-3: a complaint that came as a letter is a written complaint, never a general one."""
    if (
        draft.kind == OrderKind.COMPLAINT
        and channel == Channel.WRITTEN
        and draft.complaint_type in ("", ComplaintType.GENERAL)
    ):
        return ComplaintType.WRITTEN
    return draft.complaint_type


def contact_log(*, community: Community, by: User, now: datetime, data: ContactInput) -> Contact:
    """Log a call, visit, letter or message and its outcome (FD-2, FD-3), with the work orders it
    opens (FD-6) in the same transaction.

    Outcome rules: *resolved* needs what was done; *promised* needs the promised time (after the
    contact) and the reason given to the owner; *work_order* needs at least one work order. A typed
    room number must exist in the community. Raises ValidationError with every field's problem at
    once; nothing is written then. The checks and the orders' routes and clocks are worked out
    before the transaction, which holds only the writes (``_plan_order``).
    """
    _require_office_role(by, community)
    d = data
    errors, received_at, household, drafts, (phone, ext) = _contact_check(community, now, d)
    if errors:
        raise ValidationError(errors)
    plans = [_plan_order(community, draft, by=by, now=now) for draft in drafts]
    # the letter's files, stored by work_order_attach, are deleted again if this rolls back
    with atomic_storing_files():
        return _contact_write(
            community,
            by=by,
            now=now,
            data=d,
            received_at=received_at,
            household=household,
            phone=phone,
            ext=ext,
            plans=plans,
        )


def _contact_write(
    community: Community,
    *,
    by: User,
    now: datetime,
    data: ContactInput,
    received_at: datetime,
    household: Household | None,
    phone: str,
    ext: str,
    plans: list[_OrderPlan],
) -> Contact:
    """``contact_log``'s writes, in its transaction: the contact, its planned orders, and what
    the call meets (a call-back) or promises."""
    d = data
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
    create_many([contact])  # contact.save(force_insert=True), lean (core.bulk)
    orders: list[WorkOrder] = []
    for plan in plans:
        order = _write_order(plan, by=by, now=now, contact=contact)
        orders.append(order)
        if d.letter is not None:
            work_order_attach(
                order_id=order.pk, by=by, now=now, upload=d.letter, kind=Attachment.Kind.LETTER
            )
        elif d.no_written_material and order.complaint_type == ComplaintType.WRITTEN:
            order.no_written_material = True
            order.save(update_fields=["no_written_material"])
    if contact.owner_agitated:
        _tell_head_agitated_visitor(contact, now=now)
    if contact.caller_phone:
        # The owner was reached: a call-back of a missed call from this number (FD-1-callback,
        # the calls app's clock of that number) is done.
        clocks_on_event(
            community=community,
            event="call_logged",
            at=now,
            actor=by,
            actor_roles=user_roles(by, community.pk),
            subject=f"phone:{contact.caller_phone}",
        )
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
    # contact.work_orders for the caller (the console's message, the API's answer) without
    # reading them back: the orders just opened, as WorkOrder.Meta.ordering gives them (newest
    # first; one ``now`` for all, so by id descending), the way prefetch_related leaves them.
    opened = contact.work_orders.all()
    opened._result_cache = sorted(orders, key=lambda o: o.pk, reverse=True)
    opened._prefetch_done = True  # type: ignore[attr-defined]
    contact._prefetched_objects_cache = {"work_orders": opened}  # type: ignore[attr-defined]
    return contact


def contact_errors(
    *, community: Community, now: datetime, data: ContactInput
) -> dict[str, list[str]]:
    """Every problem ``contact_log`` would refuse ``data`` for, by field, writing nothing: the
    console shows them all at once beside its own checks."""
    return _contact_check(community, now, data)[0]


def _contact_check(
    community: Community, now: datetime, d: ContactInput
) -> tuple[dict[str, list[str]], datetime, Household | None, list[WorkOrderDraft], tuple[str, str]]:
    errors: dict[str, list[str]] = {}
    if d.channel not in CHANNELS:
        errors["channel"] = [_("Choose how the owner reached us.")]
    if d.intent not in KINDS:
        errors["intent"] = [_("Choose what the owner wants.")]
    if not d.content.strip():
        errors["content"] = [_("Write down what the owner said.")]
    received_at = d.received_at or now
    if received_at > now + timedelta(minutes=1):
        errors["received_at"] = [_("The time of the contact cannot be in the future.")]
    phone, ext = _normalise_phone(d.caller_phone, "caller_phone", errors, community.area_code)
    if d.channel == Channel.PHONE and not d.caller_phone.strip():
        errors["caller_phone"] = [_("Write down the caller's number.")]
    household = d.household
    if household is not None and household.community_id != community.pk:
        errors["household"] = [_("This household is not in the community.")]
    if household is None and d.room_text.strip():
        try:
            code = parse_room(d.room_text).code
        except InvalidRoom as exc:
            part = parse_room_query(d.room_text.strip())
            if part is not None and part.room and not part.complete:
                # 1201, or 4-1201: a room as said, its building (or unit) left to choose.
                errors["room_text"] = [
                    _(
                        "Room %(text)s is not whole: choose its building, or write it as "
                        "building-unit-room, e.g. 3-2-1502."
                    )
                    % {"text": d.room_text.strip()}
                ]
            else:
                errors["room_text"] = [policy_message(exc)]
        else:
            household = Household.objects.filter(community=community, code=code).first()
            if household is None:
                errors["room_text"] = [
                    _("There is no room %(code)s in this community.") % {"code": code}
                ]
    if d.outcome not in OUTCOMES:
        errors["outcome"] = [_("Choose how the contact ended.")]
    if d.outcome == Outcome.RESOLVED and not d.resolution.strip():
        errors["resolution"] = [_("Write down how it was resolved.")]
    if d.outcome == Outcome.PROMISED:
        if d.promised_at is None:
            errors["promised_at"] = [_("Tell the owner when it will be resolved.")]
        elif d.promised_at <= max(received_at, now):
            # A call logged late (received_at earlier) promises a time still to come: a time
            # already past would start the FD-3 clock born breached.
            errors["promised_at"] = [_("The promised time must be later than now.")]
        elif d.promised_at > now + GIVEN_DEADLINE_HORIZON:
            errors["promised_at"] = [
                _("The promised time is more than a year away: check the date.")
            ]
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
            complaint_type=_complaint_type(d.channel, draft),
            household=draft.household or (None if draft.location.strip() else household),
            reporter_name=draft.reporter_name or d.caller_name,
            reporter_phone=draft.reporter_phone or d.caller_phone,
        )
        for draft in d.work_orders
    ]
    for i, draft in enumerate(drafts):
        draft_errors = _validate_draft(community, draft, now)
        if draft.reporter_phone.strip() != d.caller_phone.strip():
            # The order's own number (the caller's is checked above): refused, never dropped.
            draft.reporter_phone, _ext = _normalise_phone(
                draft.reporter_phone, "reporter_phone", draft_errors, community.area_code
            )
        else:
            draft.reporter_phone = phone  # the caller's, as stored: read once
        for key, messages in draft_errors.items():
            errors[f"work_orders[{i}].{key}"] = messages
    if d.letter is not None:
        _checked, problems = upload_check(d.letter, PHOTO_OR_PDF_TYPES)
        if problems:
            errors["letter"] = problems
    elif not d.no_written_material and any(
        x.kind == OrderKind.COMPLAINT and x.complaint_type == ComplaintType.WRITTEN for x in drafts
    ):
        errors["letter"] = [
            _(
                "Attach the owner's letter (a scan or a photo), or tick 'the owner left no "
                "written material'."
            )
        ]
    return errors, received_at, household, drafts, (phone, ext)


def _tell_head_agitated_visitor(contact: Contact, *, now: datetime) -> None:
    """FD-4: an agitated owner was taken to the meeting room or the head's office; the office
    head hears of it at once (in the same transaction as the contact)."""
    who = contact.caller_name or _("An owner")
    where = contact.household.code if contact.household else contact.room_text
    tell_about_contact(
        "agitated_visitor",
        contact=contact,
        now=now,
        cause=f"agitated:{contact.pk}",
        title=_("%(who)s %(where)s is agitated and was taken to a quiet room: please come now")
        % {"who": who, "where": where},
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
