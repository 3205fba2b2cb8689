"""The back office names a row (its page's heading and breadcrumb, the row named in another's
field, an inline's line) by its time as the page shows its times, in the community's zone, and
in the office's words. They were formatted from the stored UTC and the keys: on the order of a
front-desk call taken at 00:30 on 1 December in Shanghai the office head read 受理记录 "业主自助
2026-11-30 16:30" beside 创建时间 2026年12月1日 00:30, each timeline line headed "142 create
2026-11-30 16:30" with its first state "None", a clock "CP-1 running due 2026-11-30 16:40" and a
missed call "… missed"."""

from __future__ import annotations

import re

from django.utils import translation

from propdesk.calls.models import Call
from propdesk.clocks.models import Clock, ClockLog
from propdesk.community.models import DutyShift, Team
from propdesk.desk.models import Contact, WorkOrderEvent
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log
from propdesk.followup.models import ReturnVisit
from tests.conftest import backoffice_client
from tests.followup.conftest import sh

# 00:30 on 1 December in Shanghai, 16:30 on 30 November in UTC: another day and another month.
AFTER_MIDNIGHT = sh(2026, 12, 1, 0, 30)
ENGLISH_KEYS = re.compile(r"\b(?:create|running|breached|met|missed|due|None|working|off)\b")


def _complaint_logged(office, clock):
    clock.at = AFTER_MIDNIGHT
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=ContactInput(
            channel="phone",
            caller_name="王先生",
            caller_phone="13800138000",
            intent="complaint",
            content="楼上装修噪音",
            outcome="work_order",
            household=office.household,
            work_orders=(WorkOrderDraft(kind="complaint", description="楼上装修噪音"),),
        ),
    )
    return contact, contact.work_orders.get()


def test_fd2_the_orders_back_office_page_names_its_call_and_timeline_in_local_time(office, clock):
    _contact, order = _complaint_logged(office, clock)
    with translation.override("zh-hans"):
        page = backoffice_client(office.head).get(f"/admin/desk/workorder/{order.pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200
    # 受理记录: the call as it was taken, on 1 December.
    assert "来电 2026-12-01 00:30 王先生" in html
    # The timeline's lines: the order, the act in words and the local minute; no "None" state.
    assert f"{order.number} · 开单 · 2026-12-01 00:30" in html
    assert "2026-11-30" not in html
    assert ">None<" not in html and " create " not in html


def test_cp1_a_clock_and_its_log_are_named_by_rule_state_and_local_due_time(office, clock):
    _contact, order = _complaint_logged(office, clock)
    cp1 = Clock.objects.get(order=order, rule_id="CP-1")
    with translation.override("zh-hans"):
        name = str(cp1)
        log = str(ClockLog.objects.filter(clock=cp1).earliest("at"))
        page = backoffice_client(office.head).get(f"/admin/clocks/clock/{cp1.pk}/change/")
    assert name == "CP-1 10分钟内安排管理员 · 计时中 · 截止 2026-12-01 00:40"
    assert log == f"{cp1.pk} 开始计时 2026-12-01 00:30"
    assert name in page.content.decode()
    assert not ENGLISH_KEYS.search(name + log)


def test_the_back_offices_other_rows_are_named_in_local_time_and_words(office, clock):
    """A call, a return visit and a duty shift, each at 00:30 on 1 December in Shanghai."""
    _contact, order = _complaint_logged(office, clock)
    team = Team.objects.filter(community=office.community).first()
    rows = {
        "call": Call(
            community=office.community,
            call_id="c-1",
            phone="13800138000",
            state="missed",
            ringing_at=AFTER_MIDNIGHT,
        ),
        "visit": ReturnVisit(community=office.community, kind="order", at=AFTER_MIDNIGHT),
        "shift": DutyShift(team=team, user=office.receptionist, starts_at=AFTER_MIDNIGHT),
        "event": WorkOrderEvent.objects.filter(order=order).earliest("at"),
        "contact": Contact.objects.get(work_orders=order),
    }
    with translation.override("zh-hans"):
        names = {key: str(row) for key, row in rows.items()}
    assert names["call"] == "13800138000 · 未接 · 2026-12-01 00:30"
    assert names["visit"] == "工单回访 2026-12-01 00:30"
    assert names["shift"].endswith(" · 2026-12-01 00:30")
    assert names["event"] == f"{order.number} · 开单 · 2026-12-01 00:30"
    assert names["contact"] == "来电 2026-12-01 00:30 王先生"
    for key, name in names.items():
        assert "2026-11-30" not in name and not ENGLISH_KEYS.search(name), (key, name)
