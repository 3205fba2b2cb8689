"""CS-1: the lend form proposes each item's usual loan, the back office's 常用借用时长（小时）, in
the community's time: an umbrella lent at 22:30 is due back the next evening, not at 02:30 with
an overdue text at 02:30:01. The form proposed four hours for every item and the hours set in the
back office were read nowhere."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from propdesk.concierge.models import CartItem, Loan
from propdesk.core.clock import FixedClock, set_clock
from tests.concierge.conftest import local

pytestmark = pytest.mark.django_db

NOW = local(26, 22, 30)  # Asia/Shanghai; 14:30 UTC


@pytest.fixture(autouse=True)
def _clock():
    set_clock(FixedClock(NOW))
    yield
    set_clock(None)


def _options(page: str) -> dict[str, str]:
    select = page.split('name="item"')[1].split("</select>")[0]
    return dict(re.findall(r'value="(\d+)" data-due="([0-9T:-]+)"', select))


def _due_value(page: str) -> str:
    return re.search(r'name="due_at" value="([^"]*)"', page).group(1)


def test_cs1_each_item_proposes_its_own_loan_across_midnight_in_the_communitys_time(cart) -> None:
    cart.trolley.loan_hours, cart.ladder.loan_hours = 2, 24
    CartItem.objects.bulk_update([cart.trolley, cart.ladder], ["loan_hours"])
    umbrella = CartItem.objects.create(
        community=cart.office.community, name="雨伞", stock=5, available=5, loan_hours=36
    )
    c = Client()
    c.force_login(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/cart/"
    page = c.get(url).content.decode()
    assert _options(page) == {
        str(cart.trolley.pk): "2026-11-27T00:30",  # past midnight, local
        str(cart.ladder.pk): "2026-11-27T22:30",
        str(umbrella.pk): "2026-11-28T10:30",
    }
    assert 'data-sets-due="due_at"' in page

    # The field's first value is the item the browser shows first: the first on the shelf.
    CartItem.objects.filter(pk=cart.trolley.pk).update(available=0)
    page = c.get(url).content.decode()
    first = next(i for i in CartItem.objects.filter(available__gt=0).order_by("name"))
    assert _due_value(page) == _options(page)[str(first.pk)]

    # A refused lend keeps the due time typed, marked as typed (the item's change keeps it).
    r = c.post(url, {"form": "lend", "room": "", "item": umbrella.pk, "due_at": "2026-11-27T09:00"})
    assert r.status_code == 400
    page = r.content.decode()
    assert (
        'name="due_at" value="2026-11-27T09:00" data-required aria-required="true" data-typed="1"'
        in page
    )
    # Refused without a due time typed: the chosen item's proposal.
    r = c.post(url, {"form": "lend", "room": "", "item": umbrella.pk, "due_at": ""})
    assert _due_value(r.content.decode()) == "2026-11-28T10:30"
    assert not Loan.objects.exists()
