"""The database settings read from the environment: PostgreSQL's prepared statements
(DB_PG_PREPARE_THRESHOLD), read by a fresh interpreter as a deployment's would."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgres://propdesk@db.internal:5432/propdesk"


def settings_run(**env: str) -> subprocess.CompletedProcess[str]:
    """propdesk.settings read in a fresh interpreter with this environment; it prints the default
    database's OPTIONS and its ENGINE."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "DATABASE_"))}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import json; from propdesk import settings as s; "
            "d = s.DATABASES['default']; "
            "print(json.dumps({**d.get('OPTIONS', {}), 'ENGINE': d['ENGINE']}, default=str))",
        ],
        cwd=ROOT,
        env={**base, "SECRET_KEY": "tests-only-not-a-secret", **env},
        capture_output=True,
        text=True,
    )


def options(**env: str) -> dict[str, object]:
    run = settings_run(**env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_postgresql_prepares_repeated_statements_by_default() -> None:
    opts = options(DATABASE_URL=PG_URL)
    assert opts["server_side_binding"] is True
    assert opts["prepare_threshold"] == 5
    assert opts["options"] == "-c jit=off"
    # Django's backend with the protocol's 65,535 parameters declared (tests/core/
    # test_many_parameters.py): server-side binding cannot send more in one statement.
    assert opts["ENGINE"] == "propdesk.core.postgresql"


def test_the_threshold_is_the_setting_and_empty_turns_it_off() -> None:
    assert options(DATABASE_URL=PG_URL, DB_PG_PREPARE_THRESHOLD="1")["prepare_threshold"] == 1
    off = options(DATABASE_URL=PG_URL, DB_PG_PREPARE_THRESHOLD="")
    assert "server_side_binding" not in off
    assert "prepare_threshold" not in off
    assert off["ENGINE"] == "django.db.backends.postgresql"


def test_sqlite_gets_no_postgresql_options() -> None:
    opts = options(DATABASE_URL="sqlite:////tmp/propdesk-settings-test.sqlite3")
    assert "server_side_binding" not in opts
    assert "prepare_threshold" not in opts
    # Django's SQLite backend waiting for the write lock in short steps (propdesk/core/sqlite).
    assert opts["ENGINE"] == "propdesk.core.sqlite"


def test_a_threshold_that_is_not_a_number_stops_the_start_with_its_name() -> None:
    run = settings_run(DATABASE_URL=PG_URL, DB_PG_PREPARE_THRESHOLD="five")
    assert run.returncode != 0
    assert "DB_PG_PREPARE_THRESHOLD must be a whole number or empty." in run.stderr
