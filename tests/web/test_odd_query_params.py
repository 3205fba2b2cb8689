"""Issue 12: no 500 from any input, in the console's query strings too (the POST fuzz does not
send them): an id that is not a number, or past the database's range, or a NUL byte, filters to
nothing or is ignored; PostgreSQL and SQLite answer alike."""

from __future__ import annotations

import pytest

from tests.web.conftest import browser_for

HUGE = "9" * 23
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query", ["household=abc", "household=%00", f"household={HUGE}", "order=abc", f"order={HUGE}"]
)
def test_the_visit_screen_takes_any_household_or_order_in_its_query(office, clock, query) -> None:
    r = browser_for(office.administrator).get(f"/desk/{office.community.pk}/visits/new/?{query}")
    assert r.status_code in (200, 404), r.status_code


@pytest.mark.parametrize(
    "query", ["kind=%00", "team=%00", "building=abc", f"team={HUGE}", f"building={HUGE}"]
)
def test_the_board_takes_any_filter(office, clock, open_order, query) -> None:
    order = open_order()
    r = browser_for(office.head).get(f"/desk/{office.community.pk}/board/?{query}")
    assert r.status_code == 200
    html = r.content.decode()
    if query.startswith(("team=", "building=")):  # a filter naming nothing shows nothing
        assert order.number not in html
    else:  # an unknown kind is no filter
        assert order.number in html
