"""After an action the page says which action went through on which order, and where the order
is now when it moved: on a phone, between orders, a bare "已保存" does not tell the worker it was
the right one."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.images import PNG
from tests.web.conftest import browser_for


def test_the_administrator_reads_which_complaint_was_taken(office, clock, open_order) -> None:
    complaint = open_order("complaint", description="噪音")
    page = browser_for(office.administrator)
    r = page.post(
        reverse("desk-order", args=[complaint.pk]),
        {"form": "action", "action": "take", "version": complaint.version},
        follow=True,
    )
    html = r.content.decode()
    assert f"已受理：{complaint.number}。" in html
    assert "已保存" not in html


def test_the_leader_reads_to_whom_the_repair_was_dispatched(office, clock, open_order) -> None:
    repair = open_order()
    page = browser_for(office.repair_leader)
    r = page.post(
        reverse("desk-job", args=[repair.pk]),
        {
            "form": "action",
            "action": "assign",
            "version": repair.version,
            "assignee": office.repair_member.pk,
        },
        follow=True,
    )
    repair.refresh_from_db()
    assert repair.assignee == office.repair_member
    assert f"已派单给 {office.repair_member.name}：{repair.number}。" in r.content.decode()


def test_a_photo_is_still_just_saved(office, clock, open_order) -> None:
    """A form that is not an action (a photo, an account) keeps saying it was saved."""
    repair = open_order()
    page = browser_for(office.receptionist)
    r = page.post(
        reverse("desk-order", args=[repair.pk]),
        {"form": "attach", "kind": "photo", "file": SimpleUploadedFile("a.png", PNG, "image/png")},
        follow=True,
    )
    assert "已保存。" in r.content.decode()
