"""The console's sessions: Django's database sessions (``django.contrib.sessions.backends.db``),
read with their SQL built once instead of compiled by the ORM on every request.

Every signed-in page reads its session first: ``Session.objects.get(session_key=…,
expire_date__gt=now)``, about a thousand Python calls of which most compile the same SQL again.
This store is Django's in every other respect: the same table and rows, the same signed data
under the same salt (``SessionBase.key_salt`` is made of the class's name, so this class is
named ``SessionStore`` too): a session written by either store opens in the other, and
switching ``SESSION_ENGINE`` signs no one out.
"""

from __future__ import annotations

import logging
import weakref
from datetime import datetime
from typing import Any

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone

from propdesk.core.rows import Converter, column_converters, convert_row


class _SessionReader:
    """``model.objects.get(session_key=key, expire_date__gt=now)``, or None where the ORM
    raises DoesNotExist: the row as the ORM's instance (``Model.from_db``, every column
    converted as the ORM converts it)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        meta = model._meta
        self.fields = list(meta.concrete_fields)
        self.names = [f.attname for f in self.fields]
        self.key = meta.get_field("session_key")
        self.expires = meta.get_field("expire_date")
        self._sql: dict[str, str] = {}
        self._converters: weakref.WeakKeyDictionary[Any, list[Converter]] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, session_key: str | None, now: datetime) -> Any:
        conn = connections[router.db_for_read(self.model)]  # where the ORM would read it
        sql = self._sql.get(conn.vendor)
        if sql is None:
            qn = conn.ops.quote_name
            table = qn(self.model._meta.db_table)
            columns = ", ".join(f"{table}.{qn(f.column)}" for f in self.fields)
            sql = self._sql[conn.vendor] = (
                f"SELECT {columns} FROM {table} "  # noqa: S608 - names from the model, values bound
                f"WHERE ({table}.{qn(self.key.column)} = %s "
                f"AND {table}.{qn(self.expires.column)} > %s)"
            )
        converters = self._converters.get(conn)
        if converters is None:
            converters = self._converters[conn] = column_converters(conn, self.fields)
        params = [
            f.get_db_prep_value(f.get_prep_value(v), conn, prepared=True)
            for f, v in ((self.key, session_key), (self.expires, now))
        ]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        # session_key is the primary key: one row at most.
        return self.model.from_db(conn.alias, self.names, convert_row(rows[0], converters, conn))


_readers: dict[Any, _SessionReader] = {}


class SessionStore(db.SessionStore):
    """Django's database session store, its row read by a ``_SessionReader``. Its name must
    stay ``SessionStore``: it is part of the salt every session's data is signed with."""

    def _get_session_from_db(self) -> Any:
        # As db.SessionStore's: the row if it exists and has not expired; else no key, and a
        # suspicious key logged under django.security.
        try:
            reader = _readers.get(self.model)
            if reader is None:
                reader = _readers[self.model] = _SessionReader(self.model)
            found = reader(self.session_key, timezone.now())
        except SuspiciousOperation as e:
            logger = logging.getLogger(f"django.security.{e.__class__.__name__}")
            logger.warning(str(e))
            found = None
        if found is None:
            self._session_key = None
        return found
