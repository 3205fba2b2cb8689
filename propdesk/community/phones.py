"""The desk's one phone normaliser (issue 11, forms): what ``policy.phones.parse_phone`` takes, and
the landlines an office hears every day that it refuses: a local number of 7 or 8 digits said
without its area code (``8888 1234``, ``888 1234``), and an area-code landline of 7 digits
(``0371-6123456``) that the numbering tables no longer list."""

from __future__ import annotations

import re

from propdesk.policy.phones import _EXTENSION, InvalidPhone, Phone, parse_phone

# 7 or 8 digits, never starting 0 or 1 (those are area codes and mobiles).
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")
# 0 + area code (10, 2x, or three digits from 3) + a local number of 7 or 8 digits.
_AREA_LANDLINE = re.compile(r"^0(?:10|2\d|[3-9]\d{2})[2-9]\d{6,7}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def phone_normalise(text: str, *, area_code: str = "") -> Phone:
    """``text`` as the desk stores it: a mobile or landline as ``parse_phone`` reads it; a local
    landline of 7 or 8 digits prefixed with ``area_code`` (the community's, e.g. ``0755``) when
    one is known, else kept as its digits; an area-code landline with a 7- or 8-digit number.
    Raises InvalidPhone with a message that says what to type."""
    try:
        return parse_phone(text)
    except InvalidPhone as exc:
        raw = (text or "").strip()
        if not raw:
            raise
        extension = ""
        m = _EXTENSION.search(raw)
        if m:
            extension, raw = m.group(1), raw[: m.start()].strip()
        digits = _SEPARATORS.sub("", raw)
        if _LOCAL.match(digits):
            return Phone(number=f"{area_code}{digits}", extension=extension)
        if _AREA_LANDLINE.match(digits):
            return Phone(number=digits, extension=extension)
        raise InvalidPhone(
            f"电话号码格式不正确：{text}。请填写手机号（例如 13812345678）"
            "或座机号（例如 0755-88881234 或 8888 1234）"
        ) from exc
