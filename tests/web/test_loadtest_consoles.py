"""The load test's consoles (bench/loadtest/consoles.py) keep live.js's pace and back-off, and
fetch the regions the templates have (issue 15)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
LIVE_JS = ROOT / "propdesk" / "web" / "static" / "web" / "live.js"
TEMPLATES = ROOT / "propdesk" / "web" / "templates" / "web"


@pytest.fixture(scope="module")
def consoles():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "loadtest_consoles", ROOT / "bench" / "loadtest" / "consoles.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_constants_are_live_js_own(consoles) -> None:  # type: ignore[no-untyped-def]
    js = LIVE_JS.read_text()
    for name in (
        "VISIBLE_MS",
        "CALLS_VISIBLE_MS",
        "MAX_BACKOFF_MS",
        "REGION_FACTOR",
        "MAX_REGION_GAP_MS",
    ):
        m = re.search(rf"\b{name} = (\d+)", js)
        assert m, name
        assert getattr(consoles, name) == int(m.group(1)), name


def test_a_fast_refresh_keeps_the_polls_pace(consoles) -> None:  # type: ignore[no-untyped-def]
    pacer = consoles.RegionPacer()
    for t in range(0, 20000, 2000):  # a change at every poll, each refresh 150 ms
        assert pacer.refresh(t) == 0.0
        pacer.took(150)


def test_a_slow_refresh_spaces_the_next_one(consoles) -> None:  # type: ignore[no-untyped-def]
    pacer = consoles.RegionPacer()
    assert pacer.refresh(0) == 0.0
    pacer.took(1000)
    assert pacer.refresh(2000) == 8000  # ten times 1 s after the last began: one timer
    assert pacer.refresh(4000) is None  # the timer is waiting: it will show this change too
    pacer.fired()
    assert pacer.refresh(10000) == 0.0
    pacer.took(5000)  # 50 s, but at most 30 s
    assert pacer.refresh(12000) == 28000
    pacer.fired()
    assert pacer.refresh(40000) == 0.0


def test_each_page_region_is_the_templates(consoles) -> None:  # type: ignore[no-untyped-def]
    for page, (region_id, _query, every_ms) in consoles.REGIONS.items():
        name = {"queue": "queue.html", "board": "board.html", "jobs": "jobs.html"}[page]
        html = (TEMPLATES / name).read_text()
        m = re.search(rf'<div id="{region_id}" hx-get="{{% url \'desk-{page}\' [^"]*" '
                      r'hx-trigger="([^"]*)"', html)  # fmt: skip
        assert m, page
        assert "live:changed from:body" in m.group(1)
        assert ("every 60s" in m.group(1)) == (every_ms == 60000)
    # The board's hx-include sends its filters' fields, empty on an unfiltered page (the
    # checkbox, unchecked, sends nothing).
    board = (TEMPLATES / "board.html").read_text()
    fields = re.findall(r'<select name="(\w+)"', board)
    assert consoles.REGIONS["board"][1] == "?" + "&".join(f"{f}=" for f in fields)
