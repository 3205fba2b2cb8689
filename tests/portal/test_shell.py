"""Issue 13: the portal's shell: Chinese, a bottom navigation (首页, 报事, 我的工单, 公告, 我的),
an installable PWA (manifest, PNG icons, a service worker served from /portal/), and a first
screen under 100 KB."""

from __future__ import annotations

import json
import re
import struct

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

OWNER = "13812345678"


def test_home_shows_the_households_and_the_bottom_navigation(
    office, clock, resident_client
) -> None:
    page = resident_client(OWNER).get("/portal/").content.decode()
    assert "锦绣花园" in page and "3-2-1502" in page and "业主" in page
    nav = page.split('<nav class="tabs"')[1].split("</nav>")[0]
    labels = re.findall(r">([^<]+)</a>", nav)
    assert labels == ["首页", "报事", "我的工单", "公告", "我的"]
    assert 'href="/portal/" aria-current="page"' in nav


def test_the_sign_in_page_has_no_navigation_and_asks_for_the_phone(office, clock) -> None:
    page = Client().get("/portal/login/").content.decode()
    assert '<nav class="tabs"' not in page
    assert "用手机号登录" in page and "获取验证码" in page
    assert 'name="viewport" content="width=device-width' in page


def test_the_manifest_makes_the_portal_installable(office, clock) -> None:
    r = Client().get("/portal/manifest.webmanifest")
    assert r["Content-Type"] == "application/manifest+json"
    m = json.loads(r.content)
    assert (m["start_url"], m["scope"], m["display"], m["name"]) == (
        "/portal/",
        "/portal/",
        "standalone",
        "业主服务",
    )
    sizes = set()
    for icon in m["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        data = open(path, "rb").read()  # noqa: SIM115
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add(width)
    assert {192, 512} <= sizes


def test_the_service_worker_is_served_with_the_portal_as_its_scope(office, clock) -> None:
    r = Client().get("/portal/sw.js")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("text/javascript")
    assert r["Service-Worker-Allowed"] == "/portal/"
    assert b'addEventListener("fetch"' in r.content


def test_the_first_screen_is_under_100_kb(office, clock, resident_client) -> None:
    """Home page, its stylesheet, its icon, the manifest and the service worker together."""
    c = resident_client(OWNER)
    page = c.get("/portal/")
    total = len(page.content)
    for asset in ("portal/portal.css", "portal/icon-192.png", "portal/sw.js"):
        total += len(open(finders.find(asset), "rb").read())  # noqa: SIM115
    total += len(c.get("/portal/manifest.webmanifest").content)
    assert total < 100 * 1024
