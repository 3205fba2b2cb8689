"""The portal's 报事 form carries a one-time token (core.once), its owner the signed-in resident:
the same form sent twice (two taps, a resend on a bad network) makes one contact and one order,
and both answers show that order; a refused form keeps its token; another form is another
report."""

from __future__ import annotations

import re

from django.urls import reverse

from propdesk.core.models import SubmittedForm
from propdesk.desk.models import Attachment, Contact, WorkOrder
from tests.portal.test_orders import PHONE, photo

FORM = {"kind": "repair", "description": "卫生间水管漏水", "location": "", "appointment_at": ""}


def token_of(html: str) -> str:
    found = re.search(r'name="once" value="([^"]+)"', html)
    assert found, "the report form carries no one-time token"
    return found.group(1)


def form(office, client) -> dict[str, str]:
    token = token_of(client.get(reverse("portal:report")).content.decode())
    return {**FORM, "household": str(office.household.pk), "once": token}


def test_the_same_report_sent_twice_makes_one_order_and_both_answers_show_it(
    office, clock, resident_client
) -> None:
    client = resident_client(PHONE)
    data = form(office, client)
    first = client.post(reverse("portal:report"), {**data, "photos": [photo("a.png")]})
    second = client.post(reverse("portal:report"), {**data, "photos": [photo("a.png")]})
    assert first.status_code == second.status_code == 302
    assert Contact.objects.count() == WorkOrder.objects.count() == 1
    order = WorkOrder.objects.get()
    assert Attachment.objects.filter(order=order).count() == 1
    page = reverse("portal:order", kwargs={"order_id": order.pk})
    assert first["Location"] == second["Location"] == page
    # Each answer, followed, shows the order and says so in Chinese.
    shown = client.get(page).content.decode()
    assert shown.count(order.number) >= 2  # the page's own number and the replay's message
    assert "已经提交过" in shown or "已登记过" in shown
    assert SubmittedForm.objects.get().owner == f"resident:{PHONE}"


def test_a_refused_report_keeps_its_token_and_the_corrected_one_is_made_once(
    office, clock, resident_client
) -> None:
    client = resident_client(PHONE)
    data = form(office, client)
    refused = client.post(reverse("portal:report"), {**data, "kind": ""})
    assert refused.status_code == 400
    assert token_of(refused.content.decode()) == data["once"]
    assert not SubmittedForm.objects.exists() and not WorkOrder.objects.exists()
    for _ in range(2):
        assert client.post(reverse("portal:report"), data).status_code == 302
    assert WorkOrder.objects.count() == 1


def test_a_new_form_is_a_new_report(office, clock, resident_client) -> None:
    client = resident_client(PHONE)
    for _ in range(2):
        assert client.post(reverse("portal:report"), form(office, client)).status_code == 302
    assert WorkOrder.objects.count() == 2
