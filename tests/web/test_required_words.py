"""No English reaches a person when a required field is left empty (GLOSSARY.md). The markup
asks the browser for no check of its own (data-required, not required: its bubble would be in the
browser's language); web/fields.js, loaded by the console's and the portal's pages, arms the
check with Chinese words (tests/browser/test_required_words.py). Without JavaScript the form is
sent as it is and the server says what is missing in Chinese, keeping what was typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from propdesk.desk.models import WorkOrderEvent
from tests.web.conftest import browser_for

ROOT = Path(__file__).resolve().parents[2] / "propdesk"
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
NATIVE_CHECK = re.compile(r"\s(required|pattern=)(?=[\s>=])")


def test_no_form_leaves_an_empty_field_to_the_browsers_own_words() -> None:
    """A form with a field the browser would check (required, pattern) says novalidate; every
    other marks its fields data-required for required.js."""
    found = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        if "admin" in path.relative_to(ROOT).parts:
            continue  # Django's back office, for the office's own staff
        for attrs, body in FORM.findall(path.read_text(encoding="utf-8")):
            body = re.sub(r"\{%.*?%\}", " ", body)  # {% if f.required %} is no attribute
            if NATIVE_CHECK.search(body) and "novalidate" not in attrs:
                found.append(f"{path.relative_to(ROOT)}: {NATIVE_CHECK.search(body).group(1)}")
    assert found == []


def test_both_bases_load_the_chinese_words_for_the_browsers_check() -> None:
    for base in ("web/templates/web/base.html", "portal/templates/portal/base.html"):
        text = (ROOT / base).read_text(encoding="utf-8")
        assert "web/fields.js" in text, base
        assert "data-missing=\"{% translate 'Please fill in this field.' %}\"" in text, base


@pytest.mark.django_db
def test_without_javascript_an_empty_note_on_the_order_page_is_said_in_chinese(
    office, open_order
) -> None:
    order = open_order("repair")
    c = browser_for(office.administrator)
    page = c.get(reverse("desk-order", args=[order.pk])).content.decode()
    note = re.search(r'id="action-reply".*?<textarea name="note"[^>]*>', page, re.S).group(0)
    assert 'data-required aria-required="true"' in note and " required" not in note
    before = WorkOrderEvent.objects.filter(order=order).count()
    r = c.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "action",
            "action": "reply",
            "version": order.version,
            "channel": "wechat",
            "note": "",
        },
    )
    html = r.content.decode()
    assert r.status_code == 400
    error = re.search(
        r'id="action-reply".*?<div class="error" role="alert">(.*?)</div>', html, re.S
    )
    assert error is not None and re.search(r"[\u4e00-\u9fff]", error.group(1))
    assert not re.search(r"[A-Za-z]{3,}", error.group(1))
    assert re.search(r'<option value="wechat" selected', html)  # what was chosen stays
    assert WorkOrderEvent.objects.filter(order=order).count() == before


@pytest.mark.django_db
def test_without_javascript_an_empty_room_at_the_cart_is_said_in_chinese(office, clock) -> None:
    from tests.concierge.conftest import make_cart

    cart = make_cart(office, "w")
    c = browser_for(office.receptionist)
    url = reverse("desk-cart", args=[office.community.pk])
    r = c.post(
        url,
        {"form": "lend", "room": "", "item": cart.ladder.pk, "due_at": "2026-11-27T18:00"},
    )
    html = r.content.decode()
    assert r.status_code == 400
    assert 'value="2026-11-27T18:00"' in html  # kept
    errors = re.findall(r'class="error"[^>]*>(.*?)</', html, re.S)
    assert errors and all(re.search(r"[\u4e00-\u9fff]", e) for e in errors)


@pytest.mark.django_db
def test_without_javascript_an_empty_phone_at_the_portals_sign_in_is_said_in_chinese(
    client,
) -> None:
    r = client.post(reverse("portal:login"), {"phone": ""})
    html = r.content.decode()
    said = re.findall(r'role="alert"[^>]*>(.*?)</', html, re.S)
    assert said == ["请填写手机号（例如 13812345678）。"]
