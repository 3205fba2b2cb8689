"""Issue 13, item 1: a resident signs in with the phone number on the register and a one-time SMS
code (console backend), within the limits per number and address together, per address, and a
daily cap per number; the code is kept hashed, expires in 5 minutes, works once, a new code does
not void it, and three wrong tries burn it. A number off the register gets the same answers as
one on it (only no SMS goes), and the limits come before the register is looked at."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client

from propdesk.community.models import Relation
from propdesk.notify.sms import console_sent
from propdesk.portal.access import SESSION_KEY
from propdesk.portal.models import SignIn, SignInCode
from tests import factories as f
from tests.portal.helpers import ask_code, deliver_codes, last_code, send_code

pytestmark = pytest.mark.django_db

OWNER = "13812345678"  # 张伟, owner of 3-2-1502 (tests/conftest.py make_office)


def signed_in(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


SENT = "如该号码已在物业登记，验证码已发送至 {}；如未收到，请联系物业管理处。"


def test_a_registered_owner_signs_in_with_the_code_from_the_sms(office, clock) -> None:
    c = Client()
    r = ask_code(c, "138 1234 5678")  # typed as people type it: normalised
    assert r.status_code == 302
    page = c.get(r["Location"])
    assert SENT.format("138****5678") in page.content.decode()
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


def test_a_number_off_the_register_gets_the_same_answers_as_one_on_it(office, clock) -> None:
    """From outside, a number on the register and one off it cannot be told apart: the same
    redirect, the same page (only the masked number differs), the same answer to a wrong code;
    the number off the register gets no SMS, and no code of its signs anyone in."""
    stranger = "13700001111"
    sent_before = {n: len(console_sent(n)) for n in (OWNER, stranger)}
    pages = {}
    for number, ip in ((OWNER, "10.0.0.1"), (stranger, "10.0.0.2")):
        c = Client()
        r = ask_code(c, number, ip=ip)
        assert r.status_code == 302 and r["Location"] == "/portal/login/?next=%2Fportal%2F"
        page = c.get(r["Location"]).content.decode()
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
        page = page.replace(number, "…")
        pages[number] = page.replace(number[:3] + "****" + number[-4:], "…")
        assert SENT.format(number[:3] + "****" + number[-4:]) in page
        assert "未在物业登记" not in page
        r = send_code(c, "000000", ip=ip)
        assert r.status_code == 400
        assert "验证码不正确，还可再试2次" in r.content.decode()
    assert pages[OWNER] == pages[stranger]
    deliver_codes()  # the worker's tick: only the number on the register is sent its code
    assert len(console_sent(stranger)) == sent_before[stranger] == 0
    assert len(console_sent(OWNER)) == sent_before[OWNER] + 1
    c = Client()
    ask_code(c, stranger, ip="10.0.0.3")
    for _ in range(2):
        send_code(c, "000000", ip="10.0.0.3")
    r = send_code(c, "000000", ip="10.0.0.3")
    assert "验证码错误次数过多，已失效，请重新获取" in r.content.decode()  # as for a real code
    assert signed_in(c) is None


def test_the_address_limit_comes_before_the_register(office, clock) -> None:
    """One address sounding out the register: every ask counts, on the register or not, and the
    sixth in a minute is refused the same way whatever the number."""
    c = Client()
    before = len(console_sent(OWNER))
    for i in range(5):
        assert ask_code(c, f"1370000000{i}", ip="10.6.6.6").status_code == 302
    for number in ("13700000009", OWNER):
        r = ask_code(c, number, ip="10.6.6.6")
        assert r.status_code == 429
        assert "获取验证码过于频繁，请1分钟后再试" in r.content.decode()
    assert len(console_sent(OWNER)) == before
    clock.advance(seconds=60)
    assert ask_code(c, OWNER, ip="10.6.6.6").status_code == 302


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


def test_one_a_minute_per_number_and_address_boundary(office, clock) -> None:
    c = Client()
    assert ask_code(c, OWNER).status_code == 302
    clock.advance(seconds=59)
    r = ask_code(c, OWNER)
    assert r.status_code == 429
    assert "获取验证码过于频繁，请1秒后再试" in r.content.decode()
    assert r["Retry-After"] == "1"
    assert SignInCode.objects.count() == 1
    clock.advance(seconds=1)
    assert ask_code(c, OWNER).status_code == 302
    assert SignInCode.objects.count() == 2


def test_asks_for_a_number_from_elsewhere_do_not_use_up_the_residents_own(office, clock) -> None:
    """The tester's case: five asks for a resident's number from five addresses, one a minute,
    used to refuse the resident for 55 minutes; now each address has its own count."""
    c = Client()
    for i in range(5):
        assert ask_code(c, OWNER, ip=f"10.0.1.{i}").status_code == 302
        clock.advance(seconds=60)
    assert ask_code(c, OWNER, ip="10.0.1.9").status_code == 302
    assert ask_code(Client(), OWNER, ip="10.0.1.0").status_code == 302  # a minute later again


def test_five_an_hour_per_number_and_address_then_the_wait_in_minutes(office, clock) -> None:
    c = Client()
    for _ in range(5):
        assert ask_code(c, OWNER, ip="10.0.1.1").status_code == 302
        clock.advance(seconds=60)
    # Five sent at 0..4 minutes; now 5 minutes: the first leaves the hour at 60 minutes.
    r = ask_code(c, OWNER, ip="10.0.1.1")
    assert r.status_code == 429
    assert "请55分钟后再试" in r.content.decode()
    clock.advance(seconds=55 * 60 - 1)
    assert ask_code(c, OWNER, ip="10.0.1.1").status_code == 429
    clock.advance(seconds=1)
    assert ask_code(c, OWNER, ip="10.0.1.1").status_code == 302


def test_ten_a_day_per_number_and_address_then_the_wait_in_hours(office, clock) -> None:
    c = Client()
    for _ in range(10):
        assert ask_code(c, OWNER, ip="10.0.2.1").status_code == 302
        clock.advance(hours=1)
    r = ask_code(c, OWNER, ip="10.0.2.1")
    assert r.status_code == 429
    assert "请14小时后再试" in r.content.decode()
    assert ask_code(c, OWNER, ip="10.0.2.2").status_code == 302  # another address: its own


def test_twenty_a_day_per_number_from_any_addresses_caps_the_sms(office, clock) -> None:
    c = Client()
    before = len(console_sent(OWNER))
    for i in range(20):
        assert ask_code(c, OWNER, ip=f"10.0.3.{i}").status_code == 302
        deliver_codes()
        clock.advance(seconds=60)
    assert len(console_sent(OWNER)) == before + 20
    # Twenty sent at 0..19 minutes; now 20 minutes: the first leaves the day in 23 h 40 min.
    r = ask_code(c, OWNER, ip="10.0.3.99")
    assert r.status_code == 429
    assert "请24小时后再试" in r.content.decode()
    clock.advance(seconds=86400 - 20 * 60 - 1)
    assert ask_code(c, OWNER, ip="10.0.3.99").status_code == 429
    clock.advance(seconds=1)
    assert ask_code(c, OWNER, ip="10.0.3.99").status_code == 302


def test_the_limits_hold_per_address_across_numbers(office, clock) -> None:
    other = f.ResidentFactory(household=office.household, name="张小伟", relation="family")
    c = Client()
    assert ask_code(c, OWNER, ip="10.9.9.9").status_code == 302
    for i in range(4):
        assert ask_code(c, f"1370000000{i}", ip="10.9.9.9").status_code == 302
    r = ask_code(c, other.phone, ip="10.9.9.9")
    assert r.status_code == 429
    assert "获取验证码过于频繁，请1分钟后再试" in r.content.decode()
    assert SignInCode.objects.count() == 5
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


def test_a_new_code_does_not_void_the_last_within_its_lifetime(office, clock) -> None:
    """Someone else asking for the resident's number does not void the code the resident is
    typing; once signed in, the other codes are burned."""
    c = Client()
    ask_code(c, OWNER)
    old = last_code(OWNER)
    clock.advance(seconds=60)
    assert ask_code(Client(), OWNER, ip="10.0.0.66").status_code == 302
    assert send_code(c, old).status_code == 302
    assert signed_in(c) == OWNER
    assert SignInCode.objects.filter(used_at__isnull=True, burned=False).count() == 0


def test_only_the_last_three_live_codes_work(office, clock) -> None:
    c = Client()
    codes = []
    for i in range(4):
        ask_code(c, OWNER, ip=f"10.0.4.{i}")
        codes.append(last_code(OWNER))
        clock.advance(seconds=60)  # the first is still within its 5 minutes
    if codes[0] not in codes[1:]:
        assert "验证码不正确" in send_code(c, codes[0]).content.decode()
        assert signed_in(c) is None
    assert send_code(c, codes[1]).status_code == 302


def test_a_wrong_code_counts_a_try_on_every_live_code(office, clock) -> None:
    """Two live codes do not give a guesser twice the tries: each code is tried wrong at most
    three times, then both are burned."""
    c = Client()
    ask_code(c, OWNER)
    first = last_code(OWNER)
    clock.advance(seconds=60)
    ask_code(c, OWNER)
    second = last_code(OWNER)
    wrong = next(w for w in ("000000", "111111", "222222") if w not in (first, second))
    assert "还可再试2次" in send_code(c, wrong).content.decode()
    assert "还可再试1次" in send_code(c, wrong).content.decode()
    assert "验证码错误次数过多" in send_code(c, wrong).content.decode()
    assert "验证码已过期或已使用" in send_code(c, second).content.decode()
    rows = SignInCode.objects.order_by("sent_at")
    assert [(row.wrong_tries, row.burned) for row in rows] == [(3, True), (3, True)]


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
