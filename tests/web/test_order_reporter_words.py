"""The order page names the person who reported it as the glossary does: on a complaint the
投诉人 (as the printed 服务工作单 does), on any other order the 报事人; an order nobody reported
by name (an emergency logged with a place only) shows no empty 报事人 line."""

from __future__ import annotations

import re

from django.urls import reverse

from tests.web.conftest import browser_for


def label_before(html: str, name: str) -> str | None:
    found = re.search(r"<dt[^>]*>([^<]*)</dt><dd>" + re.escape(name), html)
    return found.group(1) if found else None


def test_a_complaint_shows_its_complainant_and_a_repair_its_reporter(office, open_order) -> None:
    complaint = open_order(
        kind="complaint",
        complaint_type="general",
        description="楼上夜里装修噪音",
        reporter_name="韦梅倩",
        reporter_phone="13800138000",
    )
    repair = open_order(reporter_name="蔡勇德", reporter_phone="15842837145")
    admin = browser_for(office.administrator)
    html = admin.get(reverse("desk-order", args=[complaint.pk])).content.decode()
    assert label_before(html, "韦梅倩") == "投诉人"
    assert "报事人" not in html
    html = admin.get(reverse("desk-order", args=[repair.pk])).content.decode()
    assert label_before(html, "蔡勇德") == "报事人"


def test_an_order_without_a_reporter_shows_no_empty_reporter_line(office, open_order) -> None:
    order = open_order(household=None, location="3栋1单元8楼走廊")
    html = (
        browser_for(office.administrator)
        .get(reverse("desk-order", args=[order.pk]))
        .content.decode()
    )
    assert "报事人" not in html and "投诉人" not in html
