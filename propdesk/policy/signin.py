"""The resident portal's one-time sign-in codes: how many may be sent, and how long to wait.

Plain Python (no Django): the portal's service passes the times earlier codes were sent (to one
number, or from one address) and ``now``; all times are aware datetimes, durations in seconds.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

CODE_DIGITS = 6


@dataclass(frozen=True)
class Limit:
    """At most ``count`` codes in any ``seconds``-long window."""

    count: int
    seconds: int


# 1 a minute, 5 an hour, 10 a day: per phone number and client address together (the pair).
DEFAULT_LIMITS: tuple[Limit, ...] = (Limit(1, 60), Limit(5, 3600), Limit(10, 86400))

# A new code does not void the ones sent before it: the last LIVE_CODES codes of a number still
# within their lifetime all work (each with its own wrong tries), so that someone asking for a
# resident's number cannot void the code the resident is typing, and a late SMS still works.
LIVE_CODES = 3


def parse_limits(text: str) -> tuple[Limit, ...]:
    """``"1/60,5/3600,10/86400"`` (count/seconds, comma-separated) → limits; "" → the defaults."""
    if not text.strip():
        return DEFAULT_LIMITS
    out = []
    for part in text.split(","):
        count, seconds = part.strip().split("/")
        out.append(Limit(int(count), int(seconds)))
    return tuple(out)


def wait_seconds(sent: Iterable[datetime], now: datetime, limits: Sequence[Limit]) -> int:
    """Seconds until one more code may be sent, 0 when it may be sent now.

    A code sent at ``t`` counts in a window of ``w`` seconds while ``now - t < w``: one sent at
    10:00:00 with a limit of 1 a minute refuses the next at 10:00:59 (1 second to wait) and
    allows it at 10:01:00.
    """
    times = sorted(sent, reverse=True)
    wait = 0.0
    for limit in limits:
        inside = [t for t in times if (now - t).total_seconds() < limit.seconds]
        if len(inside) >= limit.count:
            # The window frees a place when the count-th most recent send leaves it.
            oldest_that_counts = inside[limit.count - 1]
            left = limit.seconds - (now - oldest_that_counts).total_seconds()
            wait = max(wait, left)
    whole = int(wait)
    return whole + 1 if wait > whole else whole


def new_code() -> str:
    """A random code of CODE_DIGITS digits (leading zeros kept), from the OS's secure source."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def wait_parts(seconds: int) -> tuple[str, int]:
    """How to say a wait: ("seconds", n) under a minute, ("minutes", n) under an hour (rounded
    up), else ("hours", n) rounded up."""
    if seconds < 60:
        return "seconds", max(1, seconds)
    if seconds < 3600:
        return "minutes", -(-seconds // 60)
    return "hours", -(-seconds // 3600)
