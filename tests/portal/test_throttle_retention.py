"""The rate limit's lock rows do not pile up: the worker's ``portal.codes`` job deletes a
ThrottleKey (a row per phone number and per client address) untouched for longer than both
PORTAL_CODE_RETENTION_HOURS and the longest window of the PORTAL_CODE_*LIMITS (one touched exactly
that long ago stays), and the next ask makes it again. Never one inside its window, and never
one an ask touches while the purge is deleting it (the DELETE names the age in its WHERE)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from propdesk.portal.jobs import throttle_keys_purge
from propdesk.portal.models import SignInCode, ThrottleKey
from propdesk.portal.signin import code_send
from tests.portal.helpers import ask_code
from tests.threads import held_in_another_thread

OWNER = "13812345678"  # 张伟, owner of 3-2-1502 (tests/conftest.py make_office)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)  # the longest window of the default limits, and the 24 h retention


def purge(clock) -> int:
    return throttle_keys_purge(now=clock.now())


def touched() -> dict[str, object]:
    return dict(ThrottleKey.objects.values_list("key", "touched_at"))


@pytest.mark.django_db
def test_a_key_touched_exactly_a_day_ago_stays_one_second_older_goes(office, clock) -> None:
    asked = clock.now()
    assert ask_code(Client(), OWNER).status_code == 302
    assert touched() == {f"phone:{OWNER}": asked, "ip:10.0.0.1": asked}
    clock.at = asked + DAY
    assert purge(clock) == 0
    assert len(touched()) == 2
    clock.at += SECOND
    assert purge(clock) == 2
    assert touched() == {}
    assert purge(clock) == 0  # idempotent


@pytest.mark.django_db
def test_each_ask_touches_its_keys_and_a_refused_one_writes_nothing(office, clock) -> None:
    c = Client()
    assert ask_code(c, OWNER).status_code == 302
    clock.advance(hours=23)
    assert ask_code(c, OWNER, ip="10.0.0.2").status_code == 302
    clock.advance(seconds=30)
    assert ask_code(c, OWNER, ip="10.0.0.2").status_code == 429  # 1 a minute: refused
    assert set(touched()) == {f"phone:{OWNER}", "ip:10.0.0.1", "ip:10.0.0.2"}
    clock.at += DAY - timedelta(seconds=30)
    # The first address was last touched a day and 23 hours ago; the number and the second
    # address a day ago exactly: they stay.
    assert purge(clock) == 1
    assert set(touched()) == {f"phone:{OWNER}", "ip:10.0.0.2"}


@pytest.mark.django_db
@override_settings(PORTAL_CODE_LIMITS="1/60,10/172800")
def test_a_longer_limit_window_keeps_its_keys_longer(office, clock) -> None:
    asked = clock.now()
    assert ask_code(Client(), OWNER).status_code == 302
    clock.at = asked + 2 * DAY
    assert purge(clock) == 0
    clock.at += SECOND
    assert purge(clock) == 2


@pytest.mark.django_db
@override_settings(PORTAL_CODE_RETENTION_HOURS=72)
def test_a_longer_retention_keeps_its_keys_longer(office, clock) -> None:
    asked = clock.now()
    assert ask_code(Client(), OWNER).status_code == 302
    clock.at = asked + 3 * DAY
    assert purge(clock) == 0
    clock.at += SECOND
    assert purge(clock) == 2


@pytest.mark.django_db
def test_the_next_ask_makes_the_key_again_and_the_limits_still_count(office, clock) -> None:
    c = Client()
    for _ in range(5):  # 5 an hour, from one address
        assert ask_code(c, OWNER, ip="10.0.1.1").status_code == 302
        clock.advance(minutes=2)
    ThrottleKey.objects.all().delete()  # as the purge leaves them (the codes hold the counts)
    assert ask_code(c, OWNER, ip="10.0.1.1").status_code == 429
    assert touched() == {}  # the refusal wrote nothing
    assert SignInCode.objects.count() == 5
    clock.advance(hours=1)
    assert ask_code(c, OWNER, ip="10.0.1.1").status_code == 302
    assert touched()[f"phone:{OWNER}"] == clock.now()


@pytest.mark.django_db
def test_a_backlog_goes_in_batches_oldest_first_and_the_delete_names_the_age(office, clock) -> None:
    start = clock.now()
    ThrottleKey.objects.bulk_create(
        ThrottleKey(key=f"ip:10.0.2.{i}", touched_at=start + timedelta(minutes=i)) for i in range(5)
    )
    clock.at = start + DAY + timedelta(minutes=2, seconds=1)  # the first three are past it
    with CaptureQueriesContext(connection) as queries:
        assert throttle_keys_purge(now=clock.now(), batch_size=2) == 3
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2  # 2 + 1, each its own short transaction
    assert all('"touched_at" <' in sql for sql in deletes)  # the rule in the DELETE itself
    assert sorted(touched()) == ["ip:10.0.2.3", "ip:10.0.2.4"]


@pytest.mark.django_db(transaction=True)
def test_a_key_touched_while_the_purge_deletes_it_is_not_lost(office, clock) -> None:
    """An ask holds its keys (the upsert) while the purge reads them as old: the purge's DELETE
    waits for the ask's transaction (PostgreSQL: the row lock; SQLite: the write lock), then
    finds the row touched now and spares it. The address row no ask holds goes."""
    asked = clock.now()
    assert ask_code(Client(), OWNER).status_code == 302
    clock.at = asked + 2 * DAY
    now = clock.now()
    # The purge reads meanwhile, and its DELETE waits.
    with held_in_another_thread(lambda: code_send(phone_text=OWNER, client_ip="10.0.0.9", now=now)):
        deleted = throttle_keys_purge(now=now)
    assert deleted == 1  # ip:10.0.0.1, untouched for two days
    assert touched() == {f"phone:{OWNER}": now, "ip:10.0.0.9": now}
    assert SignInCode.objects.filter(sent_at=now).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_ask_while_a_purge_batch_deletes_its_key_makes_it_again(office, clock) -> None:
    """The other order: a batch has deleted the key and not yet committed when an ask comes.
    The ask waits for it (PostgreSQL: the unique key's row; SQLite: the write lock) and then
    makes its row again, within the limits."""
    assert ask_code(Client(), OWNER).status_code == 302
    clock.advance(days=2)
    now = clock.now()
    started, results = threading.Event(), []

    def ask() -> None:
        try:
            started.set()
            results.append(code_send(phone_text=OWNER, client_ip="10.0.0.1", now=now))
        except Exception as exc:  # pragma: no cover - reported below
            results.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        assert ThrottleKey.objects.filter(touched_at__lt=now - DAY).delete()[0] == 2
        thread = threading.Thread(target=ask)
        thread.start()
        assert started.wait(10)
        time.sleep(0.5)  # the ask is waiting on this batch
    thread.join(10)
    assert len(results) == 1 and not isinstance(results[0], Exception), results
    assert touched() == {f"phone:{OWNER}": now, "ip:10.0.0.1": now}
