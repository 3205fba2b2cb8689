"""Nothing typed is cut without a word: a field's limit is drawn as data-maxlength (a counter
beside it), not maxlength (with which the browser cuts a paste silently), and a longer text is
refused with the limit in Chinese and kept on the form."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.desk.models import Contact, WorkOrder
from tests.web.conftest import browser_for

PHONE = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)


def no_maxlength(html: str) -> None:
    assert not re.search(r"\smaxlength=", html), "a maxlength cuts a paste silently"


def test_intake_content_over_its_limit_is_refused_and_kept(office, clock) -> None:
    page = browser_for(office.receptionist)
    where = reverse("desk-intake", args=[office.community.pk])
    html = page.get(where).content.decode()
    no_maxlength(html)
    assert 'data-maxlength="4000"' in html
    said = "漏" * 5000
    r = page.post(
        where,
        {
            "channel": "phone",
            "caller_phone": PHONE,
            "intent": "repair",
            "content": said,
            "outcome": "work_order",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "最多 4000" in html or ("4000" in html and "5000" in html)
    assert said in html  # kept whole
    assert not Contact.objects.exists() and not WorkOrder.objects.exists()
