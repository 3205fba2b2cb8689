"""Production settings: Django's deployment checks pass, and nothing insecure is a default."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        # What a production start would not have (the browser tests set the async switch).
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "DJANGO_SETTINGS_MODULE",
            "SECURE_HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_behind_https() -> None:
    r = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_HTTPS="1",
        ALLOWED_HOSTS="desk.example.com",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_a_start_on_sqlite_checks_clean(tmp_path: Path) -> None:
    """What `make run` prints at its migrate: no warning on the embedded database (the board's
    index has no INCLUDE there, by design, and Django's W040 said so on every start)."""
    r = manage(
        "check",
        "--database",
        "default",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'start.sqlite3'}",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout and "W040" not in r.stdout + r.stderr


def test_without_a_secret_key_production_refuses_to_start() -> None:
    r = manage("check")
    assert r.returncode != 0
    assert "SECRET_KEY must be set" in r.stderr


def test_debug_is_off_unless_asked_for() -> None:
    r = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    assert r.stdout.strip().splitlines()[-1] == "False", r.stderr
