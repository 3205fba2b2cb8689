"""The console's forms (issue 11): every error at once, beside its field, in words that say what
to type; nothing typed is lost; local landlines are phones; fees as people write them; a letter is
a written complaint (CP-3) with its scan or an explicit 'no written material'; intake's
预约上门时间 becomes the order's appointment and the technician's plan; sizes of uploads are
checked in the browser (the data attributes read by uploads.js) and again on the server."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from propdesk.desk.models import Attachment, Contact, WorkOrder
from tests.web.conftest import act, browser_for

# What Django says when nobody chose the words (zh-hans), and its English originals.
GENERIC = (
    "该字段是必填项",
    "确保该变量包含不超过",
    "输入一个数字",
    "输入一个有效的",
    "选择一个有效的选项",
    "This field is required",
    "Ensure this value has at most",
    "Enter a number",
    "Enter a valid",
)


def url(office, name: str = "desk-intake") -> str:
    return reverse(name, args=[office.community.pk])


def errors_of(html: str) -> list[str]:
    """The text of each error list on the page, in order."""
    return [
        re.sub(r"<[^>]+>", "", m).strip()
        for m in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
    ]


def assert_plain(html: str) -> None:
    for words in GENERIC:
        assert words not in html, words


def test_intake_shows_every_error_at_once_beside_its_field_and_keeps_what_was_typed(
    office, clock
) -> None:
    r = browser_for(office.receptionist).post(
        url(office),
        {
            "channel": "written",
            "caller_phone": "12345",
            "caller_name": "王" * 60,
            "room": "3-2-1502",
            "intent": "complaint",
            "content": "",
            "outcome": "work_order",
            "appointment_at": "2026-11-20T09:30",  # the past (the clock is 2026-11-26)
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert_plain(html)
    # The form's checks (the name too long, what was said missing) and the service's (the
    # number, the appointment, the letter) in one answer, not one stage after the other.
    errs = errors_of(html)
    assert any("电话号码格式不正确：12345" in e and "例如 13812345678" in e for e in errs)
    assert any("最多 50 个字（现有 60 个）" in e for e in errs)
    assert any("预约上门时间不能早于现在" in e for e in errs)
    assert any("业主未留书面材料" in e for e in errs)  # CP-3: the letter or the checkbox
    assert len([e for e in errs if e]) >= 5
    # Each beside its own field: the appointment's error inside the appointment's label.
    label = html[html.index('name="appointment_at"') - 400 : html.index('name="appointment_at"')]
    assert "field-error" in label
    # Nothing typed is lost.
    assert 'value="12345"' in html and "王" * 60 in html and 'value="3-2-1502"' in html
    assert 'value="2026-11-20T09:30"' in html
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_intake_says_what_to_type_when_the_room_and_the_location_are_missing(office, clock) -> None:
    r = browser_for(office.receptionist).post(
        url(office),
        {
            "channel": "visit",
            "intent": "repair",
            "content": "楼道灯不亮",
            "outcome": "work_order",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "请填写房号（例如 4-1-901）" in html
    room = html[: html.index('name="room"')]
    assert room.rfind("field-error") > room.rfind("<label")  # beside the room
    assert WorkOrder.objects.count() == 0


def test_intake_empty_form_speaks_plainly(office, clock) -> None:
    r = browser_for(office.receptionist).post(url(office), {"channel": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert_plain(html)
    assert "请选择诉求类别（Alt+1…7）" in html and "请选择处理结果（Alt+R / W / P）" in html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("8888123", "07558888123"),  # a 7-digit local landline, the community's area code
        ("8888 1234", "075588881234"),  # an 8-digit local landline
        ("0755-88881234", "075588881234"),  # with its area code
        ("0371-6123456", "03716123456"),  # an area code and 7 digits
        ("8888 1234 转 801", "075588881234"),
    ],
)
def test_landlines_are_phones_at_the_front_desk(office, clock, typed: str, stored: str) -> None:
    office.community.area_code = "0755"
    office.community.save(update_fields=["area_code"])
    r = browser_for(office.receptionist).post(
        url(office),
        {
            "channel": "phone",
            "caller_phone": typed,
            "room": "3-2-1502",
            "intent": "repair",
            "content": "楼道灯不亮",
            "outcome": "work_order",
        },
    )
    assert r.status_code == 302, errors_of(r.content.decode())
    assert Contact.objects.get().caller_phone == stored
    assert WorkOrder.objects.get().reporter_phone == stored


def written(office, **extra) -> dict:
    return {
        "channel": "written",
        "room": "3-2-1502",
        "caller_name": "刘洋",
        "intent": "complaint",
        "content": "书面投诉：地下车库漏水",
        "outcome": "work_order",
        **extra,
    }


@pytest.mark.parametrize("complaint_type", ["", "general"])
def test_cp3_a_letter_filed_as_a_complaint_is_a_written_complaint_never_a_general_one(
    office, clock, complaint_type: str
) -> None:
    r = browser_for(office.receptionist).post(
        url(office), written(office, complaint_type=complaint_type, no_written_material="on")
    )
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert order.complaint_type == "written" and order.no_written_material
    rules = set(order.clocks.values_list("rule_id", flat=True))
    assert "CP-3" in rules and "CP-6" not in rules


def test_cp3_a_written_complaint_without_its_scan_or_the_checkbox_is_refused(office, clock) -> None:
    r = browser_for(office.receptionist).post(url(office), written(office))
    assert r.status_code == 400
    html = r.content.decode()
    assert "请附上业主的书面材料（扫描件或照片），或勾选“业主未留书面材料”" in html
    assert "书面投诉：地下车库漏水" in html and 'value="刘洋"' in html  # kept
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_cp3_a_written_complaint_with_its_scan_needs_no_checkbox(office, clock) -> None:
    letter = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 scanned letter", "application/pdf")
    r = browser_for(office.receptionist).post(url(office), written(office, letter=letter))
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert [a.kind for a in order.attachments.all()] == [Attachment.Kind.LETTER]
    assert not order.no_written_material


def test_the_letter_is_checked_for_size_on_the_server_too(office, clock, settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"x" * (1024 * 1024), "application/pdf")
    r = browser_for(office.receptionist).post(url(office), written(office, letter=big))
    assert r.status_code == 400
    assert "文件超过 1 MB" in r.content.decode()
    assert Contact.objects.count() == 0 and WorkOrder.objects.count() == 0


def test_file_inputs_carry_the_servers_limit_for_the_browsers_check(
    office, clock, open_order, settings
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    intake = browser_for(office.receptionist).get(url(office)).content.decode()
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    pages = [
        intake,
        browser_for(office.receptionist).get(reverse("desk-order", args=[order.pk])).content,
        browser_for(office.repair_member).get(reverse("desk-job", args=[order.pk])).content,
    ]
    for html in pages:
        html = html if isinstance(html, str) else html.decode()
        inputs = re.findall(r'<input[^>]*type="file"[^>]*>', html)
        assert inputs
        for tag in inputs:
            assert f'data-max-bytes="{3 * 1024 * 1024}"' in tag
            assert "文件超过 3 MB" in tag
        assert "web/uploads.js" in html


def test_intakes_appointment_becomes_the_orders_and_the_technicians_plan(office, clock) -> None:
    r = browser_for(office.receptionist).post(
        url(office),
        {
            "channel": "phone",
            "caller_phone": "13812345678",
            "room": "3-2-1502",
            "intent": "repair",
            "content": "厨房水龙头漏水",
            "outcome": "work_order",
            "appointment_at": "2026-11-27T09:30",  # tomorrow morning, Shanghai time
        },
    )
    assert r.status_code == 302
    order = WorkOrder.objects.get()
    assert order.appointment_at == clock.now().replace(
        day=27, hour=1, minute=30, second=0, microsecond=0
    )
    page = browser_for(office.receptionist).get(reverse("desk-order", args=[order.pk]))
    assert "预约上门时间" in page.content.decode() and "2026-11-27 09:30" in page.content.decode()
    member = browser_for(office.repair_member)
    job = member.get(reverse("desk-job", args=[order.pk])).content.decode()
    assert "预约上门时间 11-27 09:30" in job
    jobs = member.get(reverse("desk-jobs", args=[office.community.pk])).content.decode()
    assert "预约上门时间 11-27 09:30" in jobs
    queue = browser_for(office.repair_leader).get(url(office, "desk-queue")).content.decode()
    assert "预约上门时间 11-27 09:30" in queue


def test_an_order_without_an_appointment_shows_none(office, clock, open_order) -> None:
    order = open_order()
    html = browser_for(office.receptionist).get(reverse("desk-order", args=[order.pk]))
    # Issue 16: no time shown, only the way to agree one (改约).
    page = html.content.decode()
    assert 'id="appointment">—' in page
    assert 'id="form-appoint"' in page
    # The way to agree one says so (预约), not 改约, which changes a time already agreed.
    assert '<summary class="button">预约上门时间</summary>' in page and "改约" not in page


def test_an_order_at_a_place_says_where_under_its_own_word(office, clock, open_order) -> None:
    """A lamp in the garden is reported at a place, not a room: the order page says 地点 with
    the place, not 房号 with a place under it; the page of an order at a room says 房号."""
    lamp = open_order(household=None, location="中心花园草坪边的庭院灯", description="灯不亮")
    page = browser_for(office.receptionist).get(reverse("desk-order", args=[lamp.pk]))
    html = page.content.decode()
    assert re.search(r"<dt>地点</dt><dd id=\"order-location\">中心花园草坪边的庭院灯</dd>", html)
    assert "<dt>房号</dt>" not in html
    room = open_order()
    html = browser_for(office.receptionist).get(reverse("desk-order", args=[room.pk]))
    assert "<dt>房号</dt><dd>3-2-1502</dd>" in html.content.decode()
    assert 'id="order-location"' not in html.content.decode()


def test_a_reason_for_a_new_time_too_long_is_refused_not_cut(office, clock, open_order) -> None:
    """The browser cut a pasted reason at 500 characters without a word (maxlength): the form
    counts instead (data-maxlength), and the server refuses it in words, keeping it."""
    order = open_order()
    page = browser_for(office.receptionist)
    html = page.get(reverse("desk-order", args=[order.pk])).content.decode()
    assert 'name="note" data-maxlength="500"' in html and 'name="note" maxlength' not in html
    order.refresh_from_db()
    reason = "业主临时有事" * 100
    r = page.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "appoint",
            "version": order.version,
            "appointment_at": (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "note": reason,
        },
    )
    html = r.content.decode()
    assert r.status_code == 400 and reason in html
    # Only the reason is marked, not the time that was right.
    assert '<details id="appoint" open>' in html
    order.refresh_from_db()
    assert order.appointment_at is None


def resolve(page, order, fee: str):
    order.refresh_from_db()
    return page.post(
        reverse("desk-job", args=[order.pk]),
        {
            "form": "action",
            "action": "resolve",
            "version": order.version,
            "note": "更换阀芯",
            "fee": fee,
        },
    )


@pytest.mark.parametrize("fee", ["45", "45.00", "¥45", "￥45", "45元", " 45.0 "])
def test_a_fee_is_taken_as_people_write_it(office, clock, open_order, fee: str) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    r = resolve(browser_for(office.repair_member), order, fee)
    assert r.status_code == 302
    order.refresh_from_db()
    assert (order.state, order.fee_charged) == ("resolved", Decimal("45.00"))


@pytest.mark.parametrize("fee", ["四十五", "45.123", "-45", "45$", "¥"])
def test_a_nonsense_fee_is_refused_in_words_that_say_what_to_type(
    office, clock, open_order, fee: str
) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    r = resolve(browser_for(office.repair_member), order, fee)
    assert r.status_code == 400
    html = r.content.decode()
    assert_plain(html)
    assert "请填写金额（元），例如 45、45.50 或 ¥45" in html
    assert f'value="{fee}"' in html  # kept
    order.refresh_from_db()
    assert (order.state, order.fee_charged) == ("accepted", None)


def test_an_action_without_its_required_note_says_what_to_write(office, clock, open_order) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    order.refresh_from_db()
    r = browser_for(office.repair_member).post(
        reverse("desk-job", args=[order.pk]),
        {"form": "action", "action": "resolve", "version": order.version, "note": ""},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert_plain(html)
    assert "请填写完成情况。" in html  # the note of 完工 is called 完成情况


def test_the_emergency_form_speaks_plainly(office, clock) -> None:
    r = browser_for(office.receptionist).post(reverse("emergency-new"), {"kind": ""})
    assert r.status_code == 400
    html = r.content.decode()
    assert_plain(html)


def test_the_visit_forms_optional_items_stay_calm_when_another_field_fails(
    office, clock, open_order
) -> None:
    order = open_order()
    for action, by in (
        ("claim", office.repair_member),
        ("resolve", office.repair_member),
    ):
        act(order, action, by, clock, **({"note": "已修好"} if action == "resolve" else {}))
    r = browser_for(office.receptionist).post(
        reverse("desk-visit-new", args=[office.community.pk]),
        {"order": order.pk, "outcome": "answered", "level": "", "phone": "12345"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    items = html[: html.index('name="item_kind_0"')]
    fieldset = items[items.rfind("<fieldset") :]
    assert "field-error" not in fieldset
    assert "电话号码格式不正确：12345" in html  # the failing field says so


def test_the_visit_forms_retry_time_says_what_to_type(office, clock, open_order) -> None:
    order = open_order()
    act(order, "claim", office.repair_member, clock)
    act(order, "resolve", office.repair_member, clock, note="已修好")
    r = browser_for(office.receptionist).post(
        reverse("desk-visit-new", args=[office.community.pk]),
        {"order": order.pk, "outcome": "no_answer", "retry_at": "明天下午"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert_plain(html)
    assert "再次拨打时间：请选择日期和时间，例如 2026-12-01 09:30。" in html
    assert 'value="明天下午"' in html  # kept


def test_cp5_the_rectification_form_puts_each_error_beside_its_field(
    office, clock, open_order
) -> None:
    from propdesk.desk.services import attitude_account_record

    order = open_order("complaint", complaint_type="attitude", description="保安态度恶劣")
    attitude_account_record(
        order_id=order.pk,
        by=office.receptionist,
        now=clock.now(),
        version=order.version,
        staff_member=office.repair_member,
        account="当时在处理另一件事",
    )
    r = browser_for(office.head).post(
        reverse("desk-order", args=[order.pk]),
        {"form": "rectification", "measures": "", "penalty": "扣绩效100元", "deadline": "下周"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert_plain(html)
    form = html[html.index('id="form-rectification"') :]
    form = form[: form.index("</form>")]
    measures = form[: form.index('name="penalty"')]
    assert "field-error" in measures and "请写明员工须整改的内容。" in measures
    deadline = form[form.index('name="penalty"') :]
    assert "例如 2026-12-01 09:30" in deadline and 'value="下周"' in deadline
    assert 'value="扣绩效100元"' in form  # kept
    assert not order.rectifications.exists()


def test_a_forms_words_are_in_its_readers_language_while_another_is_open(office) -> None:
    # Two receptionists at once (two threads of one worker), one reading Chinese, one English:
    # each form's errors are in its own reader's language, whichever form was made last.
    from django.utils import translation

    from propdesk.web.forms import IntakeForm

    typed = {"channel": "phone", "caller_name": "王" * 60, "intent": "repair", "outcome": "w"}

    def made(language: str) -> IntakeForm:
        with translation.override(language):
            return IntakeForm(typed, community=office.community, items=[])

    chinese, english = made("zh-hans"), made("en")
    with translation.override("zh-hans"):
        assert not chinese.is_valid()
        words = " ".join(chinese.errors["caller_name"] + chinese.errors["content"])
    assert "最多 50 个字（现有 60 个）" in words and "请记录业主反映的内容" in words, words
    with translation.override("en"):
        assert not english.is_valid()
        words = " ".join(english.errors["caller_name"] + english.errors["content"])
    assert "at most 50 characters (this has 60)" in words, words
