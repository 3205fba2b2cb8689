"""Backup and restore of the whole database, for `manage.py backup` and `manage.py restore`.

SQLite: SQLite's online backup API, page by page from a consistent snapshot, so what is still in
the WAL file is included (copying db.sqlite3 alone loses it) and the application may keep
running. PostgreSQL: pg_dump's custom format, restored with pg_restore (--clean, one
transaction). Stop the web processes and the worker before a restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.db import connection


class BackupError(Exception):
    """What went wrong, for the operator."""


def _tool(name: str) -> str:
    """The full path of a PostgreSQL client program (PG_BIN_DIR, else the PATH)."""
    found = shutil.which(name, path=os.environ.get("PG_BIN_DIR") or None)
    if found is None:
        raise BackupError(f"{name} is not installed (the PostgreSQL client programs are needed)")
    return found


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return args, env


def backup(path: Path) -> None:
    """Write a backup of the default database to ``path`` (replaced only once complete)."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(tmp)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        elif connection.vendor == "postgresql":
            args, env = _pg_args(connection.settings_dict)
            run = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(tmp),
                    *args,
                    str(connection.settings_dict["NAME"]),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if run.returncode != 0:
                raise BackupError(run.stderr.strip() or f"pg_dump exited with {run.returncode}")
        else:
            raise BackupError(f"no backup for the {connection.vendor} database")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _sqlite_check(path: Path) -> None:
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = source.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite backup: {exc}") from exc
    if result != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} is a SQLite database, but not a propdesk backup")


def restore(path: Path) -> None:
    """Replace the default database's content with the backup at ``path``. The file is checked
    first (SQLite: integrity and a propdesk schema; PostgreSQL: pg_restore --list); on a bad
    file BackupError is raised and the database is unchanged."""
    path = path.resolve()
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    if connection.vendor == "sqlite":
        _sqlite_check(path)
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    if connection.vendor != "postgresql":
        raise BackupError(f"no restore for the {connection.vendor} database")
    args, env = _pg_args(connection.settings_dict)
    listed = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--list", str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0 or "django_migrations" not in listed.stdout:
        raise BackupError(f"{path} is not a propdesk pg_dump backup: {listed.stderr.strip()}")
    connection.close()  # no session of ours holds a lock on what is dropped
    run = subprocess.run(  # noqa: S603
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            str(connection.settings_dict["NAME"]),
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise BackupError(run.stderr.strip() or f"pg_restore exited with {run.returncode}")
