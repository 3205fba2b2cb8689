"""Nothing typed is cut without a word: a field's limit is drawn as data-maxlength (a counter
beside it), not maxlength (with which the browser cuts a paste silently), and a longer text is
refused with the limit in Chinese and kept on the form."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.community.models import Resident
from propdesk.desk.models import WorkOrder

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
    no_maxlength(re.sub(r'<input[^>]*name="phone"[^>]*>', "", me))
    assert 'data-maxlength="50"' in me
    name = "张" * 51
    r = client.post(
        reverse("portal:me"),
        {"name": name, "phone": "13900001111", "household": office.household.pk},
    )
    assert r.status_code == 400 and name in r.content.decode()
    assert not Resident.objects.filter(name=name).exists()
