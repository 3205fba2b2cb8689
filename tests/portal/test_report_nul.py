"""The portal's 报事 with a NUL character in what is typed (a crafted POST: no keyboard types
one): PostgreSQL cannot store it, so it was a server error (500) there and stored on SQLite. A
page's form is read without it (core.nul, as every console and portal form): the report is
written as typed less the NUL, once (its token)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from propdesk.core.models import SubmittedForm
from propdesk.desk.models import Contact, WorkOrder
from tests.portal.test_orders import PHONE
from tests.portal.test_report_once import form


@pytest.mark.parametrize("field", ["description", "location"])
def test_a_nul_character_is_dropped_and_the_report_written_once(
    office, clock, resident_client, field
) -> None:
    client = resident_client(PHONE)
    data = form(office, client)
    sent = client.post(reverse("portal:report"), {**data, field: "卫生间\x00漏水"})
    assert sent.status_code == 302
    assert getattr(WorkOrder.objects.get(), field) == "卫生间漏水"
    again = client.post(reverse("portal:report"), {**data, field: "卫生间\x00漏水"})
    assert again.status_code == 302  # the same submit (its token): nothing written twice
    assert (WorkOrder.objects.count(), Contact.objects.count()) == (1, 1)
    assert SubmittedForm.objects.filter(key=data["once"]).count() == 1
