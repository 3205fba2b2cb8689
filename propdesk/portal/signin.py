"""Signing a resident in: one-time SMS codes (sent within the rate limits, kept hashed, checked
once), the record of sign-ins, and the WeChat binding. The views call these; nothing else writes
the portal's sign-in rows.

Limits, expiry and tries come from settings (PORTAL_CODE_*, where the three limits are
explained); the arithmetic is propdesk.policy.signin. Every time is the injected clock's
``now`` (aware, UTC).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from propdesk.core.clients import limit_address
from propdesk.notify.residents import resident_message_queue
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.signin import (
    CODE_DIGITS,
    LIVE_CODES,
    Limit,
    new_code,
    parse_limits,
    wait_parts,
    wait_seconds,
)
from propdesk.portal.access import households_of
from propdesk.portal.models import Method, SignIn, SignInCode, ThrottleKey, WechatBinding

_HASH_SALT = "propdesk.portal.signin.code"


class SignInRefused(Exception):
    """Refused with a message for the resident (in their language); ``status`` is the HTTP
    status the page answers with, ``retry_after`` the seconds to wait (too many codes)."""

    def __init__(self, message: str, *, status: int = 400, retry_after: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class SentCode:
    phone: str
    expires_at: datetime


def mobile_needed(text: str) -> str:
    """A number that is no phone, where an SMS is needed (sign-in, a family member who signs in
    by SMS): the advice names a mobile only; nothing typed, it asks for one."""
    if not (text or "").strip():
        return _("Write your mobile number (e.g. 13812345678).")
    return _(
        "The phone number is not valid: %(text)s. Codes are sent by SMS: write a mobile "
        "number (e.g. 13812345678)."
    ) % {"text": (text or "").strip()[:30]}


def mobile_phone(text: str) -> str:
    """The number typed, normalised (parse_phone), if it is a mobile number; else SignInRefused
    with the message to show. Whether it is on the register is not looked at here."""
    try:
        phone = parse_phone(text).number
    except InvalidPhone as exc:
        # Sign-in is by SMS: the advice is a mobile's, never a landline's.
        raise SignInRefused(mobile_needed(text)) from exc
    if not phone.startswith("1"):
        raise SignInRefused(_("Codes are sent by SMS: write a mobile number."))
    return phone


def _hash(phone: str, code: str) -> str:
    return salted_hmac(_HASH_SALT, f"{phone}:{code}", algorithm="sha256").hexdigest()


def _too_many(seconds: int) -> SignInRefused:
    unit, n = wait_parts(seconds)
    if unit == "seconds":
        text = _("Too many codes asked for. Please try again in %(n)d seconds.")
    elif unit == "minutes":
        text = _("Too many codes asked for. Please try again in %(n)d minutes.")
    else:
        text = _("Too many codes asked for. Please try again in %(n)d hours.")
    return SignInRefused(text % {"n": n}, status=429, retry_after=seconds)


def _lock(key: str, now: datetime) -> None:
    """Hold ``key``'s row until the transaction ends, made if missing, its ``touched_at`` now:
    one upsert (INSERT … ON CONFLICT DO UPDATE), which on PostgreSQL locks the row it updates or
    inserts, so a second ask of the same key waits here. Never a read then a lock: the worker
    may delete an old row in between (portal.codes); its DELETE names the row's age in its
    WHERE, so it waits for this lock and then spares the row just touched."""
    ThrottleKey.objects.bulk_create(
        [ThrottleKey(key=key, touched_at=now)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["touched_at"],
    )


def _limits() -> tuple[tuple[Limit, ...], tuple[Limit, ...], tuple[Limit, ...]]:
    """(per number and address, per address, per number): settings.PORTAL_CODE_LIMITS,
    PORTAL_CODE_ADDRESS_LIMITS, PORTAL_CODE_NUMBER_LIMITS."""
    return (
        parse_limits(settings.PORTAL_CODE_LIMITS),
        parse_limits(settings.PORTAL_CODE_ADDRESS_LIMITS),
        parse_limits(settings.PORTAL_CODE_NUMBER_LIMITS),
    )


def longest_window() -> int:
    """Seconds: how long a code's row counts in any limit (the purge keeps it that long)."""
    return max(limit.seconds for limits in _limits() for limit in limits)


