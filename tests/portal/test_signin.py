"""Issue 13, item 1: a resident signs in with the phone number on the register and a one-time SMS
code (console backend), within the limits per number and per address; the code is kept hashed,
expires in 5 minutes, works once, and three wrong tries burn it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from propdesk.community.models import Relation
from propdesk.notify.sms import console_sent
from propdesk.portal.access import SESSION_KEY
from propdesk.portal.models import SignIn, SignInCode
from tests import factories as f
from tests.portal.helpers import ask_code, last_code, send_code

pytestmark = pytest.mark.django_db

OWNER = "13812345678"  # 张伟, owner of 3-2-1502 (tests/conftest.py make_office)


def signed_in(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_a_registered_owner_signs_in_with_the_code_from_the_sms(office, clock) -> None:
    c = Client()
    r = ask_code(c, "138 1234 5678")  # typed as people type it: normalised
    assert r.status_code == 302
    page = c.get(r["Location"])
    assert "验证码已发送至 138****5678" in page.content.decode()
    code = last_code(OWNER)
    r = send_code(c, code)
    assert r.status_code == 302 and r["Location"] == "/portal/"
    assert signed_in(c) == OWNER
    home = c.get("/portal/").content.decode()
    assert "3-2-1502" in home and "退出登录" not in home  # sign-out lives on 我的
    row = SignIn.objects.get()
    assert (row.phone, row.community_id, row.client_ip, row.method, row.at) == (
        OWNER,
        office.community.pk,
        "10.0.0.1",
        "sms",
        clock.now(),
    )
    assert row.names == "张伟"


def test_the_code_is_stored_hashed_never_as_typed(office, clock) -> None:
    ask_code(Client(), OWNER)
    code = last_code(OWNER)
    row = SignInCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.expires_at == clock.now() + timedelta(minutes=5)


def test_a_number_not_on_the_register_is_told_to_call_the_front_desk(office, clock) -> None:
    c = Client()
    before = len(console_sent())
    r = ask_code(c, "13700001111")
    text = r.content.decode()
    assert r.status_code == 400
    assert "该手机号未在物业登记，请联系前台" in text
    assert 'value="13700001111"' in text  # what was typed is kept
    assert len(console_sent()) == before and not SignInCode.objects.exists()


def test_a_malformed_number_gets_the_phone_message_and_keeps_the_text(office, clock) -> None:
    r = ask_code(Client(), "138-abc")
    assert r.status_code == 400
    assert "电话号码格式不正确" in r.content.decode()
    assert 'value="138-abc"' in r.content.decode()


def test_a_landline_on_the_register_is_asked_for_a_mobile(office, clock) -> None:
    f.ResidentFactory(household=office.household, name="李娜", phone="075588881234")
    r = ask_code(Client(), "0755-88881234")
    assert "验证码以短信发送，请填写手机号" in r.content.decode()
    assert not SignInCode.objects.exists()


def test_one_a_minute_per_number_boundary(office, clock) -> None:
    c = Client()
    assert ask_code(c, OWNER).status_code == 302
    clock.advance(seconds=59)
    r = ask_code(c, OWNER, ip="10.0.0.2")  # another address: the number's own limit
    assert r.status_code == 429
    assert "获取验证码过于频繁，请1秒后再试" in r.content.decode()
    assert r["Retry-After"] == "1"
    assert SignInCode.objects.count() == 1
    clock.advance(seconds=1)
    assert ask_code(c, OWNER, ip="10.0.0.2").status_code == 302
    assert SignInCode.objects.count() == 2


def test_five_an_hour_per_number_then_the_wait_in_minutes(office, clock) -> None:
    c = Client()
    for i in range(5):
        assert ask_code(c, OWNER, ip=f"10.0.1.{i}").status_code == 302
        clock.advance(seconds=60)
    # Five sent at 0..4 minutes; now 5 minutes: the first leaves the hour at 60 minutes.
    r = ask_code(c, OWNER, ip="10.0.1.9")
    assert r.status_code == 429
    assert "请55分钟后再试" in r.content.decode()
    clock.advance(seconds=55 * 60 - 1)
    assert ask_code(c, OWNER, ip="10.0.1.9").status_code == 429
    clock.advance(seconds=1)
    assert ask_code(c, OWNER, ip="10.0.1.9").status_code == 302


def test_ten_a_day_per_number_then_the_wait_in_hours(office, clock) -> None:
    c = Client()
    for i in range(10):
        assert ask_code(c, OWNER, ip=f"10.0.2.{i}").status_code == 302
        clock.advance(hours=1)
    r = ask_code(c, OWNER, ip="10.0.2.99")
    assert r.status_code == 429
    assert "请14小时后再试" in r.content.decode()


def test_the_limits_hold_per_address_across_numbers(office, clock) -> None:
    other = f.ResidentFactory(household=office.household, name="张小伟", relation="family")
    c = Client()
    assert ask_code(c, OWNER, ip="10.9.9.9").status_code == 302
    r = ask_code(c, other.phone, ip="10.9.9.9")
    assert r.status_code == 429
    assert "获取验证码过于频繁，请1分钟后再试" in r.content.decode()
    assert SignInCode.objects.count() == 1
    assert ask_code(c, other.phone, ip="10.9.9.8").status_code == 302


def test_the_code_expires_after_five_minutes_boundary(office, clock) -> None:
    c = Client()
    ask_code(c, OWNER)
    code = last_code(OWNER)
    clock.advance(seconds=300)
    r = send_code(c, code)
    assert r.status_code == 400
    assert "验证码已过期或已使用，请重新获取" in r.content.decode()
    assert signed_in(c) is None


def test_the_code_works_one_second_before_it_expires(office, clock) -> None:
    c = Client()
    ask_code(c, OWNER)
    clock.advance(seconds=299)
    assert send_code(c, last_code(OWNER)).status_code == 302
    assert signed_in(c) == OWNER


def test_a_code_works_once(office, clock) -> None:
    first, second = Client(), Client()
    ask_code(first, OWNER)
    code = last_code(OWNER)
    # The second browser is on the code step for the same number.
    session = second.session
    session["portal_pending_phone"] = OWNER
    session.save()
    assert send_code(first, code).status_code == 302
    r = send_code(second, code)
    assert "验证码已过期或已使用" in r.content.decode()
    assert signed_in(second) is None


def test_wrong_codes_say_how_many_tries_are_left_then_burn_the_code(office, clock) -> None:
    c = Client()
    ask_code(c, OWNER)
    code = last_code(OWNER)
    wrong = "000000" if code != "000000" else "111111"
    r = send_code(c, wrong)
    assert "验证码不正确，还可再试2次" in r.content.decode()
    assert 'value="000000"' in r.content.decode() or 'value="111111"' in r.content.decode()
    send_code(c, wrong)
    r = send_code(c, wrong)
    assert "验证码错误次数过多，已失效，请重新获取" in r.content.decode()
    r = send_code(c, code)  # the right code, too late
    assert "验证码已过期或已使用" in r.content.decode()
    assert signed_in(c) is None
    assert SignInCode.objects.get().burned


def test_a_code_that_is_not_six_digits_is_refused_without_counting(office, clock) -> None:
    c = Client()
    ask_code(c, OWNER)
    r = send_code(c, "12a4")
    assert "请填写短信中的6位验证码" in r.content.decode()
    assert SignInCode.objects.get().wrong_tries == 0


def test_a_new_code_replaces_the_last(office, clock) -> None:
    c = Client()
    ask_code(c, OWNER)
    old = last_code(OWNER)
    clock.advance(seconds=60)
    ask_code(c, OWNER)
    new = last_code(OWNER)
    if old != new:
        assert "验证码不正确" in send_code(c, old).content.decode()
        assert signed_in(c) is None
    assert send_code(c, new).status_code == 302


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/portal/me/", "/portal/me/"),
        ("/desk/", "/portal/"),
        ("https://evil.example.com/portal/", "/portal/"),
        ("//evil.example.com/portal/", "/portal/"),
        ("/portal/logout/", "/portal/"),
    ],
)
def test_next_is_honoured_only_for_a_portal_page(office, clock, next_url, lands) -> None:
    c = Client()
    ask_code(c, OWNER, next=next_url)
    r = send_code(c, last_code(OWNER), next=next_url)
    assert r["Location"] == lands


def test_a_portal_page_sends_to_sign_in_and_back(office, clock) -> None:
    c = Client()
    r = c.get("/portal/me/")
    assert r["Location"] == "/portal/login/?next=%2Fportal%2Fme%2F"
    assert 'name="next" value="/portal/me/"' in c.get(r["Location"]).content.decode()


def test_sign_out_ends_the_resident_session(office, clock, resident_client) -> None:
    c = resident_client(OWNER)
    assert c.get("/portal/").status_code == 200
    r = c.post("/portal/logout/")
    assert r["Location"] == "/portal/login/"
    assert c.get("/portal/")["Location"].startswith("/portal/login/")


def test_a_resident_session_is_no_staff_login(office, clock, resident_client) -> None:
    c = resident_client(OWNER)
    assert c.get("/desk/")["Location"].startswith("/desk/login/")
    assert c.get("/api/households/").status_code in (401, 403)


def test_a_staff_login_is_no_resident_session(office, clock) -> None:
    c = Client()
    c.force_login(office.receptionist)
    assert c.get("/portal/")["Location"].startswith("/portal/login/")


def test_a_family_member_added_by_the_office_signs_in_and_sees_the_household(office, clock) -> None:
    member = f.ResidentFactory(
        household=office.household, name="张小雨", relation=Relation.FAMILY, phone="13600001111"
    )
    c = Client()
    ask_code(c, member.phone)
    send_code(c, last_code(member.phone))
    assert "3-2-1502" in c.get("/portal/").content.decode()
