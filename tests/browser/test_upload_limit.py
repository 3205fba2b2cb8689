"""Issue 11, forms: a file over the server's limit is refused in the browser before anything is
uploaded, in the server's own Chinese words (uploads.js reads the file input's data-max-bytes);
the server checks again on its side (tests/web/test_forms_plain.py)."""

from __future__ import annotations

import pytest

from propdesk.desk.models import Attachment, Contact
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_console import sign_in
from tests.conftest import make_office

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_too_large_letter_is_refused_in_the_browser_before_it_is_uploaded(
    page, live_server, clock, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist)
    posts: list[str] = []
    page.on("request", lambda req: posts.append(req.url) if req.method == "POST" else None)
    letter = page.locator("#id_letter")
    assert letter.get_attribute("data-max-bytes") == str(1024 * 1024)
    letter.set_input_files(
        {
            "name": "letter.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4 " + b"x" * (2 * 1024 * 1024),
        }
    )
    message = page.locator("#letter-field .upload-error")
    message.wait_for(timeout=5000)
    assert "文件超过 1 MB" in message.inner_text()
    # Taken off the input at once: nothing that large can leave the page.
    assert letter.evaluate("el => el.files.length") == 0
    assert letter.get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(SCREENSHOTS / "intake-upload-too-large.png"), full_page=True)
    assert posts == []
    # A file within the limit clears the message.
    letter.set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 small"}
    )
    message.wait_for(state="detached", timeout=5000)
    assert letter.evaluate("el => el.files.length") == 1
    assert posts == [] and not Contact.objects.exists() and not Attachment.objects.exists()


def _submit_complaint(page, channel: str, content: str) -> str:
    """Fill the intake with a complaint and send it; the request's Content-Type."""
    page.locator(f"input[name=channel][value={channel}]").check()
    page.fill("#id_caller_phone", "13812345678")
    page.keyboard.press("Alt+2")  # intent: complaint
    page.fill("#id_content", content)
    page.keyboard.press("Alt+w")  # outcome: a work order
    with page.expect_request(lambda r: r.method == "POST" and "/intake/" in r.url) as posted:
        page.keyboard.press("Control+Enter")
    page.locator(".messages .success, .field-error").first.wait_for(timeout=10000)
    errors = page.locator(".field-error").all_inner_texts()
    assert not errors, errors
    return posted.value.headers.get("content-type", "")


def test_a_form_without_a_file_is_sent_plain_and_with_one_as_multipart(
    page, live_server, clock
) -> None:
    """uploads.js: the intake (enctype multipart/form-data, for the letter) is sent as a plain
    form when no file is chosen (a call: most of a day's intakes), which the server reads for
    less; with a letter it is multipart and the letter is kept with its order."""
    office = make_office(f.CommunityFactory(name="锦绣花园", code="jx"), "a")
    sign_in(page, live_server, office.receptionist)
    kind = _submit_complaint(page, "phone", "来电投诉楼道堆放杂物")
    assert kind.startswith("application/x-www-form-urlencoded"), kind
    contact = Contact.objects.get()
    assert contact.content == "来电投诉楼道堆放杂物" and contact.work_orders.count() == 1
    assert not Attachment.objects.exists()

    page.goto(f"{live_server.url}/desk/{office.community.pk}/intake/")
    page.locator("#id_letter").set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 letter"}
    )
    kind = _submit_complaint(page, "written", "来信投诉电梯异响")
    assert kind.startswith("multipart/form-data"), kind
    letter = Contact.objects.get(content="来信投诉电梯异响")
    assert Attachment.objects.count() == 1 and letter.work_orders.count() == 1
