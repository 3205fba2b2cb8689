"""Issue 12 (limits): notifications per person are capped by the policy (``notify_cap``: 20 in
any 10 minutes by default); the rest are folded into one summary notification, never dropped;
emergency calls (EM-1, EM-2) are never capped. Boundaries on the injected clock."""

from __future__ import annotations

from datetime import timedelta

from django.utils import translation

from propdesk.notify.cap import DIGEST_KIND
from propdesk.notify.models import Notification
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
    assert digest.payload["count"] == 5
    assert [i["cause"] for i in digest.payload["items"]] == [f"c:{i}" for i in range(20, 25)]
    assert digest.payload["items"][0]["title"] == "第20条"
    assert digest.title == "近10分钟内另有5条通知，已汇总于此"
    # A repeat of a folded cause is not counted twice; another person is not affected.
    notify(office, [office.head], clock, cause="c:24")
    assert _rows(office.head, kind=DIGEST_KIND).get().payload["count"] == 5
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
