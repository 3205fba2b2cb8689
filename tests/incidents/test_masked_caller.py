"""An emergency's caller is an owner: their phone is read whole by the roles that call owners
(front desk, administrators, office head) and masked (138****1234) for everyone else who sees the
emergency (the teams called, company leadership), in the API, on the emergency's page and on the
printed 《突发事件处理表》, through community.access.phone_as_seen."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client

from propdesk.incidents.models import IncidentReport
from propdesk.incidents.services import (
    emergencies_repeat,
    emergency_acknowledge,
    emergency_check_in,
    emergency_resolve,
)
from tests.conftest import client_for
from tests.incidents.conftest import T_NIGHT
from tests.pdfs import pdf_text

CALLER = "13812345678"
MASKED = "138****5678"


def web_for(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_the_emergencys_caller_phone_is_masked_for_the_team_called_and_leadership(
    duty, office
) -> None:
    emergency = duty.log("fire", at=T_NIGHT, caller_name="张伟", caller_phone=CALLER)
    for user in (duty.night_guard, duty.security_leader, duty.boss):
        body = client_for(user).get(f"/api/emergencies/{emergency.pk}/")
        assert body.status_code == 200, user.username
        assert body.json()["caller_phone"] == MASKED, user.username
        listed = client_for(user).get("/api/emergencies/", {"community": office.community.pk})
        assert CALLER not in listed.content.decode() and MASKED in listed.content.decode()
    for user in (duty.night_guard, duty.boss):  # called, or leadership: the page opens
        page = web_for(user).get(f"/desk/emergencies/{emergency.pk}/")
        assert page.status_code == 200, user.username
        html = page.content.decode()
        assert "张伟" in html and MASKED in html and CALLER not in html, user.username
    for user in (office.receptionist, office.head):
        assert client_for(user).get(f"/api/emergencies/{emergency.pk}/").json()["caller_phone"] == (
            CALLER
        )
        html = web_for(user).get(f"/desk/emergencies/{emergency.pk}/").content.decode()
        assert f'href="tel:{CALLER}"' in html, user.username


def test_the_incident_report_pdf_masks_the_callers_phone_for_leadership(duty, office) -> None:
    emergency = duty.log("fire", at=T_NIGHT, caller_name="张伟", caller_phone=CALLER)
    emergency_acknowledge(
        emergency_id=emergency.pk, by=office.head, now=T_NIGHT + timedelta(seconds=30)
    )
    emergencies_repeat(now=T_NIGHT + timedelta(seconds=60))
    emergency_check_in(
        emergency_id=emergency.pk, by=duty.night_guard, now=T_NIGHT + timedelta(minutes=2)
    )
    emergency_resolve(
        emergency_id=emergency.pk, by=office.head, now=T_NIGHT + timedelta(minutes=20), note="扑灭"
    )
    assert IncidentReport.objects.filter(emergency=emergency).exists()
    path = f"/api/emergencies/{emergency.pk}/report/pdf/"
    boss = client_for(duty.boss).get(path)
    assert boss.status_code == 200
    text = pdf_text(boss.content)
    assert "张伟" in text and MASKED in text and CALLER not in text
    for user in (office.receptionist, office.head):
        text = pdf_text(client_for(user).get(path).content)
        assert CALLER in text, user.username
