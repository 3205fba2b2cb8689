"""Test settings: the real settings module, with the environment a test run needs."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("PROPDESK_TESTING", "1")
os.environ.setdefault("DB_CONN_MAX_AGE", "0")

from propdesk.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - whitenoise wants it to exist
if DATABASES["default"]["ENGINE"] == "propdesk.core.sqlite":  # noqa: F405
    # A file, as in production (WAL, one writer at a time): an in-memory shared-cache database
    # would fail concurrent writers with "table is locked" instead of queueing them.
    # One file per run, so two runs at once (a developer and a helper) never share it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"propdesk-test-{os.getpid()}.sqlite3")
    }
if "replica" not in DATABASES:  # noqa: F405
    # A second alias on the same test database (TEST MIRROR), for the read-replica tests
    # (tests/reports/test_replica.py). The reports read from it only where a test sets
    # REPORTS_DATABASE="replica", as DATABASE_REPLICA_URL does in production.
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405

# The real receivers of the notification tests listen on 127.0.0.1 (tests/notify/conftest.py);
# the tests of the refusal itself (tests/notify/test_addresses.py) set this back to empty.
NOTIFY_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
