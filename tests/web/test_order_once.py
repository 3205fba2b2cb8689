"""One write per form on an order's pages (core.once, as the intake): the order page's file
(附件) and record forms (当事人陈述, 整改措施) and the job page's photo carry a one-time token; the
same form sent twice (a double tap, a resend on a bad network, a browser without the page's
script) adds one file / one record, and the second answer says it was recorded once."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from propdesk.core.models import SubmittedForm
from propdesk.desk.models import Attachment, Rectification
from tests.images import PNG
from tests.web.conftest import act, browser_for

ALREADY = "已经提交过"


def token_of(html: str, form: str) -> str:
    """The one-time token of the form whose hidden ``form`` field is ``form``."""
    found = re.search(
        r'name="once" value="([^"]+)"><input type="hidden" name="form" value="' + form + '"', html
    )
    assert found, f"the {form} form carries no one-time token"
    return found.group(1)


def png(name: str = "site.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, "image/png")


def twice(client, url: str, data: dict, files=None) -> tuple:
    """The same form, posted twice (each post with its own copy of the file)."""
    first = client.post(url, {**data, **(files() if files else {})})
    second = client.post(url, {**data, **(files() if files else {})})
    return first, second


def test_the_order_pages_file_sent_twice_is_attached_once(office, clock, open_order) -> None:
    order = open_order()
    page = browser_for(office.receptionist)
    url = reverse("desk-order", args=[order.pk])
    data = {
        "form": "attach",
        "kind": "photo",
        "once": token_of(page.get(url).content.decode(), "attach"),
    }
    first, second = twice(page, url, data, files=lambda: {"file": png()})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url
    assert Attachment.objects.filter(order=order).count() == 1
    assert order.events.filter(action="attach").count() == 1
    shown = page.get(url).content.decode()
    assert ALREADY in shown
    assert SubmittedForm.objects.get().owner == f"user:{office.receptionist.pk}"


def test_the_job_pages_photo_sent_twice_is_added_once(office, clock, open_order) -> None:
    order = open_order()
    act(order, "dispatch", office.receptionist, clock, assignee=office.repair_member)
    act(order, "accept", office.repair_member, clock)
    phone = browser_for(office.repair_member)
    url = reverse("desk-job", args=[order.pk])
    data = {"form": "photo", "once": token_of(phone.get(url).content.decode(), "photo")}
    first, second = twice(phone, url, data, files=lambda: {"file": png()})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url
    assert [a.kind for a in Attachment.objects.filter(order=order)] == ["photo"]
    assert ALREADY in phone.get(url).content.decode()


def test_the_records_sent_twice_are_written_once_and_the_replay_is_told_so(
    office, clock, open_order
) -> None:
    """CP-5: the staff member's account (当事人陈述) and the head's rectification sent twice:
    one event, one rectification; the replay is told it was recorded, not refused as stale or
    as a rectification still open."""
    order = open_order("complaint", complaint_type="attitude", description="保安态度恶劣")
    url = reverse("desk-order", args=[order.pk])
    desk = browser_for(office.receptionist)
    account = {
        "form": "account",
        "version": order.version,
        "staff_member": office.repair_member.pk,
        "account": "劝离时语气生硬",
        "once": token_of(desk.get(url).content.decode(), "account"),
    }
    first, second = twice(desk, url, account)
    assert first.status_code == second.status_code == 302, second.content.decode()[:300]
    assert order.events.filter(action="staff_account").count() == 1
    assert ALREADY in desk.get(url).content.decode()
    head = browser_for(office.head)
    rectification = {
        "form": "rectification",
        "measures": "服务礼仪培训",
        "penalty": "扣绩效100元",
        "deadline": "2026-12-03T17:00",
        "once": token_of(head.get(url).content.decode(), "rectification"),
    }
    # Refused (no measures): drawn again, only the rectification form takes its token back; the
    # page's other forms get new ones (sent next, they are not taken for its replay).
    refused = head.post(url, {**rectification, "measures": ""})
    assert refused.status_code == 400
    drawn = refused.content.decode()
    assert token_of(drawn, "rectification") == rectification["once"]
    assert token_of(drawn, "account") != rectification["once"]
    first, second = twice(head, url, rectification)
    assert first.status_code == second.status_code == 302, second.content.decode()[:300]
    assert Rectification.objects.filter(order=order).count() == 1
    shown = head.get(url).content.decode()
    assert ALREADY in shown


def test_a_refused_file_keeps_its_token_and_a_new_form_is_a_new_file(
    office, clock, open_order
) -> None:
    order = open_order()
    page = browser_for(office.receptionist)
    url = reverse("desk-order", args=[order.pk])
    token = token_of(page.get(url).content.decode(), "attach")
    refused = page.post(url, {"form": "attach", "kind": "photo", "once": token})  # no file
    assert refused.status_code == 400
    assert token_of(refused.content.decode(), "attach") == token
    assert not SubmittedForm.objects.exists()
    assert (
        page.post(
            url, {"form": "attach", "kind": "photo", "once": token, "file": png()}
        ).status_code
        == 302
    )
    again = token_of(page.get(url).content.decode(), "attach")
    assert again != token
    assert (
        page.post(
            url, {"form": "attach", "kind": "photo", "once": again, "file": png()}
        ).status_code
        == 302
    )
    assert Attachment.objects.filter(order=order).count() == 2


def test_a_refused_file_keeps_the_kind_chosen(office, clock, open_order) -> None:
    """A scan of the owner's letter refused (not a photo nor a PDF): the page comes back with
    来信扫描件 still chosen, so that the good file sent next is filed as the letter, not as a
    photo (the list's first choice)."""
    order = open_order(kind="complaint", complaint_type="written")
    page = browser_for(office.administrator)
    url = reverse("desk-order", args=[order.pk])
    token = token_of(page.get(url).content.decode(), "attach")
    refused = page.post(
        url,
        {
            "form": "attach",
            "kind": "letter",
            "once": token,
            "file": SimpleUploadedFile("letter.jpg", b"not an image", "image/jpeg"),
        },
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert '<option value="letter" selected>' in html
    assert '<option value="photo" selected>' not in html
