"""The live poll's call cursor (FD-1): the intake screen asks ``r`` and is told the newest call
event of its communities; another community's calls do not move it; pages that do not ask pay
nothing for it."""

from __future__ import annotations

from datetime import datetime

from django.test import Client

from propdesk.calls.models import CallEvent
from propdesk.calls.services import CallEventInput, call_event_record
from tests.conftest import lamp_reported_by_phone, reported_through_the_api

T0 = datetime.fromisoformat("2026-11-26T10:00:00+08:00")


def ring(office, n: str) -> None:  # type: ignore[no-untyped-def]
    call_event_record(
        community=office.community,
        data=CallEventInput(f"{n}:r", n, "ringing", T0, "13812345678"),
        source="test",
        now=T0,
    )


def poll(user, query: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    c = Client()
    c.force_login(user)
    return c.get(f"/desk/live/{query}").json()


def test_fd1_the_intake_screens_poll_follows_the_calls(office, other_office, clock) -> None:  # type: ignore[no-untyped-def]
    assert poll(office.receptionist, "?r=0")["r"] == 0
    ring(office, "a1")
    mine = CallEvent.objects.get().pk
    assert poll(office.receptionist, "?r=0")["r"] == mine
    ring(other_office, "b1")
    assert poll(office.receptionist, f"?r={mine}")["r"] == mine
    assert poll(other_office.receptionist, "?r=0")["r"] > mine
    # Not office staff: the cursor never moves for them.
    assert poll(office.repair_member, "?r=0")["r"] == 0
    assert "r" not in poll(office.receptionist, "")


def test_fd1_the_ringing_banner_is_the_communitys_office_only(office, other_office, clock) -> None:  # type: ignore[no-untyped-def]
    ring(office, "a1")
    c = Client()
    c.force_login(office.receptionist)
    page = c.get(f"/desk/{office.community.pk}/calls/ringing/").content.decode()
    assert "3-2-1502" in page and "13812345678" in page
    c.force_login(other_office.receptionist)
    assert c.get(f"/desk/{office.community.pk}/calls/ringing/").status_code == 404
    c.force_login(office.repair_member)
    assert c.get(f"/desk/{office.community.pk}/calls/ringing/").status_code == 403


def test_fd1_a_ringing_number_in_no_household_shows_what_it_reported(office, clock) -> None:  # type: ignore[no-untyped-def]
    """A tenant rang last week about the garden's lamp: when the same number rings, the banner
    says so beside "no household", before the call is answered."""
    lamp = lamp_reported_by_phone(office, clock.now())
    call_event_record(
        community=office.community,
        data=CallEventInput("t1:r", "t1", "ringing", T0, "13900001111"),
        source="test",
        now=T0,
    )
    call_event_record(
        community=office.community,
        data=CallEventInput("u1:r", "u1", "ringing", T0, "13900002222"),
        source="test",
        now=T0,
    )
    c = Client()
    c.force_login(office.receptionist)
    page = c.get(f"/desk/{office.community.pk}/calls/ringing/").content.decode()
    banners = {
        b.split("</strong>")[0].split()[-1]: b for b in page.split('class="ringing-call"')[1:]
    }
    tenant, stranger = banners["13900001111"], banners["13900002222"]
    assert "没有住户登记此号码" in tenant and "没有住户登记此号码" in stranger
    assert "从这个号码报来的工单：共 1 单" in tenant and lamp.number in tenant
    assert "报来的工单" not in stranger


def test_fd1_a_ringing_number_shows_what_it_reported_without_a_call(office, clock) -> None:  # type: ignore[no-untyped-def]
    """A tenant of 3-2-1502 gave this number on an order opened through the API, and now rings
    from it for the first time: the banner shows that order, not "no order" because it never
    rang."""
    tenant = reported_through_the_api(office, "13700007777", "卫生间漏水", office.household)
    call_event_record(
        community=office.community,
        data=CallEventInput("t1:r", "t1", "ringing", T0, "13700007777"),
        source="test",
        now=T0,
    )
    c = Client()
    c.force_login(office.receptionist)
    page = c.get(f"/desk/{office.community.pk}/calls/ringing/").content.decode()
    (banner,) = page.split('class="ringing-call"')[1:]
    assert "没有住户登记此号码" in banner
    assert "从这个号码报来的工单：共 1 单" in banner and tenant.number in banner
