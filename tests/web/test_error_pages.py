"""Error pages in the office's words and the house style (GLOSSARY.md): a resident who opens
another household's order and staff on a page that does not exist read Chinese, with the way back
(the portal's home, the console's home), never Django's English "Not Found" nor internal detail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views.defaults import bad_request, permission_denied, server_error

from tests.web.conftest import browser_for
from tests.words import problems, visible_text


def _check(html: str) -> str:
    text = visible_text(html)
    assert "Not Found" not in text and "requested resource" not in text
    assert problems(text) == [], problems(text)
    return text


def test_staff_on_a_missing_page_read_chinese_with_the_way_to_their_desk(office):
    response = browser_for(office.receptionist).get("/desk/nope/")
    assert response.status_code == 404
    text = _check(response.content.decode())
    assert "页面" in text and "返回我的工作台" in text


def test_a_resident_on_another_households_order_reads_chinese_with_the_way_home(
    office, other_office, clock
):
    from propdesk.desk.services import WorkOrderDraft, work_order_create
    from propdesk.portal.access import SESSION_KEY

    other_office.household.residents.update(phone="13600000000")
    theirs = work_order_create(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="漏水", household=other_office.household),
    )
    c = Client()
    session = c.session
    session[SESSION_KEY] = "13812345678"
    session.save()
    response = c.get(f"/portal/orders/{theirs.pk}/")
    assert response.status_code == 404
    text = _check(response.content.decode())
    assert "返回业主服务" in text and "/portal/" in response.content.decode()


def test_400_403_and_500_are_in_chinese_too(db):
    request = RequestFactory().get("/desk/x/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    for response in (
        bad_request(request, Exception()),
        permission_denied(request, PermissionDenied()),
        server_error(request),
    ):
        text = _check(response.content.decode())
        assert "返回我的工作台" in text, text
