"""The time source. Nothing in propdesk calls ``now()`` directly: services take ``now``, and the
thin interface (views, API, commands, the worker) asks ``get_clock()`` once per request or tick.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told: for tests and the simulator."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at = self.at + timedelta(**delta)
        return self.at


_override: Clock | None = None


def get_clock() -> Clock:
    """The clock in force: an override (tests, the simulator), else settings.PROPDESK_CLOCK."""
    if _override is not None:
        return _override
    factory = import_string(settings.PROPDESK_CLOCK)
    clock: Clock = factory()
    return clock


def set_clock(clock: Clock | None) -> None:
    """Install ``clock`` for this process (``None`` restores the configured one)."""
    global _override
    _override = clock


def local_minute(at: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``at`` as a person reads it in a record's name (a back-office page's title, a choice in
    a list): in the time zone the pages show (settings.TIME_ZONE, as the back office's own
    fields), not UTC; "" for no time."""
    if at is None:
        return ""
    from django.utils import timezone  # settings are configured by the time a record is named

    return timezone.localtime(at).strftime(fmt)
