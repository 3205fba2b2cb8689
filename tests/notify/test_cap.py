"""Issue 12 (limits): notifications per person are capped by the policy (``notify_cap``: 20 in
any 10 minutes by default); the rest are folded into one summary notification, never dropped;
emergency calls (EM-1, EM-2) are never capped. Boundaries on the injected clock."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from propdesk.notify.cap import DIGEST_KIND, MAX_ITEMS, CapTally, fold_into_digest
from propdesk.notify.models import DigestItem, Notification
from propdesk.notify.selectors import digest_items
from propdesk.policy.rules import load_policy
from tests.notify.helpers import notify


def _rows(user, **kw):
    return Notification.objects.filter(recipient=user, channel="in_app", **kw)


def test_the_21st_in_ten_minutes_is_folded_into_one_summary(office, clock) -> None:
    cap = load_policy().notify_cap
    assert (cap.per_person, cap.window_minutes) == (20, 10)
    start = clock.at
    for i in range(20):
        clock.at = start + timedelta(seconds=i)
        notify(office, [office.head, office.administrator], clock, cause=f"c:{i}")
    assert _rows(office.head).count() == 20
    with translation.override("zh-hans"):
        for i in range(20, 25):  # the 21st … 25th, the last at 9 min 59 s
            clock.at = start + timedelta(minutes=9, seconds=55 + i - 20)
            notify(office, [office.head], clock, cause=f"c:{i}", title=f"第{i}条")
    assert _rows(office.head).exclude(kind=DIGEST_KIND).count() == 20
    digest = _rows(office.head, kind=DIGEST_KIND).get()
    assert digest.payload == {"count": 5}
    items = list(digest.digest_items.all())
    assert [i.cause for i in items] == [f"c:{i}" for i in range(20, 25)]
    assert (items[0].title, items[0].kind, items[0].payload) == (
        "第20条",
        "clock_escalation",
        {"order": 1},
    )
    assert items[-1].created_at == clock.now()
    assert digest.title == "近10分钟内另有5条通知，已汇总于此"
    # A repeat of a folded cause is not counted twice; another person is not affected.
    notify(office, [office.head], clock, cause="c:24")
    assert _rows(office.head, kind=DIGEST_KIND).get().payload["count"] == 5
    assert DigestItem.objects.filter(digest=digest).count() == 5
    notify(office, [office.receptionist, office.administrator], clock, cause="c:20")
    assert _rows(office.receptionist, cause="c:20").exists()
    assert _rows(office.administrator, kind=DIGEST_KIND).get().payload["count"] == 1


def test_the_window_boundary_the_first_leaves_it_at_exactly_ten_minutes(office, clock) -> None:
    start = clock.at
    for i in range(20):
        clock.at = start + timedelta(seconds=i)
        notify(office, [office.head], clock, cause=f"c:{i}")
    # At 10 min 0 s the first (sent at 0 s) has left the window: 19 in it, so one more passes.
    clock.at = start + timedelta(minutes=10)
    notify(office, [office.head], clock, cause="c:20")
    assert _rows(office.head, cause="c:20").exists()
    # 20 again in the window (1 s … 19 s, and 10 min): the next at 10 min 0.5 s is folded.
    clock.at = start + timedelta(minutes=10, milliseconds=500)
    notify(office, [office.head], clock, cause="c:21")
    assert not _rows(office.head, cause="c:21").exists()
    assert _rows(office.head, kind=DIGEST_KIND).get().payload["count"] == 1


def test_emergency_calls_are_never_capped_nor_counted(office, clock) -> None:
    start = clock.at
    for i in range(20):
        clock.at = start + timedelta(seconds=i)
        notify(office, [office.head], clock, cause=f"c:{i}")
    for i in range(30):  # EM-1 calls and roster gaps: all delivered
        notify(office, [office.head], clock, cause=f"emergency:{i}", kind="emergency")
        notify(office, [office.head], clock, cause=f"gap:{i}", kind="roster_gap")
    assert _rows(office.head, kind="emergency").count() == 30
    assert _rows(office.head, kind="roster_gap").count() == 30
    assert not _rows(office.head, kind=DIGEST_KIND).exists()
    notify(office, [office.head], clock, cause="c:x")  # the 21st capped kind: folded
    assert _rows(office.head, kind=DIGEST_KIND).get().payload["count"] == 1


def test_the_cap_is_the_communitys_policy(office, clock) -> None:
    office.community.policy = {"notify_cap": {"per_person": 2, "window_minutes": 1}}
    office.community.save(update_fields=["policy"])
    for i in range(3):
        notify(office, [office.head], clock, cause=f"c:{i}")
    assert _rows(office.head).exclude(kind=DIGEST_KIND).count() == 2
    assert _rows(office.head, kind=DIGEST_KIND).get().payload["count"] == 1
    clock.at += timedelta(minutes=1)
    notify(office, [office.head], clock, cause="c:3")
    assert _rows(office.head, cause="c:3").exists()


# --- issue 15: a summary's items are rows; a fold never reads or rewrites a list ------------------


def _over_cap(office, clock, n: int = 20) -> None:
    """``office.head`` has had ``n`` (the cap) notifications in the window."""
    start = clock.at
    for i in range(n):
        clock.at = start + timedelta(seconds=i)
        notify(office, [office.head], clock, cause=f"own:{i}")


def _verb(sql: str) -> str:
    """A statement's first word (a raw executemany is logged as "1 times: INSERT …")."""
    return re.sub(r"^\d+ times: ", "", sql).split(" ", 1)[0].upper()


