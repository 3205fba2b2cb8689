"""core.once: a form's one-time token, consumed in the same transaction as its write."""

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
