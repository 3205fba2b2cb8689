"""Playwright driving Debian's Chromium (`apt-get install chromium`). In CI a missing browser is a
failure; elsewhere the browser tests say why they skip. Screenshots go to
tests/browser/screenshots/ (not committed) so anyone can look at the screens."""

from __future__ import annotations

import os
import shutil
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI ({CHROMIUM}); .ci/run installs it")
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (CI fails here)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs its own event loop; Django must allow ORM calls from the test,
    # for the browser tests only (restored after them).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield b
        finally:
            b.close()
            if previous is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def paste_is_counted(page: Any, field: str, text: str, limit: int) -> None:
    """Paste ``text`` into ``field`` (a selector; one input of the whole text, as a paste is):
    nothing cut by the browser, and its counter (``fields.js``) says ``len/limit``, red when
    over."""
    page.focus(field)
    page.keyboard.insert_text(text)
    assert page.input_value(field) == text  # nothing cut
    counter = page.locator(f"{field} + .char-count")
    assert counter.inner_text() == f"{len(text)}/{limit}"
    assert ("over" in (counter.get_attribute("class") or "")) == (len(text) > limit)


def wait_for_the_live_servers_requests(live_server: object, timeout: float = 30) -> None:
    """Join the live server's request threads (one per browser connection, ended when the
    browser closes it). A request still being answered after the test (a page's poll, the page
    after a redirect) would hold its rows while the test's database is flushed: on PostgreSQL
    the flush's TRUNCATE and that request can deadlock, and the next test finds the rows left."""
    httpd = getattr(getattr(live_server, "thread", None), "httpd", None)
    if httpd is None:
        return
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        if getattr(target, "__self__", None) is httpd:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                # A context left open (a test that failed before closing it) keeps its
                # connection: say so rather than wait for it, test after test.
                warnings.warn(
                    "the live server still answers a connection after the test: a browser "
                    "context left open? (close it in a finally)",
                    stacklevel=1,
                )
                return


@pytest.fixture(autouse=True)
def _live_server_done(request: pytest.FixtureRequest) -> Iterator[None]:
    # Autouse: torn down after the test's own contexts and `page` are closed, and before
    # pytest-django flushes the database (its autouse fixture is set up first, torn down last).
    yield
    if "live_server" in request.fixturenames:
        wait_for_the_live_servers_requests(request.getfixturevalue("live_server"))


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    SCREENSHOTS.mkdir(exist_ok=True)
    # bypass_csp: Playwright's wait_for_function runs its expression with eval(), which the pages'
    # Content-Security-Policy forbids. How the pages themselves work under the policy is
    # test_csp.py's to check (a context without the bypass).
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="zh-CN", viewport={"width": 1280, "height": 800}, bypass_csp=True
    )
    pg = context.new_page()
    yield pg
    context.close()
