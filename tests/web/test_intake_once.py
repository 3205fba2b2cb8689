"""One order per submit: the intake form carries a one-time token (core.once); the same form
sent twice (a double click, Ctrl+Enter twice, a retry on a slow network) writes once, and the
second answer says it was already recorded, with the first one's order."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.core.models import SubmittedForm
from propdesk.desk.models import Contact, WorkOrder
from propdesk.notify.models import Notification
from tests.incidents.conftest import duty
from tests.notify.helpers import run_telling
from tests.web.conftest import browser_for

__all__ = ["duty"]  # the office with its security roster, as in tests/incidents


def url(office) -> str:
    return reverse("desk-intake", args=[office.community.pk])


def token_of(html: str) -> str:
    found = re.search(r'name="once" value="([^"]+)"', html)
    assert found, "the intake form carries no one-time token"
    return found.group(1)


COMPLAINT = {
    "channel": "visit",
    "room": "3-2-1502",
    "intent": "complaint",
    "complaint_type": "general",
    "content": "业主情绪激动投诉物业费",
    "outcome": "work_order",
    "owner_agitated": "on",
}


def test_the_same_form_sent_twice_logs_one_contact_and_one_order(office, clock) -> None:
    page = browser_for(office.receptionist)
    data = {**COMPLAINT, "once": token_of(page.get(url(office)).content.decode())}
    first = page.post(url(office), data)
    second = page.post(url(office), data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Contact.objects.count() == 1 and WorkOrder.objects.count() == 1
    order = WorkOrder.objects.get()
    run_telling(clock)
    assert Notification.objects.filter(recipient=office.head, kind="agitated_visitor").count() == 1
    shown = page.get(url(office)).content.decode()
    # Both answers are shown: the first one's and the replay's, in Chinese, naming the order.
    assert "已登记过" in shown or "已经提交过" in shown
    assert shown.count(order.number) >= 2


def test_a_new_form_is_a_new_submit(office, clock) -> None:
    page = browser_for(office.receptionist)
    for _ in range(2):
        data = {**COMPLAINT, "once": token_of(page.get(url(office)).content.decode())}
        assert page.post(url(office), data).status_code == 302
    assert Contact.objects.count() == WorkOrder.objects.count() == 2


def test_a_refused_submit_keeps_its_token_and_the_corrected_one_is_logged_once(
    office, clock
) -> None:
    page = browser_for(office.receptionist)
    token = token_of(page.get(url(office)).content.decode())
    refused = page.post(url(office), {**COMPLAINT, "content": "", "once": token})
    assert refused.status_code == 400
    assert token_of(refused.content.decode()) == token  # drawn again with the same token
    assert not SubmittedForm.objects.exists()
    for _ in range(2):
        assert page.post(url(office), {**COMPLAINT, "once": token}).status_code == 302
    assert Contact.objects.count() == 1


def test_a_refused_submit_with_no_token_of_ours_is_drawn_again_with_a_new_one(
    office, clock
) -> None:
    """A posted token that isn't one (an old page's, a script's, a NUL in it) is no token: the
    form drawn again with its errors carries a new one, so the corrected form is protected from
    a double submit too, not sent again without one."""
    page = browser_for(office.receptionist)
    refused = page.post(url(office), {**COMPLAINT, "content": "", "once": "not a token!"})
    assert refused.status_code == 400
    token = token_of(refused.content.decode())
    assert token != "not a token!" and re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    for _ in range(2):
        assert page.post(url(office), {**COMPLAINT, "once": token}).status_code == 302
    assert Contact.objects.count() == 1


def test_another_users_token_is_not_theirs(office, clock) -> None:
    data = {**COMPLAINT, "once": "same-token"}
    assert browser_for(office.receptionist).post(url(office), data).status_code == 302
    assert browser_for(office.administrator).post(url(office), data).status_code == 302
    assert Contact.objects.count() == 2


def test_an_emergency_form_sent_twice_calls_people_once(duty, office) -> None:
    from propdesk.incidents.models import Emergency, Responder
    from tests.incidents.conftest import T_NIGHT

    duty.clock.at = T_NIGHT
    desk = browser_for(office.receptionist)
    form = desk.get(reverse("emergency-new")).content.decode()
    data = {
        "community": office.community.pk,
        "kind": "fire",
        "location": "5栋电梯",
        "once": token_of(form),
    }
    first, second = (
        desk.post(reverse("emergency-new"), data),
        desk.post(reverse("emergency-new"), data),
    )
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    emergency = Emergency.objects.get()
    called = Responder.objects.filter(emergency=emergency).count()
    assert called > 0 and WorkOrder.objects.count() == 1
    assert "已经提交过" in desk.get(second["Location"]).content.decode()


def test_a_return_visit_form_sent_twice_is_recorded_once(office, clock) -> None:
    from propdesk.followup.models import ReturnVisit
    from tests.followup.conftest import Loop

    order = Loop(office, clock).resolved("repair")
    page = browser_for(office.receptionist)
    where = reverse("desk-visit-new", args=[office.community.pk])
    form = page.get(where + f"?order={order.pk}").content.decode()
    data = {
        "order": order.pk,
        "channel": "phone",
        "phone": "13812345678",
        "outcome": "answered",
        "level": "very_satisfied",
        "once": token_of(form),
    }
    first, second = page.post(where, data), page.post(where, data)
    assert first.status_code == second.status_code == 302
    assert ReturnVisit.objects.count() == 1
