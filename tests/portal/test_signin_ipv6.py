"""The sign-in codes' per-address limits count an IPv6 client by its /64 network: one subscriber
line or host holds the whole block and may ask from a new address each time, so keyed by the
whole address the limits per address (and per number and address) held nothing for it. An IPv4
address written as IPv6 (::ffff:a.b.c.d) is that IPv4 address."""

from __future__ import annotations

import pytest
from django.test import Client

from propdesk.notify.sms import console_sent
from propdesk.portal.models import SignInCode
from tests.portal.helpers import ask_code

pytestmark = pytest.mark.django_db

OWNER = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)
TOO_MANY = "获取验证码过于频繁，请1分钟后再试"


def test_new_addresses_of_one_ipv6_64_share_the_address_limit(office, clock) -> None:
    c = Client()
    for i in range(5):  # PORTAL_CODE_ADDRESS_LIMITS: 5 a minute
        assert ask_code(c, f"1370000000{i}", ip=f"2001:db8:1:2::{i + 1:x}").status_code == 302
    before = len(console_sent(OWNER))
    r = ask_code(c, OWNER, ip="2001:db8:1:2:ffff:1234:5678:9abc")
    assert r.status_code == 429
    assert TOO_MANY in r.content.decode()
    assert len(console_sent(OWNER)) == before
    # Another /64 is another client.
    assert ask_code(c, OWNER, ip="2001:db8:1:3::1").status_code == 302
    assert set(SignInCode.objects.values_list("client_ip", flat=True)) == {
        "2001:db8:1:2::",
        "2001:db8:1:3::",
    }


def test_one_number_from_new_addresses_of_one_64_is_limited_as_one_address(office, clock) -> None:
    c = Client()
    assert ask_code(c, OWNER, ip="2001:db8:9:9::1").status_code == 302
    # PORTAL_CODE_LIMITS: 1 a minute per number and address
    assert ask_code(c, OWNER, ip="2001:db8:9:9::2").status_code == 429


def test_an_ipv4_address_written_as_ipv6_is_that_address(office, clock) -> None:
    c = Client()
    assert ask_code(c, OWNER, ip="10.7.7.7").status_code == 302
    assert ask_code(c, OWNER, ip="::ffff:10.7.7.7").status_code == 429
