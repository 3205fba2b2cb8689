"""The demo's calls (FD-1): each community's phone system (its webhook secret, a new random one
on each seed) and the receptionists' extensions, and a week of calls through the calls service:
most answered within three rings, a few later, a few missed and called back, and one missed a few
minutes ago that waits in the receptionists' queue as a call-back (回拨)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from propdesk.calls.models import Extension
from propdesk.calls.services import CallEventInput, call_event_record, phone_system_set

SOURCE = "demo"


def _office_moment(now: datetime, tz: Any) -> datetime:
    """A moment a few minutes before ``now`` within office hours (08:00-20:00), else the end of
    the last office hours."""
    local = (now - timedelta(minutes=4)).astimezone(tz)
    if local.time() < time(8, 5):
        local = datetime.combine(local.date() - timedelta(days=1), time(19, 50), tzinfo=tz)
    elif local.time() >= time(20, 0):
        local = datetime.combine(local.date(), time(19, 50), tzinfo=tz)
    return local


def seed_calls(offices: list[Any], rng: random.Random, now: datetime) -> int:
    """Write the demo's calls up to ``now``; returns how many calls."""
    count = 0
    for office in offices:
        community = office.community
        # The webhook's secret is a new random one (the secrets module): one drawn from the seeded
        # rng would be known to anyone who reads this code. The draw it once took is kept, so
        # the demo's calls stay the same.
        rng.randrange(16**24)
        phone_system_set(community=community)
        extensions = []
        for i, user in enumerate(office.receptionists):
            Extension.objects.create(community=community, number=f"80{i + 1}", user=user)
            extensions.append(f"80{i + 1}")
        phones = [r.phone for rs in office.residents.values() for r in rs if r.phone]
        plan: list[tuple[datetime, list[CallEventInput]]] = []
        today = now.astimezone(office.tz).date()
        for back in range(7, 0, -1):
            day = today - timedelta(days=back)
            for n in range(rng.randint(5, 9)):
                at = datetime.combine(day, time(8, 0), tzinfo=office.tz) + timedelta(
                    seconds=rng.randrange(0, 11 * 3600)
                )
                call = f"demo-{community.code}-{day:%m%d}-{n}"
                phone = rng.choice(phones)
                events = [CallEventInput(f"{call}:ringing", call, "ringing", at, phone, "88881234")]
                fate = rng.random()
                if fate < 0.1:
                    missed_at = at + timedelta(seconds=35)
                    events.append(CallEventInput(f"{call}:missed", call, "missed", missed_at))
                    back_at = missed_at + timedelta(minutes=rng.randint(3, 14))
                    events.append(
                        CallEventInput(
                            f"{call}:back",
                            f"{call}-back",
                            "outgoing",
                            back_at,
                            phone,
                            extension=rng.choice(extensions),
                        )
                    )
                    plan.append((at, events))
                    continue
                ring = rng.uniform(3, 13) if fate < 0.85 else rng.uniform(16, 25)
                answered = at + timedelta(seconds=round(ring, 1))
                events.append(
                    CallEventInput(
                        f"{call}:answered",
                        call,
                        "answered",
                        answered,
                        extension=rng.choice(extensions),
                    )
                )
                events.append(
                    CallEventInput(
                        f"{call}:ended",
                        call,
                        "ended",
                        answered + timedelta(seconds=rng.randint(40, 240)),
                    )
                )
                plan.append((at, events))
        # One missed a few minutes ago: a call-back waiting in the queue.
        at = _office_moment(now, office.tz)
        call = f"demo-{community.code}-now"
        plan.append(
            (
                at,
                [
                    CallEventInput(f"{call}:ringing", call, "ringing", at, phones[0], "88881234"),
                    CallEventInput(f"{call}:missed", call, "missed", at + timedelta(seconds=35)),
                ],
            )
        )
        plan.sort(key=lambda p: p[0])
        events_in_order = sorted((e for _at, evs in plan for e in evs), key=lambda e: e.at)
        for event in events_in_order:
            call_event_record(community=community, data=event, source=SOURCE, now=event.at)
        count += len(plan)
    return count
