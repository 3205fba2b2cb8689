"""The one door for what the phone system reports: the webhook, the Asterisk adapter, the CSV
import and the demo's player all call ``call_event_record``.

Each event updates its call (ringing → answered → ended, or missed) and is kept, append-only, with
the phone system's own event id: the same id twice is a replay and is refused (Conflict, code
``replayed``), nothing changed. A missed call from a known number starts (or joins) the call-back
clock of that number (FD-1-callback); an outgoing call to the number, or an answered call from it,
meets it, as does a contact logged at the front desk with that number (desk's ``contact_log``).
"""

from __future__ import annotations

import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from propdesk.calls.models import (
    Call,
    CallEvent,
    CallState,
    Direction,
    EventKind,
    Extension,
    PhoneSystem,
)
from propdesk.clocks.models import Clock, ClockState
from propdesk.clocks.services import clocks_on_event, policy_for
from propdesk.community.models import Community, User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import Conflict, policy_message
from propdesk.policy.calls import callback_start, ring_ms
from propdesk.policy.phones import InvalidPhone, parse_phone

CALLBACK_RULE = "FD-1-callback"
# The webhook's timestamp may differ from the server's clock by at most this (both ways).
SIGNATURE_WINDOW = timedelta(minutes=5)
_ID_MAX = 100


def callback_subject(phone: str) -> str:
    """The call-back clock's subject: one clock per caller's number."""
    return f"phone:{phone}"


@dataclass(frozen=True)
class CallEventInput:
    """One event as a phone system reports it. ``phone`` is the caller's number (an incoming
    call) or the number called (``outgoing``); "" when withheld. ``line``: the line or number
    rung; ``extension``: the extension that answered (answered) or called (outgoing). ``at`` is
    aware."""

    event_id: str
    call_id: str
    kind: str
    at: datetime
    phone: str = ""
    line: str = ""
    extension: str = ""


def call_event_errors(community: Community, data: CallEventInput) -> dict[str, list[str]]:
    """Every problem of ``data`` at once, by field; {} when it can be recorded."""
    errors: dict[str, list[str]] = {}
    for name in ("event_id", "call_id", "kind", "phone", "line", "extension"):
        if "\x00" in getattr(data, name):  # PostgreSQL refuses it in text: a 500, not a 400
            errors[name] = [_("Null characters are not allowed.")]
    if errors:
        return errors
    for name in ("event_id", "call_id"):
        value = getattr(data, name)
        if not value.strip():
            errors[name] = [_("This field is required.")]
        elif len(value) > _ID_MAX:
            errors[name] = [_("At most %(n)d characters.") % {"n": _ID_MAX}]
    if data.kind not in EventKind.values:
        errors["kind"] = [
            _("Unknown kind %(kind)s: use %(kinds)s.")
            % {"kind": data.kind, "kinds": ", ".join(EventKind.values)}
        ]
    if data.at is None or data.at.tzinfo is None or not _storable(data.at):
        errors["at"] = [_("Give the time with its time zone.")]
    for name in ("line", "extension"):
        if len(getattr(data, name)) > 32:
            errors[name] = [_("At most %(n)d characters.") % {"n": 32}]
    if data.phone.strip():
        try:
            parse_phone(data.phone, area_code=community.area_code)
        except InvalidPhone as exc:
            errors["phone"] = [policy_message(exc)]
    elif data.kind == EventKind.OUTGOING:
        errors["phone"] = [_("An outgoing call needs the number called.")]
    return errors


def _storable(at: datetime) -> bool:
    """Whether ``at`` is a time the database can hold: 9999-12-31T23:00-12:00 is past the last
    datetime once in UTC (an OverflowError, a 500, where the phone system sent nonsense)."""
    try:
        at.astimezone(UTC)
    except OverflowError:
        return False
    return True


def _phone(community: Community, text: str) -> str:
    return parse_phone(text, area_code=community.area_code).number if text.strip() else ""


def _staff_of(community: Community, extension: str) -> User | None:
    if not extension:
        return None
    row = (
        Extension.objects.filter(community=community, number=extension, user__is_active=True)
        .select_related("user")
        .first()
    )
    return row.user if row is not None else None


def _callback_met(community: Community, phone: str, *, at: datetime, by: User | None) -> None:
    """The number was reached (an outgoing call, an answered call from it): its call-back is
    done."""
    clocks_on_event(
        community=community,
        event="call_logged",
        at=at,
        actor=by,
        actor_roles=user_roles(by, community.pk) if by is not None else (),
        subject=callback_subject(phone),
    )


