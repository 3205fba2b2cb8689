"""core.once: a form's one-time token, claimed before its write and answered after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from propdesk.core.models import SubmittedForm
from propdesk.core.once import KEEP, Answer, once_purge, submit_once
from tests.threads import held_in_another_thread

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_a_second_submit_while_the_first_is_still_writing_waits_and_writes_nothing() -> None:
    """A double click 35 ms apart: the second POST's token insert waits for the first one's
    transaction (PostgreSQL: the unique key; SQLite: the write lock), then finds it used and
    answers with the first one's redirect and message."""
    writes: list[str] = []

    def first() -> None:
        submit_once("k1", owner="user:1", now=NOW, write=lambda: Answer("/done/", "已开工单 GD-1"))

    def again() -> Answer:
        writes.append("again")
        return Answer("/other/", "second")

    with held_in_another_thread(first, hold=0.5):
        done = submit_once("k1", owner="user:1", now=NOW, write=again)
    assert done.replayed and done.answer == Answer("/done/", "已开工单 GD-1")
    assert writes == []
    assert SubmittedForm.objects.count() == 1


@pytest.mark.django_db
def test_a_refused_write_keeps_nothing_and_no_token_is_written_as_before() -> None:
    assert submit_once("k2", owner="user:1", now=NOW, write=lambda: None).answer is None
    assert not SubmittedForm.objects.exists()
    for _ in range(2):
        done = submit_once("", owner="user:1", now=NOW, write=lambda: Answer("/a/", "ok"))
        assert not done.replayed
    assert not SubmittedForm.objects.exists()


@pytest.mark.django_db
def test_old_tokens_are_deleted() -> None:
    submit_once(
        "old", owner="user:1", now=NOW - KEEP - timedelta(seconds=1), write=lambda: Answer("/", "a")
    )
    submit_once("new", owner="user:1", now=NOW - KEEP, write=lambda: Answer("/", "b"))
    assert once_purge(NOW) == 1
    assert list(SubmittedForm.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_the_write_keeps_its_own_transaction_short() -> None:
    """The token is claimed before the write and settled after it, each a statement of its own:
    the form's checks do not run inside a transaction (on SQLite: the one write lock)."""
    from django.db import connection

    seen: list[bool] = []

    def write() -> Answer:
        seen.append(connection.in_atomic_block)
        return Answer("/done/", "ok")

    assert submit_once("k3", owner="user:1", now=NOW, write=write).answer == Answer("/done/", "ok")
    assert seen == [False]
    assert SubmittedForm.objects.get().url == "/done/"


@pytest.mark.django_db
def test_a_write_that_fails_gives_the_token_back() -> None:
    def boom() -> Answer:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        submit_once("k4", owner="user:1", now=NOW, write=boom)
    assert not SubmittedForm.objects.exists()
    done = submit_once("k4", owner="user:1", now=NOW, write=lambda: Answer("/a/", "written"))
    assert not done.replayed and done.answer == Answer("/a/", "written")


@pytest.mark.django_db
def test_a_claim_left_unanswered_by_a_dead_request_is_taken_over_after_a_minute() -> None:
    """A request that died after claiming (its process killed) left a row with no answer: the
    same form sent again a minute later is written, not lost; sooner it is not written twice."""
    SubmittedForm.objects.create(owner="user:1", key="k5", at=NOW)
    writes: list[str] = []

    def write() -> Answer:
        writes.append("x")
        return Answer("/b/", "written")

    later = NOW + timedelta(seconds=61)
    done = submit_once("k5", owner="user:1", now=later, write=write)
    assert not done.replayed and writes == ["x"]
    assert SubmittedForm.objects.get().url == "/b/"
    again = submit_once("k5", owner="user:1", now=later, write=write)
    assert again.replayed and again.answer == Answer("/b/", "written") and writes == ["x"]


@pytest.mark.django_db
def test_a_token_that_is_not_ours_is_no_token() -> None:
    """A posted token with characters once_token() never draws (a NUL byte, which PostgreSQL's
    text refuses) is ignored: the form is written as without one, never a server error."""
    for key in ("bad\x00key", "含中文", "a b"):
        done = submit_once(key, owner="user:1", now=NOW, write=lambda: Answer("/a/", "ok"))
        assert not done.replayed and done.answer == Answer("/a/", "ok")
    assert not SubmittedForm.objects.exists()
