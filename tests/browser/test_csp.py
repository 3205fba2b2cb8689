"""The pages work under their Content-Security-Policy (propdesk.core.headers: scripts and styles
only from this site's files): in a browser that enforces it, the console's screens (htmx, the
live poll, the clocks, the report's charts) and the portal's (its service worker, a select that
sends its form) load and act with no violation reported. The other browser tests bypass the
policy (Playwright's wait_for_function needs eval); this one does not."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.conf import settings

from propdesk.portal.access import SESSION_KEY
from tests import factories as f
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLECT = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', function (e) {"
    " window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile); });"
)


def test_console_and_portal_screens_run_under_the_policy(browser, live_server) -> None:
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    cid = office.community.pk
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.add_init_script(COLLECT)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    try:
        sign_in(page, live_server, office.head, f"/desk/{cid}/board/")
        seen: list[str] = []
        for url in (
            f"/desk/{cid}/board/",
            f"/desk/{cid}/queue/",
            f"/desk/{cid}/intake/",
            # Their styles moved to files with the policy's style-src 'self'.
            f"/desk/{cid}/report/",
            f"/desk/{cid}/suggestions/",
            f"/desk/{cid}/issues/",
            f"/desk/{cid}/visits/new/",
        ):
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            seen += page.evaluate("window.__csp")
        # htmx ran: the board's rows were asked again by the live refresh's event.
        with page.expect_response(
            lambda r: "/board/" in r.url and r.request.is_navigation_request() is False
        ):
            page.goto(f"{live_server.url}/desk/{cid}/board/")
            page.evaluate("document.body.dispatchEvent(new Event('live:changed'))")
        seen += page.evaluate("window.__csp")

        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store[SESSION_KEY] = office.household.residents.first().phone
        store.save()
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": store.session_key,
                    "url": live_server.url,
                }
            ]
        )
        for url in ("/portal/", "/portal/services/", "/portal/login/"):
            page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")
            seen += page.evaluate("window.__csp")
        assert page.evaluate("'serviceWorker' in navigator") is True
        assert seen == [] and errors == [], (seen, errors)
    finally:
        context.close()
