"""Reading the code a resident received from the console SMS backend, and asking for one."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from propdesk.notify.sms import console_sent


def last_code(phone: str) -> str:
    texts = console_sent(phone)
    assert texts, f"no SMS to {phone}"
    m = re.search(r"\d{6}", texts[-1])
    assert m, texts[-1]
    return m.group(0)


def ask_code(client: Client, phone: str, ip: str = "10.0.0.1", **extra: Any) -> Any:
    return client.post("/portal/login/", {"step": "send", "phone": phone, **extra}, REMOTE_ADDR=ip)


def send_code(client: Client, code: str, ip: str = "10.0.0.1", **extra: Any) -> Any:
    return client.post("/portal/login/", {"step": "verify", "code": code, **extra}, REMOTE_ADDR=ip)
