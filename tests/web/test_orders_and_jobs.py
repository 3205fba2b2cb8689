"""An order's page and the team's phone view: accept, check in, photos, complete with materials
and fee (DS-1); replies with their channel (CP-6); the service-attitude flow (CP-5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.desk.models import Rectification, WorkOrderEvent
from propdesk.notify.models import Notification
from tests.images import PNG
from tests.notify.helpers import run_telling
from tests.web.conftest import act, browser_for


def post_action(page, order, action: str, **data):
    order.refresh_from_db()
    return page.post(
        reverse("desk-job", args=[order.pk]),
        {"form": "action", "action": action, "version": order.version, **data},
    )


def test_ds1_a_team_member_accepts_checks_in_and_completes_from_the_phone(
    office, clock, open_order
) -> None:
    order = open_order()  # straight to the repair team's pool
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    phone = browser_for(office.repair_member)
    jobs = phone.get(reverse("desk-jobs", args=[office.community.pk])).content.decode()
    assert order.number in jobs
    assert post_action(phone, order, "accept").status_code == 302
    assert post_action(phone, order, "check_in").status_code == 302
    r = phone.post(
        reverse("desk-job", args=[order.pk]),
        {"form": "photo", "file": SimpleUploadedFile("site.png", PNG, "image/png")},
    )
    assert r.status_code == 302
    r = post_action(
        phone, order, "resolve", note="更换阀芯，试水正常", materials="阀芯×1", fee="30.00"
    )
    assert r.status_code == 302 and r["Location"] == reverse(
        "desk-jobs", args=[office.community.pk]
    )
    order.refresh_from_db()
    assert (order.state, order.materials, order.fee_charged) == (
        "resolved",
        "阀芯×1",
        Decimal("30.00"),
    )
    assert [a.kind for a in order.attachments.all()] == ["photo"]
    assert Clock.objects.get(order=order, rule_id="DS-1").state == "met"
    actions = list(WorkOrderEvent.objects.filter(order=order).values_list("action", flat=True))
    assert actions == ["create", "assign", "accept", "check_in", "attach", "resolve"]


def test_completing_without_the_work_done_or_with_a_negative_fee_keeps_the_form(
    office, clock, open_order
) -> None:
    order = open_order()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    act(order, "accept", office.repair_member, clock)
    phone = browser_for(office.repair_member)
    r = post_action(phone, order, "resolve", note="", materials="生料带", fee="-5")
    assert r.status_code == 400
    html = r.content.decode()
    assert "生料带" in html and "-5" in html
    order.refresh_from_db()
    assert order.state == "accepted" and order.fee_charged is None


def test_another_teams_member_cannot_act_from_the_phone(office, clock, open_order) -> None:
    order = open_order("housekeeping", description="开荒保洁")  # in the cleaning team's pool
    for action in ("claim", "accept"):
        r = post_action(browser_for(office.repair_member), order, action)
        assert r.status_code == 404
    order.refresh_from_db()
    assert (order.state, order.version, order.assignee) == ("dispatched", 1, None)


def test_the_phone_view_fits_a_small_screen_and_shows_the_catalogue_steps(
    office, clock, open_order
) -> None:
    from tests import factories as f

    item = f.ServiceItemFactory(company=office.community.company)
    order = open_order(service_item=item)
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    html = browser_for(office.repair_member).get(reverse("desk-job", args=[order.pk]))
    html = html.content.decode()
    assert 'name="viewport" content="width=device-width' in html
    assert all(step in html for step in item.steps)
    assert 'capture="environment"' in html


def test_cp6_a_reply_to_the_owner_is_recorded_with_channel_and_text(
    office, clock, open_order
) -> None:
    order = open_order("complaint", description="垃圾清运不及时")
    page = browser_for(office.administrator)
    r = page.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "action",
            "action": "reply",
            "version": order.version,
            "channel": "wechat",
            "note": "已安排今晚加派清运车",
        },
    )
    assert r.status_code == 302
    event = WorkOrderEvent.objects.get(order=order, action="reply")
    assert (event.note, event.data["channel"]) == ("已安排今晚加派清运车", "wechat")
    assert Clock.objects.get(order=order, rule_id="CP-6").state == "met"
    page_html = page.get(reverse("desk-order", args=[order.pk])).content.decode()
    assert "已安排今晚加派清运车" in page_html


def test_cp5_account_rectification_and_the_staff_record(office, clock, open_order) -> None:
    order = open_order("complaint", complaint_type="attitude", description="保安态度恶劣")
    desk = browser_for(office.receptionist)
    r = desk.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "account",
            "version": order.version,
            "staff_member": office.repair_member.pk,
            "account": "当时业主车辆堵住消防通道，劝离时语气生硬",
        },
    )
    assert r.status_code == 302
    # The head hears that the account is in (CP-5), beside the notice of the complaint itself.
    run_telling(clock)
    told = Notification.objects.get(
        recipient=office.head, kind="complaint_to_head", cause__startswith="attitude:"
    )
    assert str(office.repair_member) in told.title
    assert told.payload["url"] == reverse("desk-order", args=[order.pk])
    # Only the head sets the rectification.
    r = desk.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "rectification",
            "measures": "服务礼仪培训",
            "penalty": "扣绩效100元",
            "deadline": "2026-12-03T17:00",
        },
    )
    assert r.status_code == 400 and Rectification.objects.count() == 0
    head = browser_for(office.head)
    r = head.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "rectification",
            "measures": "服务礼仪培训",
            "penalty": "扣绩效100元",
            "deadline": "2026-12-03T17:00",
        },
    )
    assert r.status_code == 302
    rect = Rectification.objects.get()
    assert (rect.staff_member, rect.penalty) == (office.repair_member, "扣绩效100元")
    clock_row = Clock.objects.get(order=order, rule_id="CP-5-rectification")
    assert clock_row.due_at == rect.deadline == clock.now() + timedelta(days=7, hours=7)
    record = head.get(
        reverse("desk-staff-record", args=[office.community.pk, office.repair_member.pk])
    ).content.decode()
    assert "服务礼仪培训" in record and "扣绩效100元" in record and order.number in record
    # Another staff member may not read a colleague's record.
    r = browser_for(office.repair_leader).get(
        reverse("desk-staff-record", args=[office.community.pk, office.repair_member.pk])
    )
    assert r.status_code == 403
    r = head.post(
        reverse("desk-order", args=[order.pk]),
        {"form": "rectification_done", "rectification": rect.pk, "note": "已完成培训并考核"},
    )
    assert r.status_code == 302
    clock_row.refresh_from_db()
    assert clock_row.state == "met"


def test_cp5_a_deadline_in_the_past_is_refused_and_kept_on_the_form(
    office, clock, open_order
) -> None:
    order = open_order("complaint", complaint_type="attitude", description="态度差")
    head = browser_for(office.head)
    head.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "account",
            "version": order.version,
            "staff_member": office.repair_member.pk,
            "account": "说明",
        },
    )
    r = head.post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "rectification",
            "measures": "书面检讨",
            "penalty": "警告",
            "deadline": "2026-11-25T09:00",
        },
    )
    assert r.status_code == 400
    assert "书面检讨" in r.content.decode()
    assert Rectification.objects.count() == 0


def test_the_order_prints_as_the_paper_form_from_its_page(
    office, other_office, clock, open_order
) -> None:
    order = open_order()
    page = browser_for(office.receptionist)
    html = page.get(reverse("desk-order", args=[order.pk])).content.decode()
    assert reverse("desk-order-print", args=[order.pk]) in html
    r = page.get(reverse("desk-order-print", args=[order.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    r = browser_for(other_office.receptionist).get(reverse("desk-order-print", args=[order.pk]))
    assert r.status_code == 404


def test_the_bell_opens_my_notifications_and_one_leads_to_its_order(
    office, other_office, clock, open_order
) -> None:
    order = open_order("complaint", complaint_type="attitude", description="态度差")
    browser_for(office.receptionist).post(
        reverse("desk-order", args=[order.pk]),
        {
            "form": "account",
            "version": order.version,
            "staff_member": office.repair_member.pk,
            "account": "说明",
        },
    )
    run_telling(clock)
    head = browser_for(office.head)
    html = head.get(reverse("desk-notifications")).content.decode()
    assert order.number in html
    row = Notification.objects.get(
        recipient=office.head, kind="complaint_to_head", cause__startswith="attitude:"
    )
    # Someone else's notification cannot be marked read.
    r = browser_for(other_office.head).post(reverse("desk-notifications"), {"id": row.pk})
    assert r.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None
    r = head.post(reverse("desk-notifications"), {"id": row.pk})
    assert r.status_code == 302 and r["Location"] == reverse("desk-order", args=[order.pk])
    row.refresh_from_db()
    assert row.read_at == clock.now()


def test_a_clocks_line_on_the_timeline_draws_its_icon_no_font_may_lack(
    office, clock, open_order
) -> None:
    """The timeline's clock lines (开始计时, 按时 …) once began with U+23F1, which Debian's and
    many office PCs' fonts lack: Chromium drew a box. The icon is drawn (SVG), as the bell's."""
    order = open_order()
    page = browser_for(office.repair_leader).get(reverse("desk-order", args=[order.pk]))
    body = page.content.decode()
    assert "DS-1-take" in body and "开始计时" in body
    line = next(x for x in body.split("<li") if "开始计时" in x)
    assert '<svg class="tl-clock"' in line
    assert "\u23f1" not in body


def test_a_resolved_repair_offers_its_return_visit_once_and_a_complaint_its_cp2_follow_up(
    office, clock, open_order
) -> None:
    """After 完工 the office visits the owner (登记回访, RV-6); 跟踪回访 is a complaint's CP-2
    step, so a repair's bar does not offer it beside 登记回访 under another name."""
    repair = open_order()
    act(repair, "assign", office.repair_leader, clock, assignee=office.repair_member)
    act(repair, "accept", office.repair_member, clock)
    act(repair, "check_in", office.repair_member, clock)
    act(repair, "resolve", office.repair_member, clock, note="已修好")
    complaint = open_order("complaint", description="楼道噪音")
    act(complaint, "take", office.administrator, clock)
    act(complaint, "resolve", office.administrator, clock, note="已协调")
    admin = browser_for(office.administrator)
    repair_page = admin.get(reverse("desk-order", args=[repair.pk])).content.decode()
    complaint_page = admin.get(reverse("desk-order", args=[complaint.pk])).content.decode()
    assert 'id="action-follow_up"' not in repair_page and "记录跟踪回访" not in repair_page
    assert "登记回访" in repair_page
    assert 'id="action-follow_up"' in complaint_page


def test_the_technician_sees_the_photo_they_uploaded_on_the_job_page(
    office, clock, open_order
) -> None:
    """DS-1: the phone's job page shows each uploaded photo as a thumbnail linking the
    access-checked file view, which opens for the technician, not only a count 照片 (1)."""
    order = open_order()
    act(order, "assign", office.repair_leader, clock, assignee=office.repair_member)
    phone = browser_for(office.repair_member)
    phone.post(
        reverse("desk-job", args=[order.pk]),
        {"form": "photo", "file": SimpleUploadedFile("site.png", PNG, "image/png")},
    )
    [photo] = order.attachments.all()
    url = reverse("file-attachment", args=[photo.pk])
    html = phone.get(reverse("desk-job", args=[order.pk])).content.decode()
    assert f'<img src="{url}"' in html and f'href="{url}"' in html
    assert phone.get(url).status_code == 200
