"""Login throttling on every door (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for
one account from one address, the right one is refused too from that address, with a Chinese
message saying how long to wait; the lockout is recorded and listed in the back office. The key
is the (account, address) pair: the same account from another address, and another account from
the same address, still sign in, so a guesser locks only themselves (the superuser too)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f

PASSWORD = "pw-123456!"  # tests/factories.py
WAIT = "15 分钟"


def console(ip: str, username: str, password: str):
    c = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = c.post("/desk/login/", {"username": username, "password": password})
    signed_in = "_auth_user_id" in c.session
    return r, signed_in


def back_office(ip: str, username: str, password: str):
    c = Client(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = c.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    return r, "_auth_user_id" in c.session


def token(ip: str, username: str, password: str):
    c = APIClient(REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = c.post("/api/auth/token/", {"username": username, "password": password}, format="json")
    return r, r.status_code == 200 and "token" in r.json()


DOORS = {"console": console, "back_office": back_office, "token": token}


@pytest.fixture
def staff(db):
    return (
        f.UserFactory(username="wang", is_staff=True),
        f.UserFactory(username="li", is_staff=True),
        f.UserFactory(username="zhao", is_staff=True),
    )


@pytest.mark.parametrize("door", DOORS)
def test_wrong_passwords_then_the_right_one_is_refused(door, staff) -> None:
    login = DOORS[door]
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r, signed_in = login("10.0.0.1", "wang", "wrong-password")
        assert not signed_in and r.status_code in (200, 400)
    r, signed_in = login("10.0.0.1", "wang", "wrong-password")  # the fifth locks
    assert r.status_code == 429 and not signed_in
    r, signed_in = login("10.0.0.1", "wang", PASSWORD)
    assert r.status_code == 429 and not signed_in
    assert r["Retry-After"] == "900"
    text = r.json()["error"]["message"] if door == "token" else r.content.decode()
    assert "该账号在本地址" in text and "锁定" in text and WAIT in text
    if door == "token":
        assert r.json()["error"]["code"] == "locked_out"
        assert not Token.objects.exists()  # nothing issued
    # Another account from another address is not locked.
    r, signed_in = login("10.0.0.2", "zhao", PASSWORD)
    assert signed_in and r.status_code in (200, 302)
    # The lockout is recorded.
    attempt = AccessAttempt.objects.get(username="wang", ip_address="10.0.0.1")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert AccessFailureLog.objects.filter(username="wang", locked_out=True).exists()
    assert not AccessAttempt.objects.filter(username="zhao").exists()


@pytest.mark.parametrize("door", DOORS)
def test_a_guesser_locks_only_their_own_address_for_that_account(door, staff) -> None:
    """Five wrong passwords (and more) for the superuser from one address: its owner still signs
    in from their own address, and the guesser's colleague behind the same address with theirs."""
    login = DOORS[door]
    f.UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):  # each further try restarts the cool-off
        login("10.0.0.66", "root", "wrong-password")
    assert login("10.0.0.66", "root", PASSWORD)[0].status_code == 429  # the guesser is locked
    # The same account from another address signs in.
    r, signed_in = login("10.0.0.9", "root", PASSWORD)
    assert signed_in and r.status_code in (200, 302)
    # Another account from the guesser's address (one office behind one NAT) signs in.
    r, signed_in = login("10.0.0.66", "li", PASSWORD)
    assert signed_in and r.status_code in (200, 302)
    # The guesser is still locked after those sign-ins (a success resets only its own pair).
    assert login("10.0.0.66", "root", PASSWORD)[0].status_code == 429


@pytest.mark.parametrize("door", DOORS)
def test_wrong_passwords_from_many_addresses_do_not_add_up(door, staff) -> None:
    """Four wrong passwords for one account from each of several addresses lock none of them:
    each address counts its own."""
    login = DOORS[door]
    for ip in ("10.0.1.1", "10.0.1.2", "10.0.1.3"):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            login(ip, "wang", "wrong-password")
    r, signed_in = login("10.0.1.4", "wang", PASSWORD)
    assert signed_in and r.status_code in (200, 302)


def test_a_few_wrong_passwords_do_not_lock_and_success_resets_the_count(staff) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        console("10.0.0.1", "wang", "wrong-password")
    assert console("10.0.0.1", "wang", PASSWORD)[1]
    assert not AccessAttempt.objects.filter(username="wang").exists()  # reset on success
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        console("10.0.0.1", "wang", "wrong-password")
    assert console("10.0.0.1", "wang", PASSWORD)[1]


def test_the_back_office_lists_the_lockouts(staff) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        token("10.0.0.1", "wang", "wrong-password")
    root = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(root)
    page = c.get("/admin/axes/accessattempt/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert page.status_code == 200 and "wang" in text
    assert "登录尝试" in text and "登录失败次数" in text  # axes' labels in Chinese
    assert c.get("/admin/axes/accessfailurelog/").status_code == 200
    assert "登录限制" in c.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_behind_a_proxy_the_named_header_is_the_address(settings) -> None:
    from django.test import RequestFactory

    from propdesk.web.lockout import client_ip

    request = RequestFactory().post("/desk/login/", REMOTE_ADDR="10.9.9.9")
    request.META["HTTP_X_REAL_IP"] = "203.0.113.7"
    assert client_ip(request) == "10.9.9.9"  # not trusted unless named
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(request) == "203.0.113.7"


@pytest.mark.parametrize("door", DOORS)
def test_an_ipv6_64_is_one_address_for_the_lockout(door, staff) -> None:
    """A guesser on IPv6 holds a /64 and may use a new address for every try (nginx listens on
    [::]): the tries count together, as the residents' sign-in codes count them; another /64
    (another subscriber) still signs in."""
    login = DOORS[door]
    for i in range(settings.AXES_FAILURE_LIMIT):
        r, signed_in = login(f"2001:db8:7:7::{i + 1:x}", "wang", "wrong-password")
        assert not signed_in
    r, signed_in = login("2001:db8:7:7:abcd::1", "wang", PASSWORD)
    assert not signed_in and r.status_code == 429
    r, signed_in = login("2001:db8:7:8::1", "wang", PASSWORD)
    assert signed_in


@pytest.mark.parametrize("door", DOORS)
def test_a_username_longer_than_any_is_a_wrong_password_not_a_500(door, staff) -> None:
    """Found by the deep fuzz run on PostgreSQL: a 30,000-character username reached axes, whose
    record of the try (varchar(255)) PostgreSQL refused: a 500 on every door. The try is a wrong
    password like any other, counted under the username cut to 255 characters."""
    login = DOORS[door]
    typed = "好" * 30_000
    r, signed_in = login("10.0.0.1", typed, "wrong-password")
    assert not signed_in and r.status_code in (200, 400)
    attempt = AccessAttempt.objects.get(ip_address="10.0.0.1")
    assert attempt.username == typed[:255] and attempt.failures_since_start == 1
    r, signed_in = login("10.0.0.1", "wang", PASSWORD)  # the address is not locked for others
    assert signed_in
