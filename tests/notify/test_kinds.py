"""The back office's list of notifications says each one's kind in the office's words (超时升级,
新投诉), never the code's key (clock_escalation, complaint_created); its filter offers the kinds
by those words."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Permission
from django.test import Client

from propdesk.clocks.services import clocks_sweep
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.desk.services.telling import CONCIERGE_REQUEST, FIXED_RECIPIENTS
from propdesk.incidents.services import EMERGENCY_KIND, ROSTER_GAP_KIND
from propdesk.notify.cap import DIGEST_KIND
from propdesk.notify.kinds import KIND_WORDS
from propdesk.notify.models import Notification
from propdesk.policy.rules import NOTIFY_EVENTS
from tests import factories as f
from tests.notify.helpers import run_telling


def test_every_kind_a_notification_is_written_with_has_its_words() -> None:
    written = {
        *NOTIFY_EVENTS,  # the desk, by the policy's notify rules
        *(kind for _role, kind in FIXED_RECIPIENTS.values()),
        CONCIERGE_REQUEST,
        "clock_warning",  # clocks.services.sweeper
        "clock_escalation",
        EMERGENCY_KIND,
        ROSTER_GAP_KIND,
        DIGEST_KIND,
    }
    assert written <= KIND_WORDS.keys(), written - KIND_WORDS.keys()
    for kind in written:
        words = str(KIND_WORDS[kind])
        assert words and not words.isascii(), (kind, words)  # Chinese, not a key


def test_cp1_the_back_office_lists_a_complaint_and_its_escalation_by_their_words(
    office, clock
) -> None:
    """CP-1: a complaint nobody took in 10 minutes. The head's notifications of it, in the back
    office: 新投诉 and 超时升级, filtered by 超时升级; one's page says its kind so too."""
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(
            kind="complaint", description="楼上装修噪音", household=office.household
        ),
    )
    run_telling(clock)
    clocks_sweep(now=clock.advance(minutes=11))
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"complaint_created", "clock_escalation"} <= kinds, kinds
    user = f.UserFactory(username="bo-notify", roles=[(office.community, "office_head")])
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(codename="view_notification"))
    c = Client()
    c.force_login(user)
    page = c.get("/admin/notify/notification/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "新投诉" in text and "超时升级" in text
    assert ">complaint_created<" not in text and ">clock_escalation<" not in text
    assert "?kind__exact=clock_escalation" in text  # the filter, by words
    escalated = c.get("/admin/notify/notification/?kind__exact=clock_escalation")
    listed = escalated.content.decode()
    assert escalated.status_code == 200 and order.number in listed
    rows = listed.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "超时升级" in rows and "新投诉" not in rows
    one = Notification.objects.filter(kind="clock_escalation").first()
    assert one is not None
    detail = c.get(f"/admin/notify/notification/{one.pk}/change/").content.decode()
    assert "超时升级" in detail and "clock_escalation" not in detail
    assert clock.now() - one.created_at < timedelta(minutes=1)
