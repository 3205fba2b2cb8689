"""The sign-in code's SMS is sent by the worker, not by the request that asked for it: the page
answers at once and the same for a number on the register and one off it, whatever the gateway
does (a gateway's answer time, or its failure, would tell who lives here). The code is kept
only until its message is sent or given up, and a code that expired before it could go out is
never sent."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from propdesk.notify.models import ResidentMessage
from propdesk.notify.residents import resident_messages_deliver
from propdesk.notify.sms import SmsError, console_sent
from propdesk.portal.access import SESSION_KEY
from tests.portal.helpers import ask_code, deliver_codes, last_code, send_code

pytestmark = pytest.mark.django_db

OWNER = "13812345678"  # 张伟, owner of 3-2-1502 (tests/conftest.py make_office)
STRANGER = "13700001111"
SENT = "如该号码已在物业登记，验证码已发送至 {}；如未收到，请联系物业管理处。"

handed: list[tuple[str, str, str, dict[str, str] | None]] = []


class Recording:
    """A provider that takes everything: what it was handed is kept."""

    def __init__(self, **_options: Any) -> None:
        pass

    def send(
        self, phone: str, text: str, *, template: str = "", params: dict[str, str] | None = None
    ) -> None:
        handed.append((phone, text, template, params))


class Down:
    def __init__(self, **_options: Any) -> None:
        pass

    def send(self, phone: str, text: str, **_provider: Any) -> None:
        raise SmsError("gateway down")


def _code_row(phone: str = OWNER) -> ResidentMessage:
    return ResidentMessage.objects.get(phone=phone, kind="sign_in_code")


def test_the_request_sends_nothing_and_the_worker_sends_the_code(office, clock, settings) -> None:
    settings.SMS_BACKEND = "tests.portal.test_signin_outbox.Recording"
    handed.clear()
    c = Client()
    assert ask_code(c, OWNER).status_code == 302
    assert handed == []  # nothing went out during the request
    row = _code_row()
    assert (row.state, row.community_id, row.template) == (
        "pending",
        office.community.pk,
        "sign_in_code",
    )
    code = row.params["code"]
    assert resident_messages_deliver(now=clock.now()) == 1  # the worker's tick
    # The provider is handed the approved template and its code, and the whole text besides.
    assert handed == [(OWNER, row.text, "sign_in_code", {"code": code})]
    assert code in row.text
    assert row.text.startswith("【锦绣花园】您的登录验证码为")  # whose office sends it
    # Sent: the code is no longer kept, in the text or the template's variables.
    row.refresh_from_db()
    assert (row.state, row.params) == ("sent", {})
    assert code not in row.text and "******" in row.text
    # and it signs in
    r = send_code(c, code)
    assert r.status_code == 302 and c.session[SESSION_KEY] == OWNER


def test_a_gateway_that_is_down_shows_nothing_on_the_page(office, clock, settings) -> None:
    """The same answer for the owner and a stranger while the gateway fails; the worker keeps
    trying the owner's code while it can still be used, then gives up and wipes it."""
    settings.SMS_BACKEND = "tests.portal.test_signin_outbox.Down"
    pages = {}
    for number, ip in ((OWNER, "10.0.0.1"), (STRANGER, "10.0.0.2")):
        c = Client()
        r = ask_code(c, number, ip=ip)
        assert r.status_code == 302
        page = c.get(r["Location"]).content.decode()
        assert SENT.format(number[:3] + "****" + number[-4:]) in page
        pages[number] = page.replace(number[:3] + "****" + number[-4:], "…")
    assert len({p.split('name="csrfmiddlewaretoken"')[0] for p in pages.values()}) == 1
    assert not ResidentMessage.objects.filter(phone=STRANGER).exists()  # never an SMS to it
    assert resident_messages_deliver(now=clock.now()) == 0
    row = _code_row()
    assert (row.state, row.attempts) == ("pending", 1) and row.params  # to be tried again
    clock.advance(minutes=5)  # the code's lifetime (PORTAL_CODE_TTL_SECONDS) is over
    assert resident_messages_deliver(now=clock.now()) == 0
    row.refresh_from_db()
    assert (row.state, row.params) == ("failed", {})
    assert row.last_error == "expired before it could be sent"
    assert "******" in row.text


def test_a_code_that_expired_before_it_could_go_out_is_never_sent(office, clock) -> None:
    """A worker that was stopped for longer than a code lives: the resident asks again."""
    before = len(console_sent(OWNER))
    assert ask_code(Client(), OWNER).status_code == 302
    clock.advance(seconds=300)
    deliver_codes()
    assert len(console_sent(OWNER)) == before
    row = _code_row()
    assert (row.state, row.params) == ("failed", {})
    assert row.last_error == "expired before it could be sent"
    # A new ask is sent and works.
    c = Client()
    clock.advance(seconds=1)
    assert ask_code(c, OWNER).status_code == 302
    assert send_code(c, last_code(OWNER)).status_code == 302
    assert c.session[SESSION_KEY] == OWNER
