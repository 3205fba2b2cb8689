"""Portal fixtures: a resident signed in (the session a verified SMS code leaves behind)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from propdesk.portal.access import SESSION_KEY


@pytest.fixture
def resident_client() -> Callable[[str], Client]:
    """resident_client("13812345678") -> a test client signed in as that resident."""

    def make(phone: str) -> Client:
        c = Client()
        session = c.session
        session[SESSION_KEY] = phone
        session.save()
        return c

    return make