def _fold(office, clock, cause: str, **kw) -> bool:
    with transaction.atomic():
        return fold_into_digest(
            cap=load_policy().notify_cap,
            community_id=office.community.pk,
            recipient_id=office.head.pk,
            cause=cause,
            kind=kw.get("kind", "clock_escalation"),
            title=kw.get("title", f"标题 {cause}"),
            payload=kw.get("payload", {"order": 1}),
            now=clock.now(),
            told_checked=kw.get("told_checked", False),
        )


def test_a_fold_is_one_item_row_and_one_update_of_the_count(office, clock) -> None:
    _over_cap(office, clock)
    notify(office, [office.head], clock, cause="c:first")  # the summary is made
    digest = _rows(office.head, kind=DIGEST_KIND).get()
    with CaptureQueriesContext(connection) as q, translation.override("zh-hans"):
        notify(office, [office.head], clock, cause="c:second", title="第二条")
    sqls = [x["sql"] for x in q.captured_queries]
    inserts = [s for s in sqls if _verb(s) == "INSERT"]
    updates = [s for s in sqls if _verb(s) == "UPDATE"]
    assert len(inserts) == 1 and "notify_digestitem" in inserts[0]
    assert len(updates) == 1 and "notify_notification" in updates[0]
    # No statement carries a list of items: the summary's payload is its count only.
    assert not any("items" in s or "c:first" in s for s in sqls)
    digest.refresh_from_db()
    assert digest.payload == {"count": 2}
    assert digest.title == "近10分钟内另有2条通知，已汇总于此"
    assert [i.cause for i in digest_items(digest)] == ["c:first", "c:second"]


def test_250_folds_count_250_and_the_lists_show_the_first_200(office, clock) -> None:
    _over_cap(office, clock)
    for i in range(250):
        assert _fold(office, clock, f"c:{i}") is True
    digest = _rows(office.head, kind=DIGEST_KIND).get()
    assert digest.payload == {"count": 250}
    assert "250" in digest.title
    # Every fold is kept (a repeat is known beyond 200 too); the summary shows the first 200.
    assert DigestItem.objects.filter(digest=digest).count() == 250
    shown = digest_items(digest)
    assert len(shown) == MAX_ITEMS == 200
    assert [i.cause for i in shown[:2]] == ["c:0", "c:1"] and shown[-1].cause == "c:199"
    # A repeat — within the first 200 or beyond — writes nothing.
    for cause in ("c:3", "c:240"):
        with CaptureQueriesContext(connection) as q:
            assert _fold(office, clock, cause, title="又一次") is False
        verbs = [_verb(x["sql"]) for x in q.captured_queries]
        assert [v for v in verbs if v not in {"SAVEPOINT", "RELEASE"}] == [
            "SELECT",
            "SELECT",
            "INSERT",
        ]
    digest.refresh_from_db()
    assert digest.payload == {"count": 250}
    assert DigestItem.objects.filter(digest=digest).count() == 250
    assert not DigestItem.objects.filter(title="又一次").exists()


