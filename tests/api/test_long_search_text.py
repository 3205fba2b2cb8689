"""Found by the deep fuzz run: a text searched for among the residents (a name, a phone typed
whole or in part) longer than anything stored was sent to the database as a LIKE pattern, which
SQLite refuses over 50,000 bytes (OperationalError, a 500) on the API's lists and on the front
desk's intake form, whose submit looks the caller up. Such a text finds nothing: the lists
answer an empty page, the form its own errors with what was typed, and nothing is written."""

from __future__ import annotations

import pytest
from django.test import Client

from propdesk.desk.models import Contact
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

NAME = "好" * 30_000  # 90,000 bytes as UTF-8
DIGITS = "1" + "3" * 60_000


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/residents/", {"phone": DIGITS}),
        ("/api/households/", {"q": NAME}),
        ("/api/households/", {"q": DIGITS}),
    ],
)
def test_a_search_longer_than_anything_stored_finds_nothing(clock, office, path, query) -> None:
    r = client_for(office.head).get(path, {**query, "community": office.community.pk})
    assert r.status_code == 200, r.content[:300]
    assert r.json()["count"] == 0 and r.json()["results"] == []


@pytest.mark.parametrize("field", ["caller_phone", "caller_name", "room"])
def test_intake_with_a_huge_caller_field_is_refused_and_keeps_what_was_typed(
    clock, office, field
) -> None:
    web = Client()
    web.force_login(office.receptionist)
    body = {
        "channel": "phone",
        "caller_phone": "13912345678",
        "caller_name": "王先生",
        "intent": "consultation",
        "content": "问停水时间",
        "outcome": "resolved",
        "resolution": "已告知周六停水",
        field: NAME,
    }
    r = web.post(f"/desk/{office.community.pk}/intake/", body)
    assert r.status_code == 400
    page = r.content.decode()
    assert "问停水时间" in page and "已告知周六停水" in page
    assert not Contact.objects.exists()
