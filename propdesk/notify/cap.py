"""Issue 12: notifications per person are capped (policy ``notify_cap``). Of the capped kinds,
at most ``per_person`` in-app notifications reach one person in any ``window_minutes`` (counted
back from ``now``, the window's start excluded); each one over the cap is folded into that
person's one summary notification of the window (kind ``digest``): its title and its payload's
``count`` count them, and each is kept as a DigestItem row (cause, kind, title, payload), so
nothing is dropped silently. The kinds in ``uncapped`` (emergency calls) are never capped and not
counted, and neither is the summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from propdesk.community.models import Community
from propdesk.core.bulk import insert_many
from propdesk.notify.models import DigestItem, Notification, NotificationChannel, NotificationState
from propdesk.policy.rules import NotifyCapPolicy, load_policy

DIGEST_KIND = "digest"
MAX_ITEMS = 200  # the summary shows this many (its first); its count goes on


def cap_policy(community_id: int) -> NotifyCapPolicy:
    overrides = Community.objects.filter(pk=community_id).values_list("policy", flat=True).first()
    return load_policy(overrides or {}).notify_cap


def over_cap(
    *,
    community_id: int,
    recipient_ids: Sequence[int],
    kind: str,
    now: datetime,
    cap: NotifyCapPolicy | None = None,
    tally: CapTally | None = None,
) -> tuple[NotifyCapPolicy, set[int]]:
    """The policy, and those of ``recipient_ids`` who had ``per_person`` capped notifications
    in the window ending at ``now``. ``cap``: the community's policy when the caller has it;
    ``tally``: the transaction's memory of what was counted and written (CapTally)."""
    cap = cap or cap_policy(community_id)
    if kind in cap.uncapped or kind == DIGEST_KIND or not recipient_ids:
        return cap, set()
    since = now - timedelta(minutes=cap.window_minutes)
    if tally is not None and tally.covers(now):
        counted = tally.told_in(recipient_ids, cap, since=since, now=now)
        return cap, {uid for uid, n in counted.items() if n >= cap.per_person}
    counts = (
        Notification.objects.filter(
            recipient_id__in=recipient_ids,
            channel=NotificationChannel.IN_APP,
            created_at__gt=since,
            created_at__lte=now,
        )
        .exclude(kind__in=[*cap.uncapped, DIGEST_KIND])
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return cap, {uid for uid, n in counts if n >= cap.per_person}


def _title(count: int, minutes: int) -> str:
    return _("%(n)s more notifications in the last %(minutes)s minutes, gathered here") % {
        "n": count,
        "minutes": minutes,
    }


def fold_into_digest(
    *,
    cap: NotifyCapPolicy,
    community_id: int,
    recipient_id: int,
    cause: str,
    kind: str,
    title: str,
    payload: Mapping[str, Any],
    now: datetime,
    told_checked: bool = False,
    tally: CapTally | None = None,
) -> bool:
    """Add one notification to the person's summary of this window (made on the first one).
    Returns False when that cause was already folded there, or the person already has it as a
    notification of its own (a repeat writes nothing); ``told_checked``: the caller has just
    made sure of the latter. Call it inside a transaction: the summary stays locked until its
    end, so its count and its items agree.

    A fold is one INSERT of a DigestItem (a repeat cause is skipped by the unique (summary,
    cause)) and one UPDATE of the summary's count and title: its items are never read back.
    With a ``tally``, the summary found or made is remembered for the transaction, and the
    UPDATE of its count waits for ``tally.flush()``."""
    since = now - timedelta(minutes=cap.window_minutes)
    if tally is not None:
        known = tally.digests.get((community_id, recipient_id))
        if known is not None and known.created_at > since:
            return _fold_known(
                known, cap, recipient_id, cause, kind, title, payload, now, told_checked
            )
    digest = (
        Notification.objects.select_for_update()
        .filter(
            community_id=community_id,
            recipient_id=recipient_id,
            channel=NotificationChannel.IN_APP,
            kind=DIGEST_KIND,
            created_at__gt=since,
        )
        .order_by("-created_at", "-pk")
        .only("pk", "payload", "created_at")
        .first()
    )
    if digest is None:
        stamp = int(now.timestamp() * 1000)
        digest = Notification.objects.create(
            community_id=community_id,
            recipient_id=recipient_id,
            channel=NotificationChannel.IN_APP,
            cause=f"digest:{recipient_id}:{stamp}"[:100],
            kind=DIGEST_KIND,
            title=_title(1, cap.window_minutes)[:200],
            payload={"count": 1},
            dedupe_key=f"digest:{recipient_id}:{stamp}:{community_id}:in_app",
            state=NotificationState.PENDING,
            created_at=now,
        )
        _add_item(digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now)
        if tally is not None:
            tally.digests[(community_id, recipient_id)] = _Digest(digest.pk, now, 1)
        return True
    known = _Digest(digest.pk, digest.created_at, int((digest.payload or {}).get("count", 0)))
    if tally is not None:
        tally.digests[(community_id, recipient_id)] = known
    if not _fold_known(known, cap, recipient_id, cause, kind, title, payload, now, told_checked):
        return False
    if tally is None:
        known.write()
    return True


def _fold_known(
    digest: _Digest,
    cap: NotifyCapPolicy,
    recipient_id: int,
    cause: str,
    kind: str,
    title: str,
    payload: Mapping[str, Any],
    now: datetime,
    told_checked: bool,
) -> bool:
    """fold_into_digest into a summary found or made: its count is kept in ``digest`` until
    ``digest.write()`` (at once without a CapTally, at the tally's ``flush`` with one)."""
    if not told_checked and (
        Notification.objects.filter(
            recipient_id=recipient_id, cause=cause, channel=NotificationChannel.IN_APP
        ).exists()
    ):
        return False
    if not _add_item(digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now):
        return False  # already folded into this summary
    digest.count += 1
    digest.window_minutes = cap.window_minutes
    return True


@dataclass
class _Digest:
    pk: int
    created_at: datetime
    count: int
    window_minutes: int | None = None  # set when the count changed and is not written yet

    def write(self) -> None:
        """Write the summary's count and title, if its count changed since it was read."""
        if self.window_minutes is not None:
            Notification.objects.filter(pk=self.pk).update(
                payload={"count": self.count},
                title=_title(self.count, self.window_minutes)[:200],
            )
            self.window_minutes = None


class CapTally:
    """What one transaction of the worker (a batch of desk.tell) counts and writes for the cap,
    read once instead of once per notification: each recipient's in-app notifications of the
    window before ``span`` (the earliest and latest ``now`` of the batch) to its end, and each
    summary found or made (held locked by the transaction, its count written by ``flush``).
    Only for a transaction that is rolled back whole when anything in it fails: nothing here
    is undone with a savepoint. The rows another transaction commits meanwhile are not seen
    (as with any count read before an insert: the cap is a count, not a lock)."""

    def __init__(self, span: tuple[datetime, datetime]) -> None:
        self.span = span
        self.digests: dict[tuple[int, int], _Digest] = {}
        self._told: dict[tuple[int, int], list[tuple[datetime, str]]] = {}

    def covers(self, now: datetime) -> bool:
        return self.span[0] <= now <= self.span[1]

    def told_in(
        self, recipient_ids: Sequence[int], cap: NotifyCapPolicy, *, since: datetime, now: datetime
    ) -> dict[int, int]:
        """Per recipient, their in-app notifications created in (since, now], not of the
        ``uncapped`` kinds nor summaries: over_cap's count."""
        window = cap.window_minutes
        missing = [uid for uid in recipient_ids if (uid, window) not in self._told]
        if missing:
            found: dict[int, list[tuple[datetime, str]]] = {uid: [] for uid in missing}
            for uid, at, kind in (
                Notification.objects.filter(
                    recipient_id__in=missing,
                    channel=NotificationChannel.IN_APP,
                    created_at__gt=self.span[0] - timedelta(minutes=window),
                    created_at__lte=self.span[1],
                )
                .exclude(kind=DIGEST_KIND)
                .values_list("recipient_id", "created_at", "kind")
            ):
                found[uid].append((at, kind))
            for uid in missing:
                self._told[(uid, window)] = found[uid]
        skip = {*cap.uncapped, DIGEST_KIND}
        told = self._told
        return {
            uid: sum(1 for at, k in told[(uid, window)] if since < at <= now and k not in skip)
            for uid in recipient_ids
        }

    def written(
        self, recipient_ids: Sequence[int], kind: str, now: datetime, *, all_new: bool
    ) -> None:
        """In-app rows of ``kind`` at ``now`` were inserted for ``recipient_ids``; ``all_new``:
        each of them (none was there already). Otherwise those recipients are read again."""
        ids = set(recipient_ids)
        for key in [key for key in self._told if key[0] in ids]:
            if all_new and self.covers(now):
                self._told[key].append((now, kind))
            else:
                del self._told[key]

    def flush(self) -> None:
        """Write the count and title of each summary folded into since it was read."""
        for digest in self.digests.values():
            digest.write()


_ITEM_FIELDS = ("digest", "cause", "kind", "title", "payload", "created_at")


def _add_item(
    digest_id: int,
    *,
    cause: str,
    kind: str,
    title: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> bool:
    """One row in the summary; False (nothing written) when its cause is there already. Every
    fold is kept (beyond MAX_ITEMS too, so a repeat is always known); lists show MAX_ITEMS."""
    row = (digest_id, cause[:100], kind[:20], title[:200], dict(payload), now)
    return insert_many(DigestItem, _ITEM_FIELDS, [row], ignore_conflicts=True) == 1
