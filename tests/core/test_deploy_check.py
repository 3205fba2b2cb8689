"""`manage.py check --deploy` is clean with the production settings the README documents
(section "Production checklist"), and is not without them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "desk.example.com",
    "SECURE_HTTPS": "1",
    "PROPDESK_PRODUCTION": "1",
}


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            "PATH": os.environ.get("PATH", ""),
            "DJANGO_SETTINGS_MODULE": "propdesk.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in PRODUCTION:
        assert name in readme, name
    run = check_deploy(PRODUCTION)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout


def test_check_deploy_fails_without_https() -> None:
    run = check_deploy({**PRODUCTION, "SECURE_HTTPS": "0"})
    assert run.returncode != 0
    assert "security.W004" in run.stderr + run.stdout  # no HSTS