def test_a_cause_the_person_has_as_its_own_is_not_folded(office, clock) -> None:
    _over_cap(office, clock)
    assert _fold(office, clock, "c:new") is True
    # own:3 reached the head as a notification of its own: not folded (told_checked unset).
    assert _fold(office, clock, "own:3") is False
    digest = _rows(office.head, kind=DIGEST_KIND).get()
    assert digest.payload == {"count": 1}
    assert [i.cause for i in digest_items(digest)] == ["c:new"]


def test_the_migration_moves_a_summarys_items_into_rows_and_back(office, clock) -> None:
    migration = importlib.import_module("propdesk.notify.migrations.0007_digest_items_from_payload")
    legacy = [
        {
            "cause": f"c:{i}",
            "kind": "clock_escalation",
            "title": f"第{i}条",
            "payload": {"url": f"/desk/orders/{i}/"},
        }
        for i in range(200)
    ]
    digest = Notification.objects.create(
        community=office.community,
        recipient=office.head,
        cause="digest:1:1",
        kind=DIGEST_KIND,
        title="近10分钟内另有230条通知，已汇总于此",
        payload={"count": 230, "items": legacy},
        dedupe_key="digest:1:1:in_app",
        created_at=clock.now(),
    )
    other = Notification.objects.create(
        community=office.community,
        recipient=office.head,
        cause="c:x",
        kind="clock_escalation",
        title="不是汇总",
        payload={"order": 1, "items": [1, 2]},
        dedupe_key="c:x:in_app",
        created_at=clock.now(),
    )
    migration.items_to_rows(apps, None)
    digest.refresh_from_db()
    other.refresh_from_db()
    assert digest.payload == {"count": 230}
    rows = list(DigestItem.objects.filter(digest=digest).order_by("id"))
    assert [r.cause for r in rows] == [f"c:{i}" for i in range(200)]
    assert (rows[7].title, rows[7].kind, rows[7].payload) == (
        "第7条",
        "clock_escalation",
        {"url": "/desk/orders/7/"},
    )
    assert rows[0].created_at == digest.created_at
    assert other.payload == {"order": 1, "items": [1, 2]}  # not a summary: untouched
    migration.items_to_rows(apps, None)  # a second run changes nothing
    assert DigestItem.objects.filter(digest=digest).count() == 200
    migration.rows_to_items(apps, None)
    digest.refresh_from_db()
    assert digest.payload == {"count": 230, "items": legacy}
    assert not DigestItem.objects.exists()


def test_a_tallys_folds_know_repeats_of_causes_outside_its_batch(office, clock) -> None:
    """A transaction's tally (desk.tell's batch) keeps a summary's new items for its flush and
    knows a repeat from one read of the summary's items of the batch's causes; a cause outside
    them (no caller's today) is asked of the summary alone. Written: each cause once, in fold
    order, and the count of the folds that were not repeats."""
    _over_cap(office, clock)
    assert _fold(office, clock, "c:old") is True  # the summary, with one item, before the batch
    cap = load_policy().notify_cap
    with transaction.atomic(), translation.override("zh-hans"):
        tally = CapTally((clock.now(), clock.now()), causes=["c:old", "c:new"])
        for cause in ("c:old", "c:new", "x:1", "x:1", "c:new"):
            fold_into_digest(
                cap=cap,
                community_id=office.community.pk,
                recipient_id=office.head.pk,
                cause=cause,
                kind="clock_escalation",
                title=f"标题 {cause}",
                payload={"order": 1},
                now=clock.now(),
                told_checked=True,
                tally=tally,
            )
        digest = _rows(office.head, kind=DIGEST_KIND).get()
        assert DigestItem.objects.filter(digest=digest).count() == 1  # kept for the flush
        tally.flush()
    digest.refresh_from_db()
    assert digest.payload == {"count": 3}
    assert digest.title == "近10分钟内另有3条通知，已汇总于此"
    assert [i.cause for i in digest_items(digest)] == ["c:old", "c:new", "x:1"]
