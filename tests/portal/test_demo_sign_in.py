"""Issue 13: the demo's owner signs in to the portal with the number the README gives, the code
read from the console SMS backend."""

from __future__ import annotations

import pytest
from django.test import Client

from propdesk.demo.seed import DEMO_RESIDENT_PHONE, seed_demo
from propdesk.portal.access import SESSION_KEY
from tests.portal.helpers import ask_code, last_code, send_code

pytestmark = pytest.mark.django_db


def test_the_demo_owner_signs_in_and_sees_the_household(clock) -> None:
    report = seed_demo(now=clock.now(), households_per_community=6, weeks=1)
    assert report.resident_phone == DEMO_RESIDENT_PHONE == "13800138000"
    c = Client()
    assert ask_code(c, DEMO_RESIDENT_PHONE).status_code == 302
    send_code(c, last_code(DEMO_RESIDENT_PHONE))
    assert c.session[SESSION_KEY] == DEMO_RESIDENT_PHONE
    page = c.get("/portal/").content.decode()
    assert "锦绣花园" in page
