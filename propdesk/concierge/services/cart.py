"""The service cart (CS-1, 便民服务车): lend an item to a household, take it back with its
condition, remind a borrower whose loan is overdue (once, by text message through the outbox),
and reserve an item from the resident portal.

Stock never goes below zero: a loan takes one off the shelf with a conditional UPDATE
(``available = available - 1 WHERE available > 0``), atomic on SQLite and PostgreSQL alike, so
two desks lending the last trolley at the same moment cannot both have it (the loser is told it
is all lent out); the database's check constraint is the last guard.

Times are aware datetimes; ``now`` is passed in (propdesk.core.clock). A loan is overdue when
``now > due_at`` while it is lent: due at 18:00 means on time at 18:00:00, overdue at 18:00:01.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from propdesk.community.access import require_roles
from propdesk.community.models import Community, Household, User
from propdesk.community.services import household_hold
from propdesk.concierge.models import (
    CartItem,
    Loan,
    LoanReminder,
    LoanState,
    ReminderState,
    ReturnCondition,
)
from propdesk.concierge.services._common import DESK_ROLES, locked
from propdesk.core.errors import Conflict, NotFound, policy_message, too_long_for
from propdesk.notify.sms import SmsError, send_sms
from propdesk.policy.phones import InvalidPhone, parse_phone

log = logging.getLogger(__name__)

# The longest loan the desk may give (a due time further away is a typing mistake).
MAX_LOAN = timedelta(days=30)
# Delivery of the reminders: attempts, and how long a worker holds a row it is sending.
MAX_ATTEMPTS = 5
LEASE = timedelta(minutes=2)


def _require_desk(user: User, community: Community) -> None:
    require_roles(
        user,
        community.pk,
        DESK_ROLES,
        _("Only the front desk, the office and the concierges of this community lend the cart."),
    )


def _borrower(
    community: Community, name: str, phone: str, errors: dict[str, list[str]]
) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        errors.setdefault("borrower_name", []).append(_("Write the borrower's name."))
    if refused := too_long_for(Loan, "borrower_name", name):
        errors.setdefault("borrower_name", []).extend(refused)
    number = ""
    try:
        number = parse_phone(phone or "", area_code=community.area_code).number
    except InvalidPhone as exc:
        errors.setdefault("borrower_phone", []).append(policy_message(exc))
    return name, number


def _check_due(due_at: datetime | None, now: datetime, errors: dict[str, list[str]]) -> None:
    if due_at is None:
        errors.setdefault("due_at", []).append(_("Choose when it is due back."))
    elif due_at <= now:
        errors.setdefault("due_at", []).append(_("The due time must be later than now."))
    elif due_at - now > MAX_LOAN:
        errors.setdefault("due_at", []).append(_("A loan lasts at most 30 days."))


def _item(community: Community, item_id: int | None, errors: dict[str, list[str]]) -> CartItem:
    item = CartItem.objects.filter(pk=item_id or 0, community=community, active=True).first()
    if item is None:
        errors.setdefault("item", []).append(_("Choose an item of this community's cart."))
        return CartItem()
    return item


def _household(
    community: Community, household_id: int | None, errors: dict[str, list[str]]
) -> Household:
    household = Household.objects.filter(pk=household_id or 0, community=community).first()
    if household is None:
        errors.setdefault("room", []).append(_("Choose the borrower's household (room number)."))
        return Household()
    return household


def _take_one(item: CartItem) -> bool:
    """One off the shelf, if one is there: True when taken."""
    return bool(
        CartItem.objects.filter(pk=item.pk, available__gt=0).update(available=F("available") - 1)
    )


@transaction.atomic
def loan_lend(
    *,
    community: Community,
    item_id: int | None,
    household_id: int | None,
    borrower_name: str,
    borrower_phone: str,
    due_at: datetime | None,
    by: User,
    now: datetime,
) -> Loan:
    """Lend one ``item`` to a household of ``community`` at the front desk (CS-1), due back at
    ``due_at``. Forbidden unless ``by`` is front desk, office or concierge there; a
    ValidationError (field → messages: item, room, borrower_name, borrower_phone, due_at) for
    bad input or when the item is all lent out, with nothing changed."""
    _require_desk(by, community)
    errors: dict[str, list[str]] = {}
    item = _item(community, item_id, errors)
    household = _household(community, household_id, errors)
    name, phone = _borrower(community, borrower_name, borrower_phone, errors)
    _check_due(due_at, now, errors)
    if errors:
        raise ValidationError(errors)
    assert due_at is not None
    if not _take_one(item):
        raise ValidationError(
            {"item": [_("Every %(item)s is lent out now.") % {"item": item.name}]}
        )
    return Loan.objects.create(
        community=community,
        item=item,
        household=household,
        borrower_name=name,
        borrower_phone=phone,
        state=LoanState.LENT,
        lent_at=now,
        lent_by=by,
        due_at=due_at,
    )


@transaction.atomic
def loan_reserve(
    *,
    household: Household,
    item_id: int | None,
    borrower_name: str,
    borrower_phone: str,
    due_at: datetime | None,
    now: datetime,
) -> Loan:
    """For the resident portal: a resident of ``household`` (already checked by the portal's
    own access) reserves an item; it is taken off the shelf at once and handed over at the front
    desk (``loan_hand_over``). The same checks and errors as ``loan_lend``."""
    community = household.community
    errors: dict[str, list[str]] = {}
    item = _item(community, item_id, errors)
    name, phone = _borrower(community, borrower_name, borrower_phone, errors)
    _check_due(due_at, now, errors)
    # A household holds at most PORTAL_OPEN_RESERVATIONS not yet handed over: a script could
    # otherwise take the whole shelf (every wheelchair) off it from the portal.
    household_hold(household)  # counted and written by one request at a time
    held = Loan.objects.filter(household=household, state=LoanState.RESERVED).count()
    if held >= int(settings.PORTAL_OPEN_RESERVATIONS):
        errors.setdefault("item", []).append(
            _(
                "Your household has reserved %(n)d items not yet collected: collect them at the"
                " front desk first."
            )
            % {"n": held}
        )
    if errors:
        raise ValidationError(errors)
    assert due_at is not None
    if not _take_one(item):
        raise ValidationError(
            {"item": [_("Every %(item)s is lent out now.") % {"item": item.name}]}
        )
    return Loan.objects.create(
        community=community,
        item=item,
        household=household,
        borrower_name=name,
        borrower_phone=phone,
        state=LoanState.RESERVED,
        reserved_at=now,
        due_at=due_at,
    )


def _loan(community: Community, loan_id: int | None) -> Loan:
    loan = Loan.objects.filter(pk=loan_id or 0, community=community).select_related("item").first()
    if loan is None:
        raise NotFound(_("There is no such loan in this community."))
    return loan


@transaction.atomic
def loan_hand_over(*, community: Community, loan_id: int | None, by: User, now: datetime) -> Loan:
    """A reservation handed over at the desk: it is lent from now on, due at the time the
    resident chose; collected at or after that time, it is due the item's usual loan from now
    (``loan_hours``) instead, or it would be lent overdue and its borrower texted a minute
    after collecting it. The caller compares ``due_at`` to tell the desk."""
    _require_desk(by, community)
    loan = _loan(community, loan_id)
    due = loan.due_at if loan.due_at > now else now + timedelta(hours=loan.item.loan_hours)
    if not Loan.objects.filter(pk=loan.pk, state=LoanState.RESERVED).update(
        state=LoanState.LENT, lent_at=now, lent_by=by, due_at=due
    ):
        raise Conflict(_("This reservation was already handed over or cancelled."))
    loan.refresh_from_db()
    return loan


@transaction.atomic
def loan_return(
    *,
    community: Community,
    loan_id: int | None,
    condition: str,
    note: str = "",
    by: User,
    now: datetime,
) -> Loan:
    """Take a lent item back with its condition (完好 / 损坏 / 丢失; a damaged or lost one needs
    a note). An intact item goes back on the shelf; a damaged or lost one leaves the stock (the
    back office adds it again once repaired). Conflict when the loan is not lent (already
    returned: two taps, or two desks)."""
    _require_desk(by, community)
    loan = _loan(community, loan_id)
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if condition not in ReturnCondition.values:
        errors["condition"] = [_("Choose the condition it came back in.")]
    elif condition != ReturnCondition.INTACT and not note:
        errors["return_note"] = [_("Say what is damaged or how it was lost.")]
    if refused := too_long_for(Loan, "return_note", note):
        errors["return_note"] = refused
    if errors:
        raise ValidationError(errors)
    if not Loan.objects.filter(pk=loan.pk, state=LoanState.LENT).update(
        state=LoanState.RETURNED,
        returned_at=now,
        returned_to=by,
        condition=condition,
        return_note=note,
    ):
        raise Conflict(_("This item was already returned."))
    items = CartItem.objects.filter(pk=loan.item_id)
    if condition == ReturnCondition.INTACT:
        items.update(available=F("available") + 1)
    else:
        items.update(stock=F("stock") - 1)
    loan.refresh_from_db()
    return loan


@transaction.atomic
def loan_cancel_reservation(
    *, community: Community, loan_id: int | None, by: User, now: datetime
) -> Loan:
    """A reservation not collected (the owner no longer needs it, or never came): cancelled at
    the desk, and the item goes back on the shelf, in the conditional UPDATE that moves it out
    of reserved, so two taps put it back once. Conflict when handed over or cancelled
    meanwhile."""
    _require_desk(by, community)
    return _cancel_reservation(_loan(community, loan_id))


@transaction.atomic
def loan_cancel_reservation_resident(
    *, household: Household, loan_id: int | None, now: datetime
) -> Loan:
    """For the resident portal: a resident of ``household`` (checked by the portal's own
    access) cancels the household's own reservation not yet collected; another household's
    loan is not found. Otherwise as ``loan_cancel_reservation``."""
    loan = _loan(household.community, loan_id)
    if loan.household_id != household.pk:
        raise NotFound(_("There is no such loan in this community."))
    return _cancel_reservation(loan)


def _cancel_reservation(loan: Loan) -> Loan:
    if not Loan.objects.filter(pk=loan.pk, state=LoanState.RESERVED).update(
        state=LoanState.CANCELLED
    ):
        raise Conflict(_("This reservation was already handed over or cancelled."))
    CartItem.objects.filter(pk=loan.item_id).update(available=F("available") + 1)
    loan.refresh_from_db()
    return loan


# --- overdue reminders ---------------------------------------------------------------------------


def reminder_text(loan: Loan, community: Community) -> str:
    """The text message to the borrower, in the office's language whatever the worker's."""
    due = loan.due_at.astimezone(ZoneInfo(community.time_zone))
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "%(community)s property office: the %(item)s borrowed by %(room)s was due back at "
            "%(due)s. Please return it to the front desk."
        ) % {
            "community": community.name,
            "item": loan.item.name,
            "room": loan.household.code,
            "due": f"{due:%m-%d %H:%M}",
        }


def loans_remind_overdue(*, now: datetime, batch_size: int = 100) -> int:
    """Write the reminder of every loan overdue at ``now`` (``due_at < now``, still lent, not
    reminded yet), in small batches, each loan once: its ``reminded_at`` is set and its one
    LoanReminder row written in the same transaction. Safe with many workers at once (rows
    locked with SKIP LOCKED on PostgreSQL). Returns how many were written."""
    written = 0
    overdue = Loan.objects.filter(state=LoanState.LENT, reminded_at__isnull=True, due_at__lt=now)
    if not overdue.exists():
        return 0  # nothing due: one read, no transaction (on SQLite no write lock)
    while True:
        with transaction.atomic():
            due = list(
                locked(overdue)
                .select_related("item", "household", "community")
                .order_by("due_at", "id")[:batch_size]
            )
            for loan in due:
                LoanReminder.objects.get_or_create(
                    loan=loan,
                    defaults={
                        "community_id": loan.community_id,
                        "phone": loan.borrower_phone,
                        "text": reminder_text(loan, loan.community)[:300],
                        "created_at": now,
                    },
                )
            Loan.objects.filter(pk__in=[loan.pk for loan in due]).update(reminded_at=now)
        written += len(due)
        if len(due) < batch_size:
            return written


def loan_reminders_deliver(*, now: datetime, batch_size: int = 50) -> int:
    """Send the pending reminders due at ``now`` through ``send_sms``: each row is claimed with a
    conditional UPDATE (pending, or sending with its lease run out) before it is sent outside any
    transaction; a gateway failure retries with backoff (1, 2, 4 … minutes), failed after
    MAX_ATTEMPTS. Returns how many were sent."""
    from django.db.models import Q

    due = Q(state=ReminderState.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    due |= Q(state=ReminderState.SENDING, next_attempt_at__lte=now)
    ids = list(
        LoanReminder.objects.filter(due)
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:batch_size]
    )
    sent = 0
    for rid in ids:
        claimed = LoanReminder.objects.filter(Q(pk=rid) & due).update(
            state=ReminderState.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
        if not claimed:
            continue  # another worker has it
        row = LoanReminder.objects.get(pk=rid)
        try:
            send_sms(row.phone, row.text)
        except SmsError as exc:
            failed = row.attempts >= MAX_ATTEMPTS
            backoff = timedelta(minutes=2 ** (row.attempts - 1))
            LoanReminder.objects.filter(pk=rid).update(
                state=ReminderState.FAILED if failed else ReminderState.PENDING,
                next_attempt_at=None if failed else now + backoff,
                last_error=str(exc)[:2000],
            )
            log.warning("overdue reminder %s not sent: %s", rid, exc)
            continue
        LoanReminder.objects.filter(pk=rid).update(
            state=ReminderState.SENT, sent_at=now, next_attempt_at=None, last_error=""
        )
        sent += 1
    return sent
