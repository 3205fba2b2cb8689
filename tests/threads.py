"""A transaction held open on another thread's connection while the test's own code runs: how
the concurrent tests show that a purge, a lock or a retry waits for a writer and spares its row."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def held_in_another_thread(work: Callable[[], object], *, hold: float = 1.0) -> Iterator[None]:
    """Run ``work`` in a transaction on another thread (its own connection), keep that
    transaction open ``hold`` seconds after it, and run the ``with`` body meanwhile; then wait
    for the thread and fail with what it raised, if anything."""
    holding, failures = threading.Event(), []

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                holding.set()
                time.sleep(hold)  # the body reads meanwhile, and its writes wait
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
            holding.set()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert holding.wait(10)
    try:
        yield
    finally:
        thread.join(10)
    assert failures == []
