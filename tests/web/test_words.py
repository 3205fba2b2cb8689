"""Every word a person reads follows the glossary (../shared/GLOSSARY.md): with the demo data, every
console page for every role that may open it, every PDF, every workbook, every notification and
its e-mail, in Simplified Chinese, holds no English word of the code, no raw key, no rule ID
without its name and no word of the glossary's "not" column (tests/words.py says what each is)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from propdesk.community.models import Community, Membership, User
from propdesk.core.clock import FixedClock, set_clock
from propdesk.demo.seed import seed_demo
from propdesk.desk.models import Contact, OrderKind, WorkOrder
from propdesk.desk.services import work_order_transition
from propdesk.followup.models import Notice, SuggestionItem
from propdesk.followup.services import common_issue_open, notice_write
from propdesk.incidents.models import Emergency, IncidentReport
from propdesk.incidents.reports import incident_report_submit, incident_report_update
from propdesk.incidents.services import (
    emergency_acknowledge,
    emergency_check_in,
    emergency_log,
    emergency_resolve,
)
from propdesk.notify.channels import email_message, message_text
from propdesk.notify.models import Notification, ResidentMessage
from propdesk.notify.services import _outgoing
from propdesk.policy.workflow import Role
from tests.pdfs import pages
from tests.words import problems, visible_text


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, each string drawn apart from the next (as it is read on paper)."""
    return "\n".join(" ".join(t.text for t in page.texts) for page in pages(pdf))


NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
LATER = NOW + timedelta(hours=3)  # the pages are read a little after the seed's last step

RETURN_VISIT_LINK = re.compile(r'<a [^>]*href="[^"]*/visits/new/[^"]*"[^>]*>(.*?)</a>', re.S)
COMMUNITY_PAGES = (
    "desk-intake",
    "desk-board",
    "desk-queue",
    "desk-jobs",
    "desk-report",
    "desk-visits",
    "desk-visit-new",
    "desk-suggestions",
    "desk-issues",
)


def _emergency(community: Community, at: datetime) -> Emergency:
    """An emergency logged, acknowledged, checked in and handled; its report written and
    submitted: every line of its page, its report and its PDF has something to show."""
    desk = Membership.objects.filter(community=community, role=Role.RECEPTIONIST).first()
    head = Membership.objects.filter(community=community, role=Role.OFFICE_HEAD).first()
    assert desk and head
    e = emergency_log(
        community=community, by=desk.user, now=at, kind="flooding", location="3栋地下车库"
    )
    called = list(e.responders.select_related("user"))
    emergency_acknowledge(emergency_id=e.pk, by=called[0].user, now=at + timedelta(minutes=1))
    emergency_check_in(emergency_id=e.pk, by=called[0].user, now=at + timedelta(minutes=3))
    emergency_resolve(
        emergency_id=e.pk, by=head.user, now=at + timedelta(minutes=40), note="已关闭总阀"
    )
    report = IncidentReport.objects.get(emergency=e)
    report = incident_report_update(
        report_id=report.pk,
        by=head.user,
        now=at + timedelta(hours=1),
        version=report.version,
        cause_analysis="水管老化破裂",
        measures="关阀、抽水、更换水管",
        losses="无",
        people_involved="维修班",
    )
    incident_report_submit(report_id=report.pk, by=head.user, now=at + timedelta(hours=1))
    return e


def _complete_today(community: Community, at: datetime) -> None:
    """A repair and a complaint completed today: the return-visit screen has a call to make
    (RV-6) and a complaint awaiting its return visit (CP-2)."""
    repair = WorkOrder.objects.filter(
        community=community, kind="repair", state__in=["accepted", "on_site"]
    ).first()
    complaint = WorkOrder.objects.filter(
        community=community, kind="complaint", state="new", complaint_type="general"
    ).first()
    admin = Membership.objects.filter(community=community, role=Role.ADMINISTRATOR).first()
    assert repair and repair.assignee and complaint and admin
    work_order_transition(
        order_id=complaint.pk, action="take", by=admin.user, now=at, version=complaint.version
    )
    for order, by in ((repair, repair.assignee), (complaint, admin.user)):
        order.refresh_from_db()
        work_order_transition(
            order_id=order.pk, action="resolve", by=by, now=at, version=order.version, note="已处理"
        )


