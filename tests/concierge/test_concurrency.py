"""CS-1: desks lending the last items at the same moment, for real (threads with their own
database connections; run on PostgreSQL with DATABASE_URL): the stock never goes below zero."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from propdesk.concierge.models import CartItem, Loan
from propdesk.concierge.services.cart import loan_lend
from tests.concierge.conftest import local

pytestmark = pytest.mark.django_db(transaction=True)


def test_cs1_eight_desks_lending_three_trolleys_at_once_lend_exactly_three(cart) -> None:
    office = cart.office
    CartItem.objects.filter(pk=cart.trolley.pk).update(stock=3, available=3)
    desks = [office.receptionist, office.administrator, office.head, cart.day_concierge] * 2
    barrier = threading.Barrier(len(desks))

    def lend(user) -> str:
        try:
            barrier.wait()
            loan_lend(
                community=office.community,
                item_id=cart.trolley.pk,
                household_id=office.household.pk,
                borrower_name="张伟",
                borrower_phone="13812345678",
                due_at=local(26, 18),
                by=user,
                now=local(26, 10),
            )
            return "lent"
        except ValidationError as exc:
            return "refused:" + ",".join(exc.message_dict)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(desks)) as pool:
        results = sorted(pool.map(lend, desks))
    assert results == ["lent"] * 3 + ["refused:item"] * 5, connection.vendor
    cart.trolley.refresh_from_db()
    assert (cart.trolley.stock, cart.trolley.available) == (3, 0)
    assert Loan.objects.filter(item=cart.trolley).count() == 3
