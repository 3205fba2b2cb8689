"""The portal's 报事 refuses a NUL character in what is typed (a crafted POST: no keyboard types
one) beside its field, as the front desk's forms and the API do: PostgreSQL cannot store it, so
without the check the report was a server error (500) there and stored on SQLite."""

from __future__ import annotations

import pytest
from django.urls import reverse

from propdesk.core.models import SubmittedForm
from propdesk.desk.models import Contact, WorkOrder
from tests.portal.test_orders import PHONE
from tests.portal.test_report_once import form, token_of


@pytest.mark.parametrize("field", ["description", "location"])
def test_a_nul_character_is_refused_beside_its_field_and_the_token_kept(
    office, clock, resident_client, field
) -> None:
    client = resident_client(PHONE)
    data = form(office, client)
    refused = client.post(reverse("portal:report"), {**data, field: "卫生间\x00漏水"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "不能含有空字符（NUL）。" in page
    assert token_of(page) == data["once"]  # the corrected form is still the same submit
    assert not (Contact.objects.exists() or WorkOrder.objects.exists())
    assert not SubmittedForm.objects.exists()
    fixed = client.post(reverse("portal:report"), {**data, field: "卫生间漏水"})
    assert fixed.status_code == 302
    assert WorkOrder.objects.count() == 1
