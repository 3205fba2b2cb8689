"""Issue 12: notifications per person are capped (policy ``notify_cap``). Of the capped kinds,
at most ``per_person`` in-app notifications reach one person in any ``window_minutes`` (counted
back from ``now``, the window's start excluded); each one over the cap is folded into that
person's one summary notification of the window (kind ``digest``): its title and its payload's
``count`` count them, and each is kept as a DigestItem row (cause, kind, title, payload), so
nothing is dropped silently. The kinds in ``uncapped`` (emergency calls) are never capped and not
counted, and neither is the summary.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
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
    UPDATE of its count and the INSERT of its new items wait for ``tally.flush()`` (a repeat
    cause known from one read of the summary's items of the batch's causes)."""
    since = now - timedelta(minutes=cap.window_minutes)
    if tally is not None:
        known = tally.digests.get((community_id, recipient_id))
        if known is not None and known.created_at > since:
            return _fold_known(
                known, cap, recipient_id, cause, kind, title, payload, now, told_checked, tally
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
        if tally is not None:
            tally.digests[(community_id, recipient_id)] = _Digest(digest.pk, now, 1)
            tally.add_item(
                digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now, new=True
            )
        else:
            _add_item(digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now)
        return True
    known = _Digest(digest.pk, digest.created_at, int((digest.payload or {}).get("count", 0)))
    if tally is not None:
        tally.digests[(community_id, recipient_id)] = known
    if not _fold_known(
        known, cap, recipient_id, cause, kind, title, payload, now, told_checked, tally
    ):
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
    tally: CapTally | None,
) -> bool:
    """fold_into_digest into a summary found or made: its count is kept in ``digest`` until
    ``digest.write()`` (at once without a CapTally, at the tally's ``flush`` with one), and so
    is its new item with a tally (``CapTally.add_item``)."""
    if not told_checked and (
        Notification.objects.filter(
            recipient_id=recipient_id, cause=cause, channel=NotificationChannel.IN_APP
        ).exists()
    ):
        return False
    added = (
        tally.add_item(digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now)
        if tally is not None
        else _add_item(digest.pk, cause=cause, kind=kind, title=title, payload=payload, now=now)
    )
    if not added:
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
    summary found or made (held locked by the transaction, its count and new items written by
    ``flush``); who of the batch's recipients was already told of one of the batch's causes
    (``causes``, ``recipient_ids``: one read instead of one per folded notification). Only for
    a transaction that is rolled back whole when anything in it fails: nothing here
    is undone with a savepoint. The rows another transaction commits meanwhile are not seen
    (as with any count read before an insert: the cap is a count, not a lock; on SQLite the
    batch holds the one write lock, so none are)."""

    def __init__(
        self,
        span: tuple[datetime, datetime],
        *,
        causes: Iterable[str] = (),
        recipient_ids: Iterable[int] = (),
    ) -> None:
        self.span = span
        self.digests: dict[tuple[int, int], _Digest] = {}
        self._told: dict[tuple[int, int], list[tuple[datetime, str]]] = {}
        # "Already told of this cause" (already_told): the batch's causes and the people it may
        # tell, read once at the first question; then each in-app row written added.
        self.causes = set(causes)
        self.recipient_ids = set(recipient_ids)
        self._told_of: dict[str, set[int]] | None = None
        self._told_of_scope: tuple[set[str], set[int]] = (set(), set())
        # Each summary's causes of the batch (read once, or none for a summary made here: the
        # scope None, every cause known), and the items folded, inserted by flush.
        self._items: dict[int, set[str]] = {}
        self._items_scope: dict[int, set[str] | None] = {}
        self._new_items: list[tuple[Any, ...]] = []

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

    def already_told(self, cause: str, recipient_ids: Collection[int]) -> set[int]:
        """Those of ``recipient_ids`` who have an in-app notification of ``cause``
        (``already_told``), answered from one read for the batch's causes and recipients when
        both cover the question, else read as before."""
        if self._told_of is None and cause in self.causes:
            causes, ids = set(self.causes), self.recipient_ids | set(recipient_ids)
            found: dict[str, set[int]] = {c: set() for c in causes}
            for c, uid in Notification.objects.filter(
                recipient_id__in=ids, cause__in=causes, channel=NotificationChannel.IN_APP
            ).values_list("cause", "recipient_id"):
                found[c].add(uid)
            self._told_of, self._told_of_scope = found, (causes, ids)
        causes, ids = self._told_of_scope
        if self._told_of is not None and cause in causes and ids.issuperset(recipient_ids):
            return self._told_of[cause] & set(recipient_ids)
        return already_told(cause, recipient_ids)

    def add_item(
        self,
        digest_id: int,
        *,
        cause: str,
        kind: str,
        title: str,
        payload: Mapping[str, Any],
        now: datetime,
        new: bool = False,
    ) -> bool:
        """_add_item, its INSERT kept for ``flush``: False when the summary has that cause
        already (read once per summary for the batch's causes; ``new``: a summary made in this
        transaction, which has none)."""
        short = cause[:100]
        if digest_id not in self._items:
            if new:
                self._items[digest_id], self._items_scope[digest_id] = set(), None
            else:
                causes = {c[:100] for c in self.causes}
                self._items[digest_id] = (
                    set(
                        DigestItem.objects.filter(
                            digest_id=digest_id, cause__in=causes
                        ).values_list("cause", flat=True)
                    )
                    if causes
                    else set()
                )
                self._items_scope[digest_id] = causes
        held, asked = self._items[digest_id], self._items_scope[digest_id]
        if asked is not None and short not in asked:
            # A cause outside the batch's (none in desk.tell): asked of the summary alone.
            if DigestItem.objects.filter(digest_id=digest_id, cause=short).exists():
                held.add(short)
            asked.add(short)
        if short in held:
            return False
        held.add(short)
        self._new_items.append(_item_row(digest_id, cause, kind, title, payload, now))
        return True

    def written(
        self,
        recipient_ids: Sequence[int],
        kind: str,
        now: datetime,
        *,
        all_new: bool,
        cause: str | None = None,
    ) -> None:
        """In-app rows of ``kind`` (and ``cause``) at ``now`` were inserted for
        ``recipient_ids``; ``all_new``: each of them (none was there already). Otherwise those
        recipients are read again, and so is who was told of ``cause``."""
        ids = set(recipient_ids)
        for key in [key for key in self._told if key[0] in ids]:
            if all_new and self.covers(now):
                self._told[key].append((now, kind))
            else:
                del self._told[key]
        if cause is not None and self._told_of is not None and cause in self._told_of:
            if all_new:
                self._told_of[cause] |= ids
            else:
                del self._told_of[cause]
                self._told_of_scope[0].discard(cause)

    def flush(self) -> None:
        """Insert the items folded (in their order), then write the count and title of each
        summary folded into since it was read."""
        if self._new_items:
            insert_many(DigestItem, _ITEM_FIELDS, self._new_items, ignore_conflicts=True)
            self._new_items = []
        for digest in self.digests.values():
            digest.write()


def already_told(cause: str, recipient_ids: Collection[int]) -> set[int]:
    """Those of ``recipient_ids`` who have an in-app notification of ``cause`` (issue 12: one
    already told of a cause keeps it, and it is not folded into their summary)."""
    return set(
        Notification.objects.filter(
            cause=cause, recipient_id__in=recipient_ids, channel=NotificationChannel.IN_APP
        ).values_list("recipient_id", flat=True)
    )


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
    row = _item_row(digest_id, cause, kind, title, payload, now)
    return insert_many(DigestItem, _ITEM_FIELDS, [row], ignore_conflicts=True) == 1


def _item_row(
    digest_id: int, cause: str, kind: str, title: str, payload: Mapping[str, Any], now: datetime
) -> tuple[Any, ...]:
    """A summary item's row, in ``_ITEM_FIELDS``' order, each text cut to its column."""
    return (digest_id, cause[:100], kind[:20], title[:200], dict(payload), now)