def code_send(*, phone_text: str, client_ip: str, now: datetime) -> SentCode:
    """Send a new sign-in code to the mobile ``phone_text`` (as typed) if it is on the register,
    within the limits (settings PORTAL_CODE_*): per number and address together, per address,
    per number, an IPv6 client's address being its /64 (limit_address). The code works for
    PORTAL_CODE_TTL_SECONDS, once, and a new one does not void it (code_verify). Raises
    SignInRefused.

    The answer is the same whether the number is on the register or not, so that the page tells
    no one who lives here: the limits come first and count every ask; a number off the register
    gets a row like any other, with the hash of a secret no 6-digit code matches, and no SMS (its
    wrong tries and expiry then go as for a real code). The SMS is not sent here: it is written
    to the residents' outbox in this transaction and the worker sends it within a tick
    (notify.residents), so neither the gateway's answer time nor its failure shows in this
    answer. A refused ask counts nothing."""
    phone = mobile_phone(phone_text)
    client_ip = limit_address(client_ip)  # the limits' memory (the row's client_ip) too
    pair_limits, address_limits, number_limits = _limits()
    longest = longest_window()
    horizon = now - timedelta(seconds=longest)
    with transaction.atomic():
        # Phone first, then address: the same order everywhere, so two sends never deadlock.
        _lock(f"phone:{phone}", now)
        if client_ip:
            _lock(f"ip:{client_ip}", now)
        to_number = list(
            SignInCode.objects.filter(phone=phone, sent_at__gt=horizon).values_list(
                "sent_at", "client_ip"
            )
        )
        waits = [
            wait_seconds([at for at, ip in to_number if ip == client_ip], now, pair_limits),
            wait_seconds([at for at, _ip in to_number], now, number_limits),
        ]
        if client_ip:
            from_address = SignInCode.objects.filter(
                client_ip=client_ip, sent_at__gt=horizon
            ).values_list("sent_at", flat=True)
            waits.append(wait_seconds(from_address, now, address_limits))
        if max(waits) > 0:
            raise _too_many(max(waits))
        ttl = int(settings.PORTAL_CODE_TTL_SECONDS)
        # The community of the number's first household: the message says whose office sends
        # it, as every message to residents does (【锦绣花园】…).
        community = (
            households_of(phone)
            .order_by("id")
            .values_list("community_id", "community__name")
            .first()
        )
        registered = community is not None
        code = new_code() if registered else secrets.token_hex(16)
        row = SignInCode.objects.create(
            phone=phone,
            client_ip=client_ip,
            code_hash=_hash(phone, code),
            sent_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
        if community is not None:
            community_id, community_name = community
            # Sent by the worker within a tick (notify.residents), never in this request: a
            # gateway's answer time, or its failure, would tell who lives here.
            text = _(
                "[%(community)s] Your sign-in code is %(code)s. It works once within"
                " %(minutes)d minutes. Tell no one."
            ) % {"community": community_name, "code": code, "minutes": max(1, ttl // 60)}
            resident_message_queue(
                community_id=community_id,
                phone=phone,
                cause=f"sign-in:{row.pk}",
                kind="sign_in_code",
                text=text,
                now=now,
                template="sign_in_code",
                params={"code": code},
                expires_at=row.expires_at,  # a code that no longer works is not sent
            )
    return SentCode(phone=row.phone, expires_at=row.expires_at)


def code_verify(*, phone: str, code: str, now: datetime) -> None:
    """Accept ``code`` for ``phone`` (normalised) once: one of the last LIVE_CODES codes sent to
    it that are still unused and within their lifetime (a new code does not void an older one),
    each with fewer than PORTAL_CODE_MAX_TRIES wrong tries. A wrong code counts a try on each of
    them (the last wrong try burns a code), so no code is ever tried more than that; a right one
    signs in and burns the others. Raises SignInRefused with the message to show."""
    code = (code or "").strip()
    if not (len(code) == CODE_DIGITS and code.isdigit()):
        raise SignInRefused(_("Write the 6-digit code from the SMS."))
    expired = SignInRefused(_("The code has expired or was already used. Please get a new code."))
    with transaction.atomic():
        live = list(
            SignInCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, burned=False, expires_at__gt=now)
            .order_by("-sent_at", "-id")[:LIVE_CODES]
        )
        if not live:
            raise expired
        given = _hash(phone, code)
        matches = [row for row in live if constant_time_compare(row.code_hash, given)]
        if matches:
            row = matches[0]
            row.used_at = now
            row.save(update_fields=["used_at"])
            SignInCode.objects.filter(phone=phone, used_at__isnull=True, burned=False).update(
                burned=True
            )
            return
        max_tries = int(settings.PORTAL_CODE_MAX_TRIES)
        for row in live:
            row.wrong_tries += 1
            row.burned = row.wrong_tries >= max_tries
            row.save(update_fields=["wrong_tries", "burned"])
        left = max(max_tries - row.wrong_tries for row in live)
        # Raised after the block: the count (and the burn) must commit, not roll back.
        if left <= 0:
            refused = SignInRefused(
                _(
                    "The code was typed wrong too many times and no longer works. Please get"
                    " a new code."
                )
            )
        else:
            refused = SignInRefused(_("The code is wrong. %(left)d tries left.") % {"left": left})
    raise refused


def sign_in_record(*, phone: str, client_ip: str, method: str, now: datetime) -> None:
    """Record a resident's sign-in for the office: one row per community of their households."""
    by_community: dict[int, list[str]] = {}
    for household in households_of(phone).prefetch_related("residents"):
        names = by_community.setdefault(household.community_id, [])
        names.extend(r.name for r in household.residents.all() if r.phone == phone)
    SignIn.objects.bulk_create(
        SignIn(
            community_id=cid,
            phone=phone,
            names="、".join(dict.fromkeys(names))[:200],
            at=now,
            client_ip=client_ip,
            method=Method(method),
        )
        for cid, names in by_community.items()
    )


def wechat_bind(*, openid: str, phone: str, now: datetime) -> None:
    """Bind a WeChat openid to the phone that just proved itself by SMS (a later bind moves it)."""
    WechatBinding.objects.update_or_create(
        openid=openid, defaults={"phone": phone, "bound_at": now}
    )


def wechat_phone(openid: str) -> str | None:
    """The phone bound to ``openid``, if it is still on the register."""
    phone = WechatBinding.objects.filter(openid=openid).values_list("phone", flat=True).first()
    if phone and households_of(phone).exists():
        return phone
    return None
