"""Reading the code a resident received from the console SMS backend, and asking for one."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from propdesk.core.clock import get_clock
from propdesk.notify.residents import resident_messages_deliver
from propdesk.notify.sms import console_sent

CODE = re.compile(r"(?:验证码为|code is )(\d{6})")


def deliver_codes() -> int:
    """The worker's ticks for the residents' outbox (notify.deliver) until it is empty: a
    sign-in code is sent by the worker, never by the request that asked for it."""
    sent = 0
    while n := resident_messages_deliver(now=get_clock().now()):
        sent += n
    return sent


def last_code(phone: str) -> str:
    """The code in the last sign-in SMS ``phone`` received, once the worker has sent what was
    asked (other messages to the number, an order's 派单 say, are passed over)."""
    deliver_codes()
    for text in reversed(console_sent(phone)):
        m = CODE.search(text)
        if m:
            return m.group(1)
    raise AssertionError(f"no sign-in code sent to {phone}: {console_sent(phone)}")


def ask_code(client: Client, phone: str, ip: str = "10.0.0.1", **extra: Any) -> Any:
    return client.post("/portal/login/", {"step": "send", "phone": phone, **extra}, REMOTE_ADDR=ip)


def send_code(client: Client, code: str, ip: str = "10.0.0.1", **extra: Any) -> Any:
    return client.post("/portal/login/", {"step": "verify", "code": code, **extra}, REMOTE_ADDR=ip)
