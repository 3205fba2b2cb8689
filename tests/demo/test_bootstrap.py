"""No known password in production: `make run` (bin/run → manage.py bootstrap) seeds the demo
only on loopback with the embedded database; any other start never seeds demo users, creates the
admin with a generated password on an empty database and prints it once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from propdesk.community.models import Company, User
from propdesk.demo.bootstrap import start_mode
from propdesk.demo.seed import DEMO_PASSWORD
from tests import factories as f


@pytest.mark.parametrize(
    ("host", "vendor", "production", "mode"),
    [
        ("127.0.0.1", "sqlite", False, "demo"),
        ("localhost", "sqlite", False, "demo"),
        ("::1", "sqlite", False, "demo"),
        ("0.0.0.0", "sqlite", False, "production"),  # noqa: S104 - the case under test
        ("192.168.1.20", "sqlite", False, "production"),
        ("desk.example.com", "sqlite", False, "production"),
        ("127.0.0.1", "postgresql", False, "production"),
        ("127.0.0.1", "sqlite", True, "production"),
    ],
)
def test_the_demo_is_only_for_loopback_on_the_embedded_database(host, vendor, production, mode):
    assert start_mode(host=host, database_vendor=vendor, production=production) == mode


def bootstrap(host: str) -> str:
    out = io.StringIO()
    call_command("bootstrap", "--host", host, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("host", "flag"),
    [("0.0.0.0", False), ("127.0.0.1", True)],  # noqa: S104 - beyond loopback, or the flag
)
def test_a_production_start_creates_the_admin_once_with_a_generated_password(
    db, settings, host, flag
):
    settings.PROPDESK_PRODUCTION = flag
    out = bootstrap(host)
    admin = User.objects.get()
    assert (admin.username, admin.is_superuser, admin.is_staff) == ("admin", True, True)
    assert not admin.check_password(DEMO_PASSWORD)
    [password] = [line.strip() for line in out.splitlines() if line.startswith("    ")]
    assert len(password) >= 20 and admin.check_password(password)
    assert "只显示这一次" in out
    assert not Company.objects.exists()  # no demo
    again = bootstrap(host)
    assert password not in again and "admin" not in again
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]


def test_a_production_start_on_a_database_with_users_creates_nobody(db, settings):
    f.UserFactory(username="head")
    bootstrap("0.0.0.0")  # noqa: S104
    assert list(User.objects.values_list("username", flat=True)) == ["head"]


def test_a_production_start_refuses_while_a_login_has_the_demo_password(db, settings):
    User.objects.create_superuser(username="admin", email="", password=DEMO_PASSWORD)
    with pytest.raises(CommandError, match="admin"):
        bootstrap("0.0.0.0")  # noqa: S104
    assert list(User.objects.values_list("username", flat=True)) == ["admin"]
    assert User.objects.get().check_password(DEMO_PASSWORD)  # nothing changed


def test_a_demo_start_hands_over_to_seed_demo(db, settings):
    if connection.vendor != "sqlite":
        pytest.skip("a demo start needs the embedded database")
    f.CompanyFactory(name="已有公司")
    out = bootstrap("127.0.0.1")
    assert "nothing seeded" in out  # seed_demo --if-empty ran, and found a company
    assert not User.objects.exists()