def _wait_for_parts(community: Community, at: datetime) -> None:
    """A repair waits for parts (待料, its limit clock WT-3), the parts come, and it waits for
    the owner (业主不在家, WT-1): the timeline has a wait's clock started and met, and one
    running."""
    order = WorkOrder.objects.filter(
        community=community, kind="repair", state__in=["accepted", "on_site"]
    ).first()
    assert order is not None and order.assignee is not None
    steps = (
        ("wait", {"waiting": "parts", "note": "缺角阀，明天到货"}),
        ("end_wait", {"note": "配件到了"}),
        ("wait", {"waiting": "owner_absent", "note": "业主出差"}),
    )
    for n, (action, more) in enumerate(steps):
        order.refresh_from_db()
        work_order_transition(
            order_id=order.pk,
            action=action,
            by=order.assignee,
            now=at + timedelta(minutes=10 * n),
            version=order.version,
            **more,
        )


def _notice(community: Community, at: datetime) -> Notice:
    admin = Membership.objects.filter(community=community, role=Role.ADMINISTRATOR).first()
    assert admin
    items = SuggestionItem.objects.filter(community=community).values_list("pk", flat=True)
    issue = common_issue_open(
        community=community, by=admin.user, now=at, title="电梯经常停运", item_ids=list(items[:5])
    )
    return notice_write(
        community=community,
        by=admin.user,
        now=at,
        title="关于3栋电梯维修的通知",
        body="3栋电梯将于本周六更换主板，届时请走楼梯。",
        common_issue=issue,
    )


def _kind(order: WorkOrder) -> dict[str, bool]:
    """Which words are wrong on ``order``'s page: a complaint's (not an emergency) is never
    完工, a repair's or a housekeeping job's never 受理 or 办结."""
    return {
        "complaint": order.kind == OrderKind.COMPLAINT,
        "service": order.kind in (OrderKind.REPAIR, OrderKind.HOUSEKEEPING),
    }


