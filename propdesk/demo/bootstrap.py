"""What a start of the application may put in the database: the demo (with its published
password) only for a newcomer's first look on this machine, never in production.

A start is a *demo* start only when it binds to a loopback address (127.0.0.1, localhost, ::1),
runs on the embedded database (SQLite) and PROPDESK_PRODUCTION is not set; every other start is a
*production* start: it never seeds demo users, and its first start on an empty database creates
the ``admin`` superuser with a generated password, shown once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import Count

from propdesk.community.models import User
from propdesk.demo.seed import DEMO_PASSWORD

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
Mode = Literal["demo", "production"]


def start_mode(*, host: str, database_vendor: str, production: bool) -> Mode:
    """``demo`` only on loopback, on the embedded database, without PROPDESK_PRODUCTION."""
    loopback = host.strip().lower() in LOOPBACK_HOSTS
    if production or not loopback or database_vendor != "sqlite":
        return "production"
    return "demo"


@dataclass(frozen=True)
class AdminCreated:
    username: str
    password: str  # shown once to whoever started the application, stored only as a hash


def production_admin_create(*, username: str = "admin") -> AdminCreated | None:
    """On an empty database (no user at all), the superuser ``username`` with a generated
    password; None when any user exists (nothing is changed)."""
    with transaction.atomic():
        if User.objects.exists():
            return None
        password = secrets.token_urlsafe(18)
        User.objects.create_superuser(username=username, email="", password=password)
    return AdminCreated(username=username, password=password)


def users_with_the_demo_password() -> list[str]:
    """Usernames of active users whose password is the demo's published one. Checks each
    superuser and each password hash shared by several users (the demo gives every login the
    same hash), so it stays a handful of hash checks on a real installation."""
    shared = (
        User.objects.filter(is_active=True)
        .values("password")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("password", flat=True)
    )
    hashes = set(shared) | set(
        User.objects.filter(is_active=True, is_superuser=True).values_list("password", flat=True)
    )
    known = [h for h in hashes if h and check_password(DEMO_PASSWORD, h)]
    return sorted(
        User.objects.filter(is_active=True, password__in=known).values_list("username", flat=True)
    )