def _missed(call: Call, *, community: Community) -> None:
    """A call nobody answered: its number joins (or starts) the call-back clock."""
    if not call.phone:
        return  # a withheld number cannot be called back
    policy = policy_for(community)[0]
    missed_at = call.ended_at or call.ringing_at
    assert missed_at is not None
    start = callback_start(policy.calls, missed_at, ZoneInfo(community.time_zone))
    subject = callback_subject(call.phone)
    clocks_on_event(community=community, event="call_missed", at=start, subject=subject)
    call.callback = (
        Clock.objects.filter(
            community=community,
            order__isnull=True,
            contact__isnull=True,
            rule_id=CALLBACK_RULE,
            subject=subject,
            state__in=(ClockState.RUNNING, ClockState.BREACHED),
            met_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .order_by("-id")
        .first()
    )


@transaction.atomic
def call_event_record(
    *, community: Community, data: CallEventInput, source: str, now: datetime
) -> Call:
    """Record one event of the phone system and update its call. Events may come in any order
    (an answer before its ring): the ring time is computed once both are known. Raises
    ValidationError (every field's problem), Conflict ``replayed`` for an event id already
    recorded; nothing is written then."""
    errors = call_event_errors(community, data)
    if errors:
        raise ValidationError(errors)
    phone = _phone(community, data.phone)
    call, _created = Call.objects.select_for_update().get_or_create(
        community=community,
        call_id=data.call_id,
        defaults={"created_at": now, "phone": phone, "line": data.line},
    )
    try:
        # The event first: a replayed id fails here, and the whole call rolls back with it.
        CallEvent.objects.create(
            community=community,
            call=call,
            event_id=data.event_id,
            kind=data.kind,
            at=data.at,
            source=source,
            received_at=now,
        )
    except IntegrityError as exc:
        raise Conflict(_("This event was already recorded."), code="replayed") from exc
    before = call.state
    call.phone = call.phone or phone
    call.line = call.line or data.line
    kind = data.kind
    if kind == EventKind.RINGING:
        call.ringing_at = call.ringing_at or data.at
    elif kind == EventKind.ANSWERED:
        if call.state != CallState.MISSED:
            call.answered_at = call.answered_at or data.at
            call.extension = data.extension or call.extension
            call.answered_by = _staff_of(community, call.extension)
            if call.state == CallState.RINGING:
                call.state = CallState.ANSWERED
    elif kind in (EventKind.ENDED, EventKind.MISSED):
        call.ended_at = call.ended_at or data.at
        if call.answered_at is None or kind == EventKind.MISSED:
            call.state = CallState.MISSED
        elif call.state != CallState.MISSED:
            call.state = CallState.ENDED
    elif kind == EventKind.OUTGOING:
        call.direction = Direction.OUTBOUND
        call.ringing_at = call.ringing_at or data.at
        call.answered_at = call.answered_at or data.at
        call.extension = data.extension or call.extension
        call.answered_by = _staff_of(community, call.extension)
        call.state = CallState.ENDED
    if call.direction == Direction.INBOUND:
        call.ring_ms = ring_ms(call.ringing_at, call.answered_at)
    if call.state == CallState.MISSED and before != CallState.MISSED:
        _missed(call, community=community)
    call.clean_fields(exclude=["community", "callback", "answered_by"])
    call.save()
    if call.phone and (
        kind == EventKind.OUTGOING
        or (
            kind == EventKind.ANSWERED
            and call.direction == Direction.INBOUND
            and before == CallState.RINGING
        )
    ):
        _callback_met(community, call.phone, at=data.at, by=call.answered_by)
    return call


# --- the webhook's door ---------------------------------------------------------------------------


class SignatureError(Exception):
    """The event is not from the community's phone system (``code``: unsigned, bad_signature,
    stale, unknown_community)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The webhook's signature: hex HMAC-SHA256 with the community's secret over
    ``timestamp + "." + body`` (the body's exact bytes), as the notification webhooks sign."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, "sha256").hexdigest()


def webhook_verify(
    *,
    community_id: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: datetime,
) -> Community:
    """The community whose phone system signed ``body``; raises SignatureError otherwise. The
    timestamp (Unix seconds) must be within SIGNATURE_WINDOW of ``now``."""
    if not signature or not timestamp:
        raise SignatureError("unsigned", _("The event is not signed."))
    bad = SignatureError("bad_signature", _("The signature is not valid."))
    text = (community_id or "").strip()
    # Digits only, within a database id's range: a longer number was a 500 (OverflowError).
    if not (text.isascii() and text.isdigit() and len(text) <= 18):
        raise bad
    system = (
        PhoneSystem.objects.select_related("community")
        .filter(community_id=int(text), enabled=True)
        .first()
    )
    if system is None:
        raise bad
    expected = sign(system.secret, timestamp, body)
    # Compared as bytes: compare_digest refuses str with non-ASCII characters (a 500).
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise bad
    try:
        sent = float(timestamp)
    except ValueError:
        raise SignatureError("stale", _("The event's timestamp is not valid.")) from None
    if not math.isfinite(sent):  # "nan" is within every window, "inf" a replay forever
        raise SignatureError("stale", _("The event's timestamp is not valid."))
    if abs(now.timestamp() - sent) > SIGNATURE_WINDOW.total_seconds():
        raise SignatureError(
            "stale", _("The event is too old or too far ahead: check the phone system's clock.")
        )
    return system.community


def phone_system_set(*, community: Community, secret: str = "") -> PhoneSystem:
    """Give ``community`` a phone system with ``secret`` (a new random one when empty)."""
    system, _created = PhoneSystem.objects.update_or_create(
        community=community, defaults={"secret": secret or secrets.token_urlsafe(32)}
    )
    return system