class TestTheOfficesWords(TestCase):
    """One demo seed for every check (setUpTestData rolls it back after the class)."""

    @classmethod
    def setUpTestData(cls) -> None:
        seed_demo(now=NOW, households_per_community=16, weeks=1)
        cls.community = Community.objects.order_by("pk").first()
        _complete_today(cls.community, NOW + timedelta(minutes=2))
        _wait_for_parts(cls.community, NOW + timedelta(minutes=3))
        cls.emergency = _emergency(cls.community, NOW + timedelta(minutes=5))
        cls.notice = _notice(cls.community, NOW + timedelta(minutes=10))

    def setUp(self) -> None:
        set_clock(FixedClock(LATER))
        self.addCleanup(set_clock, None)
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        self.found: list[str] = []

    # --- who reads ------------------------------------------------------------------------------

    def staff(self) -> Iterator[tuple[str, User]]:
        """One person per role of the community, and company leadership."""
        seen = set()
        for m in (
            Membership.objects.filter(community=self.community)
            .select_related("user")
            .order_by("role", "user__username")
        ):
            if m.role not in seen:
                seen.add(m.role)
                yield m.role, m.user
        yield "leadership", User.objects.filter(is_leadership=True).first()

    def client_for(self, user: User) -> Client:
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        c.force_login(user)
        return c

    # --- what is read ---------------------------------------------------------------------------

    def check(self, where: str, text: str, **kind: bool) -> None:
        self.found += [f"{where}: {p}" for p in problems(text, **kind)]

    def page(self, c: Client, who: str, url: str, **kind: bool) -> int:
        r = c.get(url)
        if r.status_code in (301, 302):
            return r.status_code
        if "html" in r.get("Content-Type", ""):
            html = r.content.decode()
            where = f"{who} {url} [{r.status_code}]"
            self.check(where, visible_text(html), **kind)
            # A link to the return-visit screen is a 回访, never a 来访 (a walk-in visit).
            for m in RETURN_VISIT_LINK.finditer(html):
                if "来访" in visible_text(m.group(1)):
                    self.found.append(f"{where}: a return visit called 来访: {m.group(1)!r}")
        return r.status_code

    def report(self) -> None:
        unique = sorted(set(self.found))
        if unique:
            pytest.fail(f"{len(unique)} word(s) off the glossary:\n" + "\n".join(unique))

    # --- the checks -----------------------------------------------------------------------------

    def test_every_console_page_for_every_role(self) -> None:
        cid = self.community.pk
        orders = list(WorkOrder.objects.filter(community=self.community).order_by("pk"))
        contacts = Contact.objects.filter(community=self.community).order_by("pk")
        # One contact of each channel and outcome is every way a contact page can look.
        contact_ids = {(c.channel, c.outcome): c.pk for c in contacts}.values()
        staff_ids = Membership.objects.filter(community=self.community).values_list(
            "user_id", flat=True
        )
        household = orders[0].household_id
        for role, user in self.staff():
            c = self.client_for(user)
            who = role
            for name in COMMUNITY_PAGES:
                self.page(c, who, reverse(name, args=[cid]))
            self.page(c, who, reverse("desk-report", args=[cid]) + "?month=2026-10")
            self.page(c, who, reverse("desk-board", args=[cid]) + "?overdue=1")
            self.page(c, who, reverse("desk-suggestions", args=[cid]) + "?all=1")
            self.page(c, who, reverse("desk-visit-new", args=[cid]) + f"?household={household}")
            for name in (
                "desk-home",
                "desk-notifications",
                "desk-incident-list",
                "emergency-new",
                "desk-report-compare",
            ):
                self.page(c, who, reverse(name))
            lookup = reverse("desk-intake-lookup", args=[cid])
            phone = orders[0].reporter_phone
            room = orders[0].household.code if orders[0].household else ""
            self.page(c, who, f"{lookup}?caller_phone={phone}&room=")
            self.page(c, who, f"{lookup}?caller_phone=&room={room}")
            for pk in staff_ids:
                self.page(c, who, reverse("desk-staff-record", args=[cid, pk]))
            for pk in contact_ids:
                self.page(c, who, reverse("desk-contact", args=[pk]))
            for e in (self.emergency.pk,):
                self.page(c, who, reverse("desk-emergency", args=[e]))
                self.page(c, who, reverse("desk-emergency-responders", args=[e]))
                self.page(c, who, reverse("desk-incident", args=[e]))
            for o in orders:
                kind = _kind(o)
                self.page(c, who, reverse("desk-order", args=[o.pk]), **kind)
                self.page(c, who, reverse("desk-job", args=[o.pk]), **kind)
                self.page(c, who, reverse("desk-visit-new", args=[cid]) + f"?order={o.pk}", **kind)
        self.report()

    def test_every_pdf(self) -> None:
        head = Membership.objects.get(community=self.community, role=Role.OFFICE_HEAD).user
        c = self.client_for(head)
        for o in WorkOrder.objects.filter(community=self.community).order_by("pk"):
            r = c.get(reverse("desk-order-print", args=[o.pk]))
            assert r.status_code == 200, (o.number, r.status_code)
            self.check(f"print {o.number}", pdf_text(r.content), **_kind(o))
        for month in ("2026-11", "2026-10"):
            r = c.get(reverse("desk-report-pdf", args=[self.community.pk]) + f"?month={month}")
            assert r.status_code == 200
            self.check(f"report.pdf {month}", pdf_text(r.content))
        r = c.get(f"/api/emergencies/{self.emergency.pk}/report/pdf/")
        assert r.status_code == 200, r.status_code
        self.check("incident pdf", pdf_text(r.content))
        r = c.get(f"/api/notices/{self.notice.pk}/pdf/")
        assert r.status_code == 200, r.status_code
        self.check("notice pdf", pdf_text(r.content))
        self.report()

    def test_every_workbook(self) -> None:
        head = Membership.objects.get(community=self.community, role=Role.OFFICE_HEAD).user
        c = self.client_for(head)
        for month in ("2026-11", "2026-10"):
            r = c.get(reverse("desk-report-xlsx", args=[self.community.pk]) + f"?month={month}")
            assert r.status_code == 200
            book = openpyxl.load_workbook(io.BytesIO(r.content))
            for sheet in book.worksheets:
                self.check(f"report.xlsx {month} sheet", sheet.title)
                for row in sheet.iter_rows(values_only=True):
                    text = " | ".join(str(v) for v in row if isinstance(v, str))
                    self.check(f"report.xlsx {month} {sheet.title}", text)
        self.report()

    def test_every_notification_and_email(self) -> None:
        rows = Notification.objects.select_related("recipient", "community", "endpoint")
        assert rows.exists()
        for row in rows:
            self.check(f"notification {row.cause}", row.title, plain=True)
            out = _outgoing(row)
            self.check(f"text {row.cause}", message_text(out), plain=True)
            if row.recipient is not None:
                out = type(out)(**{**out.__dict__, "email": out.email or "x@example.com"})
                mail = email_message(out)
                self.check(f"e-mail {row.cause}", f"{mail.subject}\n{mail.body}", plain=True)
        # The text messages to residents (派单, 到场, 完工): the kind in a sentence, no ID.
        sms = ResidentMessage.objects.filter(community=self.community)
        assert sms.exists()
        for m in sms:
            order = WorkOrder.objects.get(pk=m.order_id) if m.order_id else None
            kind = _kind(order) if order is not None else {}
            self.check(f"sms {m.cause}", m.text, plain=True, **kind)
        self.report()
