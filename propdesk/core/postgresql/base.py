"""Django's PostgreSQL backend, with the limit of 65,535 parameters per statement that
server-side binding brings (DB_PG_PREPARE_THRESHOLD, on by default).

With server-side binding psycopg sends the parameters apart from the SQL, and PostgreSQL's
protocol counts them in 16 bits: a statement with more fails ("number of parameters must be
between 0 and 65535"). Django 5.2 knows no such limit for PostgreSQL, so a bulk_update of ~10,000
residents, or a delete that cascades over more than 65,535 rows, would be sent as one statement.
Declaring the limit (as Django does for SQLite and Oracle, and for PostgreSQL in later releases)
makes bulk_create, bulk_update, in_bulk and the deletion collector split their work in batches.
With client-side binding (the setting empty) nothing changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.backends.postgresql import base, features, operations
from django.utils.functional import cached_property

MAX_PARAMS = 2**16 - 1


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self) -> int | None:  # type: ignore[override]
        return MAX_PARAMS if self.uses_server_side_binding else None


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields: Sequence[Any], objs: Sequence[Any]) -> int:
        """Objects per statement. Sized for twice the fields Django names: bulk_update names
        (pk, pk, *fields) but sends an object's id once per field and once more (2 fields: 5
        parameters, not 4); for the other callers (a delete's one field, a multi-row INSERT that
        UNNEST does not carry) the batches are only smaller than they could be."""
        limit = self.connection.features.max_query_params
        if limit and fields:
            return max(limit // (2 * len(fields)), 1)
        return len(objs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations
