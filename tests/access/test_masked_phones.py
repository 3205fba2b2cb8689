"""Owners' phones are read whole only by the roles that call owners (front desk, administrators,
office head: community.access.may_call_owners); everyone else who sees them (a team, its leader,
company leadership) reads 138****1234 on every surface, through the one function
(community.access.phone_as_seen): the pages, the API, the printed work order and its PDF, the
monthly report's page, PDF and workbook."""

from __future__ import annotations

from django.test import Client

from tests import factories as f
from tests.conftest import Office, client_for
from tests.pdfs import pdf_text

REPORTER_PHONE = "13987654321"
REPORTER_MASKED = "139****4321"


def web_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _leadership(office: Office):  # type: ignore[no-untyped-def]
    return f.UserFactory(username="boss", company=office.community.company, is_leadership=True)


def _order(office: Office) -> int:
    r = client_for(office.receptionist).post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": "楼道灯不亮",
            "household": office.household.pk,
            "reporter_name": "张伟",
            "reporter_phone": REPORTER_PHONE,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    return int(r.json()["id"])


def _printed(user, order_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of the order's printed form, from the console and from the API."""
    page = web_for(user).get(f"/desk/orders/{order_id}/print/")
    api = client_for(user).get(f"/api/work-orders/{order_id}/pdf/")
    assert page.status_code == api.status_code == 200, (user.username, page.status_code)
    assert page["Content-Type"] == api["Content-Type"] == "application/pdf"
    return [pdf_text(page.content), pdf_text(api.content)]


def test_the_printed_order_masks_the_reporters_phone_as_the_order_page_does(office, clock) -> None:
    order_id = _order(office)
    for user in (office.repair_member, office.repair_leader, _leadership(office)):
        # The order page and the API already mask it for these roles …
        body = client_for(user).get(f"/api/work-orders/{order_id}/").json()
        assert body["reporter_phone"] == REPORTER_MASKED, user.username
        # … and so does the paper form, whoever prints it, from either door.
        for text in _printed(user, order_id):
            assert "张伟" in text and REPORTER_MASKED in text, user.username
            assert REPORTER_PHONE not in text, user.username
    for user in (office.receptionist, office.administrator, office.head):
        for text in _printed(user, order_id):
            assert REPORTER_PHONE in text and REPORTER_MASKED not in text, user.username
