"""One write per submitted form (a double click, Ctrl+Enter twice, a retry on a slow network).

A form that creates something carries a hidden one-time token (``once_token()``, the field
``ONCE_FIELD``). ``submit_once`` claims it before the write: the first POST inserts the token's
row, writes, and stores its answer (where to go, what to say); a second POST with the same token
finds the row (its unique key), waits for the first one's answer and is given it, writing
nothing. A write that is refused (the form's errors) or fails gives the token back, so the
corrected form may be sent with the same token.
A POST without a token (an old page, a script) is written as before, once per POST.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections, models

from propdesk.core.bulk import insert_many
from propdesk.core.housekeeping import purge_in_batches
from propdesk.core.jobs import periodic_job
from propdesk.core.models import SubmittedForm

ONCE_FIELD = "once"
KEY_LENGTH = 64
# A token is kept this long: a replay later than that (a page left open for days) writes again.
KEEP = timedelta(days=2)
# A claim unanswered this long belongs to a request that died (gunicorn ends one after 30 s).
STALE = timedelta(seconds=60)
POLL_SECONDS = 0.02  # a second POST of the form looks for the first one's answer this often
_CLAIM_FIELDS = ("owner", "key", "at")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")  # what once_token() draws (URL-safe base64)


def once_token() -> str:
    """A new token for a form drawn now (URL-safe, 32 characters)."""
    return secrets.token_urlsafe(24)


def is_token(key: str) -> bool:
    """``key`` could be one of ours (what ``once_token`` draws): anything else is no token."""
    return 0 < len(key) <= KEY_LENGTH and _TOKEN.fullmatch(key) is not None


def token_again(posted: str) -> str:
    """The token of a form drawn again with its errors: the posted one when it is a token (the
    corrected form is still the same submit), else a new one (the corrected form is protected
    too, never sent without a token)."""
    return posted if is_token(posted) else once_token()


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
    may come again with the corrections).

    The token is claimed (its row inserted) before ``write`` and settled (its answer stored)
    after, each in a short statement of its own, so that ``write`` keeps its own transaction as
    short as it makes it: on SQLite every transaction holds the one write lock, and the form's
    checks need not hold it. A second POST of the same form finds the claim and waits for the
    first one's answer (or for its release, when the first was refused or failed, and then
    writes itself). A claim left unanswered longer than STALE (its request died: gunicorn's
    timeout is 30 s) may be taken over, so a resubmit after a crash is written, not lost."""
    key = (key or "").strip()
    if not is_token(key):
        return Submitted(write(), replayed=False)  # no token of ours: written as before
    waited_until = time.monotonic() + STALE.total_seconds()
    while not _claim(owner, key, now):
        first = (
            SubmittedForm.objects.filter(owner=owner, key=key).values_list("url", "message").first()
        )
        if first is not None and first[0]:
            return Submitted(Answer(*first), replayed=True)
        if first is None:
            continue  # released meanwhile (the first was refused): claim it now
        if time.monotonic() > waited_until:  # pragma: no cover - the first request hangs
            # Nothing written by this one, and the form is drawn again as typed: sent later,
            # the claim is stale by then and taken over.
            return Submitted(None, replayed=True)
        time.sleep(POLL_SECONDS)
    try:
        answer = write()
    except BaseException:
        _release(owner, key)
        raise
    if answer is None:
        _release(owner, key)
        return Submitted(None, replayed=False)
    _settle(owner, key, answer)
    return Submitted(answer, replayed=False)


def _claim(owner: str, key: str, now: datetime) -> bool:
    """Insert the token's row; True when this request has it now (a new token, or a claim left
    unanswered longer than STALE, taken over)."""
    if insert_many(SubmittedForm, _CLAIM_FIELDS, [(owner, key, now)], ignore_conflicts=True):
        return True
    return bool(
        SubmittedForm.objects.filter(owner=owner, key=key, url="", at__lt=now - STALE).update(
            at=now
        )
    )


def _settle(owner: str, key: str, answer: Answer) -> None:
    """Store the first submit's answer on its claim (one UPDATE, its SQL written once: the ORM's
    update builds and compiles a query each time, some 450 calls on every form sent)."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql = _SETTLE_SQL.get(conn.vendor)
    if sql is None:
        qn = conn.ops.quote_name
        sql = _SETTLE_SQL[conn.vendor] = (
            f"UPDATE {qn(SubmittedForm._meta.db_table)} SET {qn('url')} = %s, "  # noqa: S608 - names from the model, values bound
            f"{qn('message')} = %s WHERE {qn('owner')} = %s AND {qn('key')} = %s"
        )
    with conn.cursor() as cursor:
        cursor.execute(sql, [answer.url[:500], answer.message, owner, key])


_SETTLE_SQL: dict[str, str] = {}


def _release(owner: str, key: str) -> None:
    """Give the token back (the write was refused or failed): the form may come again."""
    SubmittedForm.objects.filter(owner=owner, key=key, url="").delete()


@periodic_job("core.once", every=60)
def once_purge(now: datetime) -> int:
    """Tokens older than KEEP are deleted (a replay that late is no double click)."""
    old = models.Q(at__lt=now - KEEP)

    def pick(size: int) -> list[int]:
        return list(
            SubmittedForm.objects.filter(old).order_by("id").values_list("id", flat=True)[:size]
        )

    return purge_in_batches(SubmittedForm, pick, old)
