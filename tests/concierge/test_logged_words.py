"""CS-2: what the front desk and the resident are told when a request is logged. Given to the
concierge on duty, it says whom; with nobody on duty at the time wanted (every concierge told,
the first to accept has it), it says so: the desk read 已登记，并派给值班礼宾员 at 23:30 with
nobody on duty, and the resident 值班礼宾员会前来协助, while the request waited for anyone."""

from __future__ import annotations

import pytest
from django.test import Client

from propdesk.concierge.models import ConciergeRequest
from propdesk.core.clock import FixedClock, set_clock
from tests.concierge.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    set_clock(FixedClock(local(26, 19, 0)))
    yield
    set_clock(None)


def _logged(client: Client, url: str, wanted: str) -> str:
    r = client.post(
        url,
        {"form": "new", "kind": "luggage", "location": "北门", "wanted_at": wanted},
        follow=True,
    )
    assert r.status_code == 200
    return r.content.decode().split('class="messages"')[1].split("</ul>")[0]


def test_cs2_the_desk_is_told_whom_it_went_to_or_that_nobody_is_on_duty(cart) -> None:
    c = Client()
    c.force_login(cart.office.receptionist)
    url = f"/desk/{cart.office.community.pk}/concierge/"
    # 23:30 tonight: the night concierge's shift (20:00–08:00).
    said = _logged(c, url, "2026-11-26T23:30")
    assert f"已登记，已派给值班礼宾员{cart.night_concierge}。" in said
    # 23:30 tomorrow: no shift then.
    said = _logged(c, url, "2026-11-27T23:30")
    assert "已登记。该时段没有礼宾员值班，已通知全部礼宾员，先接单者负责。" in said
    assert "派给" not in said
    assert list(ConciergeRequest.objects.order_by("id").values_list("assignee", flat=True)) == [
        cart.night_concierge.pk,
        None,
    ]
