"""Every console page names its icon: without one the browser asks for /favicon.ico, which the
app does not serve, and every page of the office day logged a 404 in the browser's console."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.web.conftest import browser_for


def _icon(html: str) -> str:
    found = re.search(r'<link rel="icon" href="([^"]+)"', html)
    assert found, "no icon"
    return found.group(1)


def test_the_login_page_and_a_signed_in_page_name_an_icon_that_exists(office) -> None:
    from django.conf import settings

    login = Client().get(reverse("login")).content.decode()
    queue = browser_for(office.administrator).get(reverse("desk-queue", args=[office.community.pk]))
    for html in (login, queue.content.decode()):
        href = _icon(html)
        assert href.startswith(settings.STATIC_URL)
        assert finders.find(href.removeprefix(settings.STATIC_URL))
