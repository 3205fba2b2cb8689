"""Phone numbers as offices write them: mobiles, landlines with area code, extensions (转 801)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from propdesk.policy.messages import PolicyError, gettext_noop

_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
_ALLOWED = re.compile(r"^[\d\s\-()+]+$")


class InvalidPhone(PolicyError):
    """The text is not a phone number that can be dialled in China (``message`` and ``params``
    for the reader: ``propdesk.core.errors.policy_message``)."""


@dataclass(frozen=True)
class Phone:
    number: str  # digits as dialled inside China: 13812345678, 075588881234
    extension: str  # "" when none

    def display(self) -> str:
        main = self.number
        if main.startswith("0") and len(main) >= 10:
            # Area codes are 3 digits after 0 for 01x/02x, else 4 (0755, 0571).
            split = 3 if main[1] in "12" else 4
            main = f"{main[:split]}-{main[split:]}"
        return f"{main} 转 {self.extension}" if self.extension else main


# A local landline as people say it in their own city: 7 or 8 digits, never starting 0 or 1.
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
AREA_CODE = re.compile(r"^0\d{2,3}$")
# 0 + area code (10, 2x, or three digits from 3) + a local number of 7 or 8 digits: what offices
# dial, some of which the numbering tables no longer list (0371-6123456).
_AREA_LANDLINE = re.compile(r"^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")
_MALFORMED = gettext_noop(
    "The phone number is not valid: %(text)s. Write a mobile (e.g. 13812345678) or a landline"
    " with its area code (e.g. 0755-88881234)."
)


def parse_phone(text: str, *, area_code: str = "") -> Phone:
    """Parse a Chinese mobile or landline, with an optional extension: the one normalisation of
    phone numbers, used by the front desk's lookup, its form, the services and the API.

    Accepts ``13812345678``, ``+86 138 1234 5678``, ``0755-8888-1234``, ``(010) 6552 9988``,
    ``0755-8888-1234 转 801``; a local landline of 7 or 8 digits (``8888 1234``) takes
    ``area_code`` (the community's, e.g. ``0755``), and without one is refused with a message
    asking for the area code. Raises InvalidPhone with a message for the user.
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidPhone(gettext_noop("Write the phone number."))
    extension = ""
    m = _EXTENSION.search(raw)
    if m:
        extension = m.group(1)
        raw = raw[: m.start()].strip()
    if not _ALLOWED.match(raw):
        raise InvalidPhone(_MALFORMED, text=text)
    if _LOCAL.match(re.sub(r"[\s\-()]", "", raw)):
        if not AREA_CODE.match(area_code or ""):
            raise InvalidPhone(
                gettext_noop("Write the landline with its area code, e.g. 0755-88881234: %(text)s"),
                text=text,
            )
        raw = area_code + re.sub(r"\D", "", raw)
    try:
        parsed = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        kind = phonenumbers.PhoneNumberType.UNKNOWN
    else:
        # +86 is China's alone, where is_valid_number is number_type(...) != UNKNOWN: the
        # number's type worked out once (each is a match against the numbering tables).
        kind = (
            phonenumbers.number_type(parsed)
            if parsed.country_code == 86
            else phonenumbers.PhoneNumberType.UNKNOWN
        )
    if kind == phonenumbers.PhoneNumberType.UNKNOWN:
        landline = re.sub(r"\D", "", raw)
        if not raw.startswith("+") and _AREA_LANDLINE.match(landline):
            return Phone(number=landline, extension=extension)
        raise InvalidPhone(_MALFORMED, text=text)
    # The number as dialled inside China: its national significant number, after the national
    # prefix 0 unless it is a mobile. (What the digits of its NATIONAL format were, 0 added to
    # a landline's where that format leaves it out; the format itself is not needed.)
    is_mobile = kind == phonenumbers.PhoneNumberType.MOBILE
    national = phonenumbers.national_significant_number(parsed)
    digits = national if is_mobile else "0" + national
    # Landlines carry a 3- or 4-digit area code and a 7- or 8-digit number; mobiles are 11 digits.
    if not (
        (digits.startswith("0") and 10 <= len(digits) <= 12)
        or (digits.startswith("1") and len(digits) == 11)
    ):
        raise InvalidPhone(
            gettext_noop(
                "The phone number has the wrong number of digits; write a landline with its area"
                " code: %(text)s"
            ),
            text=text,
        )
    return Phone(number=digits, extension=extension)


def phone_digits(text: str) -> str:
    """Only the digits of what was typed, for prefix search while typing, without the country
    code (``+86 180`` → ``180``, ``0086 180`` → ``180``, ``8618071303284`` → ``18071303284``)."""
    raw = (text or "").strip()
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") or raw.startswith("00"):
        digits = digits.lstrip("0")
        return digits[2:] if digits.startswith("86") else digits
    return digits[2:] if digits.startswith("86") and len(digits) > 11 else digits


# More digits than any number the register stores (a landline with its area code is 12, the
# phone column holds 20).
LONGEST_DIGITS = 20


@dataclass(frozen=True)
class PhoneQuery:
    """What a phone typed so far asks the register for (``phone_query``).

    ``exact``: a whole number, normalised as stored (``parse_phone``); ``prefix``: the stored
    numbers that start with it, while the number is still being typed; ``local``: a whole local
    landline (7 or 8 digits) in a community with no area code: the stored landlines ending in it,
    whatever their area code. At most one of them is set; none when nothing can be searched yet.
    """

    exact: str = ""
    prefix: str = ""
    local: str = ""


def phone_query(text: str, *, area_code: str = "") -> PhoneQuery:
    """Read what was typed into the phone field, whole or in part, the way ``parse_phone`` reads
    a whole number: ``+86 180…``, ``180-7130-…``, ``0755 8888…``, and a local ``8888 12…`` with
    the community's ``area_code``. Fewer than three digits search nothing, nor do more than any
    stored number has (LONGEST_DIGITS): such a text matches nothing, and a prefix that long is
    no pattern to send to the database (SQLite refuses a LIKE pattern over 50,000 bytes)."""
    raw = _EXTENSION.sub("", (text or "").strip())
    if not raw or not _ALLOWED.match(raw):
        return PhoneQuery()
    try:
        return PhoneQuery(exact=parse_phone(raw, area_code=area_code).number)
    except InvalidPhone:
        pass
    digits = phone_digits(raw)
    if not 3 <= len(digits) <= LONGEST_DIGITS:
        return PhoneQuery()
    if digits[0] in "01":
        return PhoneQuery(prefix=digits)
    if AREA_CODE.match(area_code or ""):
        return PhoneQuery(prefix=area_code + digits)
    return PhoneQuery(local=digits) if 7 <= len(digits) <= 8 else PhoneQuery()


def mask_phone(number: str) -> str:
    """A phone number as shown to staff who may not read it whole: the first three and the last
    four digits, the middle as ``****`` (13812341234 → 138****1234). Anything shorter than eight
    digits is masked entirely; the extension is never shown. "" stays ""."""
    digits = re.sub(r"\D", "", number or "")
    if not digits:
        return ""
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"
