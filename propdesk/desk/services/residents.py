"""A resident's own acts in the portal (issue 13): a report, which becomes a contact and a work
order exactly as if the front desk had logged it, and 催单 (urging an open order).

No staff member takes a resident's report: the contact's ``taken_by`` and the order's
``created_by`` stay empty, the channel says 业主自助, the reporter fields say who (the name on the
register and the phone the resident signed in with), and the events' actor is empty with the
resident named in their details. Everything else is the front desk's own path: the same checks
(``_contact_check``), numbering, routing, clocks and notifications (``_plan_order``,
``_write_order``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.community.models import Household, Place, Resident
from propdesk.community.services import household_hold
from propdesk.core.errors import Conflict, NotFound, ServiceError
from propdesk.core.uploads import (
    PHOTO_TYPES,
    CheckedUpload,
    atomic_storing_files,
    stored_file_save,
    upload_check,
)
from propdesk.desk.models import (
    Attachment,
    Channel,
    Contact,
    EventAction,
    OrderKind,
    Outcome,
    WorkOrder,
    WorkOrderEvent,
)
from propdesk.desk.services._common import order_event_write
from propdesk.desk.services.contacts import ContactInput, _contact_check
from propdesk.desk.services.orders import (
    WorkOrderDraft,
    _OrderPlan,
    _plan_order,
    _write_order,
)
from propdesk.desk.services.telling import tell_about_order
from propdesk.policy.rules import load_policy
from propdesk.policy.signin import parse_limits, wait_parts, wait_seconds
from propdesk.policy.workflow import OPEN_STATES

# What a resident may report: 报修, 家政服务, 投诉, 建议.
RESIDENT_KINDS = (
    OrderKind.REPAIR,
    OrderKind.HOUSEKEEPING,
    OrderKind.COMPLAINT,
    OrderKind.SUGGESTION,
)


@dataclass
class ResidentReport:
    """What a resident fills in: the kind, what is wrong, where (empty: their room), when they
    would like us to come (预约上门时间, aware), and photos from the phone."""

    kind: str
    description: str
    location: str = ""
    appointment_at: datetime | None = None
    photos: Sequence[UploadedFile[bytes]] = ()
    place: Place | None = None  # the QR sticker's place it was reported at (its community's)


class TooManyReports(ServiceError):
    """More reports from one resident's number than PORTAL_REPORT_LIMITS allow: how long to
    wait (``retry_after``, seconds); the front desk takes anything urgent meanwhile."""

    status = 429
    code = "too_many"

    def __init__(self, seconds: int) -> None:
        unit, n = wait_parts(seconds)
        if unit == "seconds":
            text = _(
                "Too many reports from your number. Please try again in %(n)d seconds; for"
                " anything urgent, call the front desk."
            )
        elif unit == "minutes":
            text = _(
                "Too many reports from your number. Please try again in %(n)d minutes; for"
                " anything urgent, call the front desk."
            )
        else:
            text = _(
                "Too many reports from your number. Please try again in %(n)d hours; for"
                " anything urgent, call the front desk."
            )
        super().__init__(text % {"n": n})
        self.retry_after = seconds


def report_wait_seconds(phone: str, now: datetime) -> int:
    """Seconds until the resident of ``phone`` may report again from the portal (0: now): their
    earlier reports are the contacts on the channel 业主自助 from that number, counted in the
    windows of PORTAL_REPORT_LIMITS (the front desk's own contacts never count)."""
    limits = parse_limits(settings.PORTAL_REPORT_LIMITS)
    horizon = now - timedelta(seconds=max(limit.seconds for limit in limits))
    sent = Contact.objects.filter(
        channel=Channel.RESIDENT, caller_phone=phone, received_at__gt=horizon
    ).values_list("received_at", flat=True)
    return wait_seconds(sent, now, limits)


def _resident_of(household: Household, phone: str) -> Resident:
    resident = (
        Resident.objects.filter(household=household, phone=phone).order_by("id").first()
        if phone
        else None
    )
    if resident is None:
        raise NotFound("Household not found")
    return resident


def resident_report_errors(
    *, household: Household, phone: str, now: datetime, data: ResidentReport
) -> tuple[dict[str, list[str]], list[CheckedUpload]]:
    """Every problem ``resident_report`` would refuse ``data`` for, by field (the front desk's own
    checks plus the kind and the photos), and the photos made safe to store; writes nothing."""
    errors: dict[str, list[str]] = {}
    if data.kind not in RESIDENT_KINDS:
        errors["kind"] = [_("Choose what you are reporting.")]
    for name in ("description", "location"):
        if "\x00" in getattr(data, name):  # PostgreSQL refuses it in text: a 400, not a 500
            errors[name] = [_("Null characters are not allowed.")]
    checked: list[CheckedUpload] = []
    limit = int(settings.PORTAL_MAX_PHOTOS)
    if len(data.photos) > limit:
        errors["photos"] = [_("At most %(n)s photos.") % {"n": limit}]
    else:
        for photo in data.photos:
            ok, problems = upload_check(photo, PHOTO_TYPES, default_name="photo")
            if problems:
                errors.setdefault("photos", []).extend(
                    f"{ok.original_name if ok else photo.name}: {p}" for p in problems
                )
            elif ok is not None:
                checked.append(ok)
    if "kind" not in errors:
        contact_errors = _contact_check(
            household.community, now, _contact_input(household, phone, "", now, data)
        )[0]
        # The contact's own "what was said" is the order's description: one message, not two.
        contact_errors.pop("content", None)
        for key, messages in contact_errors.items():
            errors.setdefault(key.removeprefix("work_orders[0]."), []).extend(messages)
    if (
        "appointment_at" not in errors
        and data.appointment_at is not None
        and data.appointment_at > now + timedelta(days=60)
    ):
        errors["appointment_at"] = [_("Choose a time within the next 60 days.")]
    return errors, checked


def _contact_input(
    household: Household, phone: str, name: str, now: datetime, data: ResidentReport
) -> ContactInput:
    draft = WorkOrderDraft(
        kind=data.kind,
        description=data.description,
        household=household,
        location=data.location,
        reporter_name=name,
        reporter_phone=phone,
        appointment_at=data.appointment_at,
        place=data.place,
    )
    return ContactInput(
        channel=Channel.RESIDENT,
        intent=data.kind,
        content=data.description,
        outcome=Outcome.WORK_ORDER,
        caller_name=name,
        caller_phone=phone,
        household=household,
        received_at=now,
        work_orders=[draft],
    )


def resident_report(
    *, household: Household, phone: str, now: datetime, data: ResidentReport
) -> WorkOrder:
    """A resident's report (报修, 家政服务, 投诉 or 建议) of ``household``, which the caller has
    checked is theirs (portal.access): a contact on the channel 业主自助 and its work order, with
    the front desk's checks, numbering, routing, clocks (DS-1, FD-6, CP-1 …) and notifications,
    and the photos attached. ``now`` is aware. Raises NotFound when ``phone`` is not on the
    household's register, ValidationError with every field's problem; nothing is written then.
    The checks (the photos read and re-encoded among them) and the order's route and clocks come
    before the transaction, which holds only the writes (``_plan_order``). Raises
    TooManyReports past PORTAL_REPORT_LIMITS (``report_wait_seconds``), before any check."""
    resident = _resident_of(household, phone)
    wait = report_wait_seconds(phone, now)
    if wait > 0:
        raise TooManyReports(wait)
    errors, photos = resident_report_errors(household=household, phone=phone, now=now, data=data)
    if errors:
        raise ValidationError(errors)
    community = household.community
    d = _contact_input(household, phone, resident.name, now, data)
    _errors, received_at, _household, drafts, (number, ext) = _contact_check(community, now, d)
    plan = _plan_order(community, drafts[0], by=None, now=now)
    # the photos stored below are deleted again if this rolls back
    with atomic_storing_files():
        return _report_write(
            plan,
            household,
            resident.name,
            data,
            now=now,
            received_at=received_at,
            number=number,
            ext=ext,
            photos=photos,
        )


def _report_write(
    plan: _OrderPlan,
    household: Household,
    resident_name: str,
    data: ResidentReport,
    *,
    now: datetime,
    received_at: datetime,
    number: str,
    ext: str,
    photos: list[CheckedUpload],
) -> WorkOrder:
    """``resident_report``'s writes, in its transaction: the contact, the planned order and
    its photos. The limit is counted again here, the household held (``household_hold``): two
    reports sent at once were both under it before the transaction, and both were written."""
    household_hold(household)
    wait = report_wait_seconds(number, now)
    if wait > 0:
        raise TooManyReports(wait)
    community = plan.community
    contact = Contact(
        community=community,
        channel=Channel.RESIDENT,
        received_at=received_at,
        caller_name=resident_name,
        caller_phone=number,
        caller_phone_ext=ext,
        household=household,
        intent=data.kind,
        content=data.description.strip(),
        outcome=Outcome.WORK_ORDER,
        taken_by=None,
        created_at=now,
    )
    contact.save(force_insert=True)
    who: dict[str, object] = {"resident": resident_name, "channel": Channel.RESIDENT.value}
    order = _write_order(plan, by=None, now=now, contact=contact, event_data=who)
    for checked in photos:
        attachment = Attachment(
            order=order,
            kind=Attachment.Kind.PHOTO,
            original_name=checked.original_name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=None,
            uploaded_at=now,
        )
        stored_file_save(attachment.file, checked)  # deleted again if this rolls back
        attachment.save(force_insert=True)
        order_event_write(
            order,
            by=None,
            now=now,
            action=EventAction.ATTACH,
            note=attachment.original_name,
            data={"attachment": attachment.pk, "kind": attachment.kind, **who},
        )
    return order


class UrgeTooSoon(Conflict):
    """催单 again within the policy's period: ``again_at`` is when it may be pressed again."""

    def __init__(self, message: str, *, again_at: datetime) -> None:
        super().__init__(message, code="urge_too_soon")
        self.again_at = again_at


def last_urge(order: WorkOrder) -> WorkOrderEvent | None:
    return (
        WorkOrderEvent.objects.filter(order=order, action=EventAction.URGE)
        .order_by("-at", "-id")
        .first()
    )


def urge_again_at(order: WorkOrder) -> datetime | None:
    """When 催单 may next be pressed on ``order`` (None: now). The period is the policy's
    ``portal.urge_period_minutes``; a press at exactly the end of the period is allowed."""
    last = last_urge(order)
    if last is None:
        return None
    period = load_policy(order.community.policy).portal.urge_period_minutes
    return last.at + timedelta(minutes=period)


@transaction.atomic
def work_order_urge(*, order_id: int, phone: str, now: datetime) -> WorkOrderEvent:
    """催单: the resident of ``phone`` asks for the open order ``order_id`` (the caller has checked
    it is of their household). Writes an event (no staff actor; the resident named) and tells the
    policy's ``order_urged`` recipients (the assignee and the team leader, else the
    administrators) through the outbox. Once per ``portal.urge_period_minutes``: a second press
    within it raises UrgeTooSoon with the time it may be pressed again; a closed order Conflict."""
    WorkOrder.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True).get()
    order = WorkOrder.objects.select_related("community", "team", "assignee", "household").get(
        pk=order_id
    )
    if order.household is None:
        raise NotFound("Work order not found")
    resident = _resident_of(order.household, phone)
    if order.state not in OPEN_STATES:
        raise Conflict(
            _("This work order is %(state)s: there is nothing to urge.")
            % {"state": order.get_state_display()},
            code="not_open",
        )
    again_at = urge_again_at(order)
    if again_at is not None and now < again_at:
        raise UrgeTooSoon(_("You have already urged this order."), again_at=again_at)
    event = order_event_write(
        order,
        by=None,
        now=now,
        action=EventAction.URGE,
        data={"resident": resident.name, "channel": Channel.RESIDENT.value},
    )
    tell_about_order(
        "order_urged",
        order=order,
        now=now,
        cause=f"urge:{event.pk}",
        title=_("The owner of %(room)s urges %(number)s: %(text)s")
        % {
            "room": order.household.code,
            "number": order.number,
            "text": order.description[:60],
        },
    )
    return event
