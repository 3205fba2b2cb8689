"""Found by the deep fuzz run on PostgreSQL: a NUL character in a console or portal form was
written as sent by services that take text as typed (an activity's place, a concierge request's
note …): PostgreSQL refused it, a 500; SQLite stored it. A page's POST is read without NUL
(propdesk.core.nul): the write goes through with what was typed, less the NUL; the API and the
back office still refuse one with their fields' errors."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from propdesk.concierge.models import Activity, ConciergeRequest
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_an_activity_planned_with_a_nul_in_its_place_is_written_without_it(clock, office) -> None:
    body = {
        "form": "plan",
        "title": "亲子\x00运动会",
        "starts_at": "2026-12-20T09:00",
        "place": "中心\x00广场",
        "capacity": "30",
    }
    r = _signed_in(office.administrator).post(f"/desk/{office.community.pk}/activities/", body)
    assert r.status_code == 302
    activity = Activity.objects.get()
    assert (activity.title, activity.place) == ("亲子运动会", "中心广场")


@pytest.mark.parametrize("sent_as", ["multipart", "urlencoded", "urlencoded, raw NUL"])
def test_a_concierge_request_with_a_nul_in_its_note_is_written_without_it(
    clock, office, sent_as
) -> None:
    """However the form comes: multipart (a page without script), urlencoded as the console's
    script sends a submit with no file (NUL as %00, read from the body's bytes first), or with
    the NUL byte itself in the body."""
    concierge = f.UserFactory(username="nul-concierge", roles=[(office.community, "concierge")])
    body = {
        "form": "new",
        "kind": "luggage",
        "location": "3栋\x00大堂",
        "room": office.household.code,
        "note": "两个\x00大箱子",
    }
    url = f"/desk/{office.community.pk}/concierge/"
    c = _signed_in(concierge)
    if sent_as == "multipart":
        r = c.post(url, body)
    else:
        raw = urlencode(body).encode()
        if sent_as == "urlencoded, raw NUL":
            raw = raw.replace(b"%00", b"\x00")
        r = c.post(url, raw, content_type="application/x-www-form-urlencoded")
    assert r.status_code == 302
    request = ConciergeRequest.objects.get()
    assert (request.location, request.note) == ("3栋大堂", "两个大箱子")


def test_the_api_still_refuses_a_nul_with_the_fields_error(clock, office) -> None:
    body = {
        "community": office.community.pk,
        "kind": "repair",
        "description": "水管\x00漏水",
        "household": office.household.pk,
    }
    r = client_for(office.receptionist).post("/api/work-orders/", body, format="json")
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["description"]
