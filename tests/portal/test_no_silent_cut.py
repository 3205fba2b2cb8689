"""Nothing typed is cut without a word: a field's limit is drawn as data-maxlength (a counter
beside it), not maxlength (with which the browser cuts a paste silently), and a longer text is
refused with the limit in Chinese and kept on the form."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from propdesk.community.models import Resident
from propdesk.concierge.models import ConciergeRequest
from propdesk.desk.models import WorkOrder
from propdesk.followup.models import OrderRating, ReturnVisit
from propdesk.portal.models import SignInCode
from tests.concierge.conftest import local, make_cart
from tests.followup.conftest import Loop
from tests.portal.helpers import ask_code, last_code, send_code

PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)


def no_maxlength(html: str) -> None:
    assert not re.search(r"\smaxlength=", html), "a maxlength cuts a paste silently"


def test_portal_report_and_family_name_show_the_limit_and_refuse_longer(
    office, resident_client
) -> None:
    client = resident_client(PHONE)
    html = client.get(reverse("portal:report")).content.decode()
    no_maxlength(html)
    assert 'data-maxlength="2000"' in html and 'data-maxlength="200"' in html
    base = {"household": str(office.household.pk), "kind": "repair", "appointment_at": ""}
    long = "漏" * 2001
    r = client.post(reverse("portal:report"), {**base, "description": long, "location": ""})
    assert r.status_code == 400 and long in r.content.decode()
    where = "地" * 201  # the location was cut to 200 on the server without a word
    r = client.post(reverse("portal:report"), {**base, "description": "漏水", "location": where})
    assert r.status_code == 400 and where in r.content.decode()
    assert not WorkOrder.objects.exists()
    me = client.get(reverse("portal:me")).content.decode()
    no_maxlength(me)  # the phone too: the parser reads it whole
    assert 'data-maxlength="50"' in me
    name = "张" * 51
    r = client.post(
        reverse("portal:me"),
        {"name": name, "phone": "13900001111", "household": office.household.pk},
    )
    assert r.status_code == 400 and name in r.content.decode()
    assert not Resident.objects.filter(name=name).exists()


def test_cs2_portal_where_and_what_is_needed_are_counted_and_refused_not_cut(
    office, clock, resident_client
) -> None:
    """The concierge form's place (100) and need (300): the browser cut them (maxlength), the
    view cut them (200, 300) and the service again (100): counted, refused in words, kept."""
    make_cart(office, "p")
    clock.at = local(26, 10)
    c = resident_client(PHONE)
    html = c.get("/portal/services/").content.decode()
    no_maxlength(html)
    assert 'name="location" value="" data-maxlength="100"' in html
    assert 'name="note" data-maxlength="300"' in html
    where, need = "北门岗亭旁" * 21, "两件行李送到电梯口，" * 31
    base = {"form": "concierge", "household": office.household.pk, "kind": "luggage"}
    r = c.post("/portal/services/", {**base, "location": where, "note": need})
    html = r.content.decode()
    assert r.status_code == 400 and f'value="{where}"' in html and f">{need}</textarea>" in html
    assert "地点最多 100 个字（现有 105 个），请删减。" in html
    assert "需要协助的内容最多 300 个字（现有 310 个），请删减。" in html
    assert not ConciergeRequest.objects.exists()
    r = c.post("/portal/services/", {**base, "location": where[:100], "note": need[:300]})
    assert r.status_code == 302
    made = ConciergeRequest.objects.get()
    assert (made.location, made.note) == (where[:100], need[:300])


def test_rv6_the_owners_comment_with_a_rating_is_counted_and_refused_not_cut(
    office, clock, resident_client
) -> None:
    """The comment beside the stars (2000): cut by the browser (maxlength) and by the service
    (opinion[:2000]) without a word; now counted, refused in words, kept, nothing rated."""
    order = Loop(office, clock).resolved("repair")
    c = resident_client(PHONE)
    where = f"/portal/orders/{order.pk}/rate/"
    html = c.get(where).content.decode()
    no_maxlength(html)
    assert 'name="opinion" rows="3" data-maxlength="2000"' in html
    said = ("师傅来得很快，态度也好，只是走的时候没有清理地面。" * 90)[:2001]
    stars = {"speed": "5", "attitude": "4", "result": "5", "level": "satisfied"}
    r = c.post(where, {**stars, "opinion": said})
    html = r.content.decode()
    assert r.status_code == 400 and f">{said}</textarea>" in html
    assert "您的意见最多 2000 个字（现有 2001 个），请删减。" in html
    assert not OrderRating.objects.exists() and not ReturnVisit.objects.exists()
    r = c.post(where, {**stars, "opinion": said[:2000]})
    assert r.status_code == 302
    assert ReturnVisit.objects.get(order=order).opinion == said[:2000]


def test_the_owners_reason_to_reopen_is_counted_and_refused_not_cut(
    office, clock, resident_client
) -> None:
    """What is still wrong (500): the browser cut it (maxlength); the server already refused
    a longer one, which the owner never saw. Counted now, refused in words, kept."""
    order = Loop(office, clock).resolved("repair")
    c = resident_client(PHONE)
    where = f"/portal/orders/{order.pk}/reopen/"
    html = c.get(where).content.decode()
    no_maxlength(html)
    assert 'name="note" rows="3" data-maxlength="500"' in html
    why = ("厨房水管接口还在漏水，" * 50)[:501]
    r = c.post(where, {"outcome": "not_fixed", "note": why})
    html = r.content.decode()
    assert r.status_code == 400 and f">{why}</textarea>" in html
    assert "请不要超过500字。" in html
    order.refresh_from_db()
    assert order.state == "resolved"
    assert c.post(where, {"outcome": "not_fixed", "note": why[:500]}).status_code == 302


def test_phone_fields_are_not_cut_and_a_longer_code_is_never_taken_cut(office, clock) -> None:
    """A number is read by the server (the parser says what is wrong with it), so the browser
    no longer cuts one at 20 (``0755-8888-1234 转 8012`` is 21). The SMS code keeps its
    maxlength of 6 (a one-time-code field filled by the phone's autofill); a longer one sent
    anyway is refused whole, never cut to its first six: no try counted, the code kept."""
    c = Client()
    html = c.get("/portal/login/").content.decode()
    no_maxlength(html)
    ask_code(c, PHONE)
    html = c.get("/portal/login/").content.decode()
    assert re.findall(r'<input[^>]*\smaxlength="[^"]*"[^>]*>', html) == [
        re.search(r'<input id="id_code"[^>]*>', html).group(0)  # type: ignore[union-attr]
    ]
    assert 'maxlength="6"' in html and 'autocomplete="one-time-code"' in html
    typed = last_code(PHONE) + "7"
    r = send_code(c, typed)
    assert r.status_code == 400 and f'value="{typed}"' in r.content.decode()
    assert "请填写短信中的6位验证码" in r.content.decode()
    assert SignInCode.objects.get().wrong_tries == 0
    assert c.get("/portal/me/").status_code == 302  # not signed in
