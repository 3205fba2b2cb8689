"""The weekly call on a long-running matter (CP-7, FD-5) is 每周跟进 / 跟进电话 (GLOSSARY.md),
wherever a person reads it: the order's button and what the page says after it, the timeline,
the head's queue with the overdue clock's line and its notification, the owner's page, and the
catalog every screen, PDF and workbook takes its words from. It read 记录每周进展通报."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from propdesk.notify.models import Notification
from propdesk.portal.access import SESSION_KEY
from tests.web.conftest import act, browser_for
from tests.words import problems, visible_text

PO = Path(__file__).resolve().parents[2] / "propdesk/locale/zh_Hans/LC_MESSAGES/django.po"
NOT_SAID = ("通报", "进展通报")


@pytest.fixture
def long_complaint(office, clock, open_order):
    complaint = open_order("complaint", description="楼上漏水至今未修好", is_long_running=True)
    act(complaint, "dispatch", office.receptionist, clock, assignee=office.administrator)
    return act(complaint, "accept", office.administrator, clock)


def test_cp7_the_button_and_what_follows_it_say_weekly_follow_up(
    office, clock, long_complaint
) -> None:
    admin = browser_for(office.administrator)
    page = reverse("desk-order", args=[long_complaint.pk])
    text = visible_text(admin.get(page).content.decode())
    assert "记录每周跟进" in text
    assert not [w for w in NOT_SAID if w in text]
    assert problems(text, complaint=True) == []
    r = admin.post(
        page,
        {
            "form": "action",
            "action": "contact_owner",
            "version": long_complaint.version,
            "channel": "phone",
            "note": "告知业主已联系施工方，下周进场",
        },
        follow=True,
    )
    html = r.content.decode()
    text = visible_text(html)
    assert f"已记录每周跟进：{long_complaint.number}。" in text
    timeline = visible_text(html.split('<ul class="timeline">')[1].split("</ul>")[0])
    assert "每周跟进" in timeline and "告知业主已联系施工方" in timeline
    assert not [w for w in NOT_SAID if w in text]


def test_cp7_the_heads_queue_and_the_overdue_line_say_it_too(office, clock, long_complaint) -> None:
    clock.advance(days=8)  # a week without the call: CP-7 is overdue and escalated to the head
    clocks_sweep(now=clock.now())
    assert Clock.objects.get(order=long_complaint, rule_id="CP-7").state == "breached"
    html = browser_for(office.head).get(reverse("desk-queue", args=[office.community.pk]))
    text = visible_text(html.content.decode())
    assert long_complaint.number in text
    assert not [w for w in NOT_SAID if w in text], text
    told = Notification.objects.filter(recipient=office.head, kind="clock_escalation")
    assert told.exists()
    for n in told:
        assert not [w for w in NOT_SAID if w in n.title], n.title


def test_cp7_the_owner_reads_that_the_office_followed_up(office, clock, long_complaint) -> None:
    act(long_complaint, "contact_owner", office.administrator, clock, note="已联系施工方")
    owner = Client()
    session = owner.session
    session[SESSION_KEY] = "13812345678"  # 张伟 of 3-2-1502 (tests/conftest.py make_office)
    session.save()
    page = owner.get(reverse("portal:order", args=[long_complaint.pk]))
    assert page.status_code == 200
    assert "物业已来电跟进" in [line.text for line in page.context["timeline"]]


def test_the_catalog_says_the_weekly_call_with_the_glossarys_words() -> None:
    """Every Chinese a person reads (screens, messages, notifications, PDFs, workbooks) comes
    from the catalog: no 通报 in it (the msgids are English), and the call's labels are 每周跟进
    / 跟进电话 as the compiled catalog gives them."""
    assert [line for line in PO.read_text(encoding="utf-8").splitlines() if "通报" in line] == []
    with translation.override("zh-hans"):
        assert gettext("Record the weekly progress call") == "记录每周跟进"
        assert gettext("Weekly progress call") == "每周跟进"
        assert gettext("Weekly progress calls") == "每周跟进电话"
        assert gettext("The office called you about the progress") == "物业已来电跟进"


def test_cp7_clocks_stored_with_the_old_title_take_the_new_one(office, long_complaint) -> None:
    """Migration clocks.0009: a CP-7 clock written before the words changed is retitled to the
    shipped policy's title; a community's own title for the rule, and other rules, are kept."""
    from importlib import import_module

    from django.apps import apps

    from propdesk.policy.rules import load_policy

    migration = import_module("propdesk.clocks.migrations.0009_cp7_title_weekly_followup")
    assert load_policy().clocks["CP-7"].title == migration.NEW_TITLE
    weekly = Clock.objects.get(order=long_complaint, rule_id="CP-7")
    other = Clock.objects.filter(order=long_complaint).exclude(rule_id="CP-7").first()
    assert other is not None
    Clock.objects.filter(pk=weekly.pk).update(title=migration.OLD_TITLE)
    Clock.objects.filter(pk=other.pk).update(title=migration.OLD_TITLE)
    own = Clock.objects.create(
        **{
            f.attname: getattr(weekly, f.attname)
            for f in Clock._meta.concrete_fields
            if not f.primary_key
        }
        | {"title": "每周给业主打电话"}
    )

    migration.retitle(apps, None)

    assert Clock.objects.get(pk=weekly.pk).title == migration.NEW_TITLE
    assert Clock.objects.get(pk=other.pk).title == migration.OLD_TITLE  # not CP-7: not touched
    assert Clock.objects.get(pk=own.pk).title == "每周给业主打电话"


def test_cp7_the_weekly_call_form_asks_how_and_what_of_the_call_not_of_an_answer(
    office, long_complaint
) -> None:
    """每周跟进 is not 答复 (GLOSSARY.md): its form asks 跟进方式 and 跟进内容, while the reply's
    form beside it keeps 答复方式 and 答复内容."""
    admin = browser_for(office.administrator)
    html = admin.get(reverse("desk-order", args=[long_complaint.pk])).content.decode()

    def form_text(name: str) -> str:
        return visible_text(html.split(f'id="action-{name}"')[1].split("</details>")[0])

    weekly, reply = form_text("contact_owner"), form_text("reply")
    assert "跟进方式" in weekly and "跟进内容" in weekly
    assert "答复" not in weekly
    assert "答复方式" in reply and "答复内容" in reply
