"""The SMS gateway for residents: one function, ``send_sms(phone, text)``, and pluggable backends.

``settings.SMS_BACKEND`` names the backend class (dotted path); ``settings.SMS_OPTIONS`` its
keyword arguments (credentials come from the environment, never the repository). The default is
the console backend: it writes the message to the log and keeps the last ones in memory, so
development and tests read the code a resident would have received (``console_sent``).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("propdesk.sms")


class SmsError(Exception):
    """The gateway refused or could not be reached (the caller decides whether to retry)."""


class Gateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


_CONSOLE: deque[tuple[str, str]] = deque(maxlen=500)


class ConsoleGateway:
    """Development and tests: the message goes to the log (and to memory), not to a phone."""

    def __init__(self, **_options: Any) -> None:
        pass

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)
        _CONSOLE.append((phone, text))


def console_sent(phone: str | None = None) -> list[str]:
    """The texts the console backend sent (to ``phone``), oldest first."""
    return [text for to, text in _CONSOLE if phone is None or to == phone]


def gateway() -> Gateway:
    backend = getattr(settings, "SMS_BACKEND", "propdesk.notify.sms.ConsoleGateway")
    options = getattr(settings, "SMS_OPTIONS", {})
    cls = import_string(backend)
    result: Gateway = cls(**options)
    return result


def send_sms(phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` through the configured gateway; raises SmsError on failure."""
    gateway().send(phone, text)
