"""``manage.py play_calls`` plays a day of calls into the webhook over real HTTP (a live server),
signed like a real phone system; played again, every event is refused as a replay."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from propdesk.calls.models import Call, CallEvent, CallState
from propdesk.calls.player import day_of_calls
from propdesk.calls.services import phone_system_set
from tests import factories as f
from tests.conftest import make_office

pytestmark = pytest.mark.django_db(transaction=True)


def test_fd1_play_calls_plays_a_day_into_the_webhook(live_server, clock) -> None:  # type: ignore[no-untyped-def]
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    phone_system_set(community=office.community, secret="pbx-secret")
    url = f"{live_server.url}/api/calls/events/"
    out = io.StringIO()
    call_command(
        "play_calls", community="jx", day="2026-11-25", url=url, calls=12, seed=3, stdout=out
    )
    events = day_of_calls(office.community, date(2026, 11, 25), calls=12, seed=3)
    assert out.getvalue().strip() == f"{len(events)} events accepted, 0 refused"
    assert CallEvent.objects.count() == len(events)
    assert Call.objects.count() == 12
    assert not Call.objects.filter(state=CallState.RINGING).exists()
    err = io.StringIO()
    call_command(
        "play_calls",
        community="jx",
        day="2026-11-25",
        url=url,
        calls=12,
        seed=3,
        stdout=out,
        stderr=err,
    )
    assert "replayed" in err.getvalue()
    assert CallEvent.objects.count() == len(events)
