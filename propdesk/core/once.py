"""One write per submitted form (a double click, Ctrl+Enter twice, a retry on a slow network).

A form that creates something carries a hidden one-time token (``once_token()``, the field
``ONCE_FIELD``). ``submit_once`` consumes it in the same transaction as the write: the first POST
inserts the token's row, writes, and stores its answer (where to go, what to say); a second POST
with the same token waits for the first one's transaction (the row's unique key) and is answered
with the first one's redirect and message, writing nothing. A write that is refused (the form's
errors) rolls the token's row back with it, so the corrected form may be sent with the same token.
A POST without a token (an old page, a script) is written as before, once per POST.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction

from propdesk.core.housekeeping import purge_in_batches
from propdesk.core.jobs import periodic_job
from propdesk.core.models import SubmittedForm

ONCE_FIELD = "once"
KEY_LENGTH = 64
# A token is kept this long: a replay later than that (a page left open for days) writes again.
KEEP = timedelta(days=2)


def once_token() -> str:
    """A new token for a form drawn now (URL-safe, 32 characters)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class Answer:
    """What the first submit answered: the address it redirected to and its message."""

    url: str
    message: str


@dataclass(frozen=True)
class Submitted:
    answer: Answer | None  # None: the write was refused (form errors); nothing was kept
    replayed: bool  # True: the token was already used; nothing was written this time


def submit_once(
    key: str | None, *, owner: str, now: datetime, write: Callable[[], Answer | None]
) -> Submitted:
    """Run ``write`` once per ``key`` of ``owner`` (``user:12``). ``write`` returns the answer
    to give (kept for a replay), or None when it refused the input (nothing kept: the same token
    may come again with the corrections)."""
    key = (key or "").strip()
    if not key or len(key) > KEY_LENGTH:
        return Submitted(write(), replayed=False)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = SubmittedForm.objects.create(owner=owner, key=key, at=now)
        except IntegrityError:
            # Another POST of the same form holds or held the key; its transaction has ended
            # (the insert waited for it), so its answer is there to read.
            first = SubmittedForm.objects.filter(owner=owner, key=key).first()
            answer = Answer(first.url, first.message) if first is not None else None
            return Submitted(answer, replayed=True)
        answer = write()
        if answer is None:
            transaction.set_rollback(True)
            return Submitted(None, replayed=False)
        row.url, row.message = answer.url[:500], answer.message
        row.save(update_fields=["url", "message"])
        return Submitted(answer, replayed=False)


@periodic_job("core.once", every=60)
def once_purge(now: datetime) -> int:
    """Tokens older than KEEP are deleted (a replay that late is no double click)."""
    old = models.Q(at__lt=now - KEEP)

    def pick(size: int) -> list[int]:
        return list(
            SubmittedForm.objects.filter(old).order_by("id").values_list("id", flat=True)[:size]
        )

    return purge_in_batches(SubmittedForm, pick, old)
