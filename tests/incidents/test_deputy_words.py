"""EM-1's widening to who stands in for an unacknowledged responder, as the back office reads it:
the column and the timeline name them alike (替补人员), never 代理人 (a legal proxy, a word the
office does not use for staff: GLOSSARY.md has no such role)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from propdesk.incidents.models import Responder

pytestmark = pytest.mark.django_db


def test_em1_the_deputies_column_reads_as_the_timeline_does(duty, office) -> None:
    emergency = duty.log()
    office.head.is_staff = office.head.is_superuser = True
    office.head.save(update_fields=["is_staff", "is_superuser"])
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(office.head)
    r = c.get(reverse("admin:incidents_emergency_change", args=[emergency.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "通知替补人员时间" in html
    assert "代理人" not in html
    with translation.override("zh-hans"):
        column = str(Responder._meta.get_field("widened_at").verbose_name)
        from django.utils.translation import gettext

        assert column == "通知替补人员时间"
        assert "替补人员" in gettext("Deputies notified")  # the timeline's word
