"""How the owner was answered (答复方式) says 电话 for a phone answer: 来电 is a call that came
in (the contact's channel), and the office answering the owner is not one (GLOSSARY: 答复 by
电话, 当面, 书面, 微信/短信)."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.web.conftest import act, browser_for


def test_the_reply_form_and_the_timeline_say_phone_not_incoming_call(
    office, clock, open_order
) -> None:
    order = open_order("complaint", description="夜间施工噪音", complaint_type="general")
    act(order, "take", office.administrator, clock)
    page = browser_for(office.administrator)
    url = reverse("desk-order", args=[order.pk])
    html = page.get(url).content.decode()
    form = re.search(r'value="reply".*?</form>', html, re.S).group(0)
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', form)
    assert ("phone", "电话") in options
    assert "来电" not in form

    act(order, "reply", office.administrator, clock, note="已电话答复业主", channel="phone")
    html = page.get(url).content.decode()
    assert re.search(r"<strong>答复业主</strong>[^<]* · 电话", html)
