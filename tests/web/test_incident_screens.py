"""EM-3 in the console: the head completes the pre-filled 《突发事件处理表》 and submits it;
company leadership returns it with a comment or approves it, after which it is read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from propdesk.incidents.models import IncidentReport
from propdesk.incidents.services import emergency_check_in, emergency_resolve
from tests.incidents.conftest import duty, sh
from tests.web.conftest import browser_for

__all__ = ["duty"]  # the office with its security roster, as in tests/incidents


@pytest.fixture
def report(duty, office) -> IncidentReport:
    at = sh(2026, 11, 26, 23, 30)
    emergency = duty.log("fire", at=at)
    emergency_check_in(
        emergency_id=emergency.pk, by=duty.night_guard, now=at + timedelta(minutes=2)
    )
    emergency_resolve(
        emergency_id=emergency.pk, by=office.head, now=at + timedelta(minutes=20), note="扑灭"
    )
    return IncidentReport.objects.get(emergency=emergency)


def page_url(report: IncidentReport) -> str:
    return reverse("desk-incident", args=[report.emergency_id])


FIELDS = {
    "cause_analysis": "电动车违规充电引燃",
    "measures": "保安两分钟内到场用灭火器扑灭，疏散住户",
    "losses": "车辆一台烧毁",
    "people_involved": "值班保安",
}


def test_em3_the_head_completes_and_submits_leadership_returns_then_approves(
    report, duty, office
) -> None:
    head = browser_for(office.head)
    listing = head.get(reverse("desk-incident-list")).content.decode()
    assert f'data-report="{report.emergency_id}"' in listing
    html = head.get(page_url(report)).content.decode()
    assert "扑灭" in html and duty.night_guard.name in html  # pre-filled from the events
    # Submitting without the measures is refused; what was typed stays.
    r = head.post(
        page_url(report),
        {"action": "submit", "version": report.version, **FIELDS, "measures": ""},
    )
    assert r.status_code == 400 and "电动车违规充电引燃" in r.content.decode()
    report.refresh_from_db()
    assert report.state == "draft"
    r = head.post(page_url(report), {"action": "submit", "version": report.version, **FIELDS})
    assert r.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.measures) == ("submitted", FIELDS["measures"])
    boss = browser_for(duty.boss)
    assert (
        f'data-report="{report.emergency_id}"'
        in boss.get(reverse("desk-incident-list")).content.decode()
    )
    r = boss.post(page_url(report), {"action": "return", "comment": ""})
    assert r.status_code == 400
    r = boss.post(page_url(report), {"action": "return", "comment": "请补充损失金额"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.state == "returned"
    head.post(
        page_url(report),
        {"action": "submit", "version": report.version, **FIELDS, "losses": "车辆一台，约3000元"},
    )
    r = boss.post(page_url(report), {"action": "approve", "comment": "同意"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.losses) == ("approved", "车辆一台，约3000元")
    # Filed: read-only for good, on the page and at the door.
    html = head.get(page_url(report)).content.decode()
    assert "<textarea" not in html
    r = head.post(page_url(report), {"action": "save", "version": report.version, **FIELDS})
    assert r.status_code == 400
    report.refresh_from_db()
    assert report.losses == "车辆一台，约3000元"


def test_em3_only_the_office_and_leadership_open_the_report(
    report, duty, office, other_office
) -> None:
    assert browser_for(office.repair_member).get(page_url(report)).status_code in (403, 404)
    assert browser_for(other_office.head).get(page_url(report)).status_code == 404
    # The head cannot approve their own report.
    head = browser_for(office.head)
    head.post(page_url(report), {"action": "submit", "version": report.version, **FIELDS})
    r = head.post(page_url(report), {"action": "approve"})
    assert r.status_code == 400
    report.refresh_from_db()
    assert report.state == "submitted"
