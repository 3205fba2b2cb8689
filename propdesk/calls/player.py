"""A day of calls as a phone system would report it, for the demo, the tests and the bench
(``manage.py play_calls``): made from the community's residents' numbers and its extensions,
the same for the same seed."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from propdesk.calls.models import Extension
from propdesk.calls.services import sign
from propdesk.community.models import Community, Resident


def day_of_calls(
    community: Community, day: date, *, calls: int = 30, seed: int = 1
) -> list[dict[str, Any]]:
    """The events (webhook bodies) of ``calls`` incoming calls on local ``day``, in time order:
    most answered within three rings, some later, about one in ten missed; a few callers
    unknown to the register. Event ids say the day and the seed, so a replayed day is refused."""
    rnd = random.Random(f"{community.pk}:{day}:{seed}")
    zone = ZoneInfo(community.time_zone)
    phones = list(
        Resident.objects.filter(household__community=community)
        .exclude(phone="")
        .order_by("id")
        .values_list("phone", flat=True)[:500]
    )
    extensions = list(
        Extension.objects.filter(community=community)
        .order_by("number")
        .values_list("number", flat=True)
    ) or ["801"]
    opening = datetime.combine(day, time(8, 0), tzinfo=zone)
    events: list[dict[str, Any]] = []
    for i in range(calls):
        at = opening + timedelta(seconds=rnd.randrange(0, 12 * 3600))
        phone = (
            rnd.choice(phones)
            if phones and rnd.random() < 0.85
            else f"139{rnd.randrange(10**8):08d}"
        )
        call = f"play-{day:%Y%m%d}-{seed}-{i}"
        base = {"call": call, "phone": phone, "line": "88881234"}
        events.append({**base, "id": f"{call}:ringing", "type": "ringing", "at": at})
        fate = rnd.random()
        if fate < 0.1:
            events.append(
                {**base, "id": f"{call}:missed", "type": "missed", "at": at + timedelta(seconds=30)}
            )
            continue
        ring = rnd.uniform(2, 14) if fate < 0.85 else rnd.uniform(16, 30)
        answered = at + timedelta(seconds=round(ring, 1))
        events.append(
            {
                **base,
                "id": f"{call}:answered",
                "type": "answered",
                "at": answered,
                "extension": rnd.choice(extensions),
            }
        )
        events.append(
            {
                **base,
                "id": f"{call}:ended",
                "type": "ended",
                "at": answered + timedelta(seconds=rnd.randrange(30, 300)),
            }
        )
    events.sort(key=lambda e: (e["at"], e["id"]))
    for e in events:
        e["at"] = e["at"].isoformat()
    return events


@dataclass
class PlayReport:
    sent: int = 0
    refused: int = 0


def post_signed(
    url: str, community_id: int, secret: str, body: dict[str, Any], *, timestamp: float
) -> tuple[int, dict[str, Any]]:
    """POST one event to the webhook, signed like a real phone system; (status, JSON answer)."""
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    ts = str(int(timestamp))
    sep = "&" if "?" in url else "?"
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's
        f"{url}{sep}community={community_id}",
        data=raw,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Propdesk-Timestamp": ts,
            "X-Propdesk-Signature": sign(secret, ts, raw),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
