"""EM-3: the incident report, pre-filled from the events; submitted by the office head, approved
or returned by company leadership; an approved report is filed and never changes; its PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.core.errors import Conflict, Forbidden
from propdesk.incidents import reports
from propdesk.incidents.models import ApprovalRecord, IncidentReport
from propdesk.incidents.pdf import incident_report_pdf
from propdesk.incidents.selectors import report_timeline
from propdesk.incidents.services import (
    emergencies_repeat,
    emergency_acknowledge,
    emergency_check_in,
    emergency_resolve,
)
from tests.incidents.conftest import T_NIGHT
from tests.pdfs import A4_MEDIABOX, pdf_text

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def resolved(duty, office) -> IncidentReport:
    emergency = duty.log("fire", at=T_NIGHT, caller_name="张伟", caller_phone="13812345678")
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
    return IncidentReport.objects.get(emergency=emergency)


def write(report: IncidentReport, by, **fields) -> IncidentReport:
    report.refresh_from_db()
    return reports.incident_report_update(
        report_id=report.pk,
        by=by,
        now=T_NIGHT + timedelta(hours=1),
        version=report.version,
        **fields,
    )


def test_em3_timeline_is_prefilled_from_the_events(resolved, duty, office) -> None:
    timeline = [(e.at - T_NIGHT, e.what, e.person) for e in report_timeline(resolved.emergency)]
    head, guard, leader = str(office.head), str(duty.night_guard), str(office.repair_leader)
    assert timeline == [
        (timedelta(0), "reported", str(office.receptionist)),
        (timedelta(0), "notified", head),
        (timedelta(0), "notified", guard),
        (timedelta(0), "notified", leader),
        (timedelta(0), "roster_gap", str(office.receptionist)),
        (timedelta(seconds=30), "acknowledged", head),
        (timedelta(seconds=60), "repeated", guard),
        (timedelta(seconds=60), "repeated", leader),
        (timedelta(minutes=2), "arrived", guard),
        (timedelta(minutes=20), "resolved", head),
    ]


def test_em3_submit_return_submit_approve_then_filed_for_good(resolved, duty, office) -> None:
    now = T_NIGHT + timedelta(hours=2)
    with pytest.raises(ValidationError) as exc:  # nothing written yet
        reports.incident_report_submit(report_id=resolved.pk, by=office.head, now=now)
    assert set(exc.value.message_dict) == {"cause_analysis", "measures"}
    write(resolved, office.administrator, cause_analysis="电线老化", measures="断电、灭火")
    with pytest.raises(Forbidden):  # only the office head submits
        reports.incident_report_submit(report_id=resolved.pk, by=office.administrator, now=now)
    reports.incident_report_submit(report_id=resolved.pk, by=office.head, now=now)
    with pytest.raises(Conflict):  # under review: the office waits
        write(resolved, office.head, losses="无")
    with pytest.raises(Forbidden):  # only company leadership decides
        reports.incident_report_approve(report_id=resolved.pk, by=office.head, now=now)
    with pytest.raises(ValidationError):
        reports.incident_report_return(report_id=resolved.pk, by=duty.boss, now=now, comment="")
    reports.incident_report_return(
        report_id=resolved.pk, by=duty.boss, now=now, comment="请补充损失情况"
    )
    write(resolved, office.head, losses="车库墙面熏黑，约2000元", people_involved="无人员受伤")
    reports.incident_report_submit(report_id=resolved.pk, by=office.head, now=now)
    reports.incident_report_approve(report_id=resolved.pk, by=duty.boss, now=now, comment="同意")
    resolved.refresh_from_db()
    assert (resolved.state, resolved.approved_at, resolved.filed) == ("approved", now, True)
    assert resolved.emergency.state == "closed"
    steps = list(ApprovalRecord.objects.values_list("action", "by__username", "comment"))
    assert steps == [
        ("submitted", "a-head", ""),
        ("returned", "boss", "请补充损失情况"),
        ("submitted", "a-head", ""),
        ("approved", "boss", "同意"),
    ]

    # Filed: every service refuses, and nothing changes.
    before = IncidentReport.objects.filter(pk=resolved.pk).values().get()
    refusals = [
        lambda: write(resolved, office.head, losses="改"),
        lambda: reports.incident_report_submit(report_id=resolved.pk, by=office.head, now=now),
        lambda: reports.incident_report_approve(report_id=resolved.pk, by=duty.boss, now=now),
        lambda: reports.incident_report_return(
            report_id=resolved.pk, by=duty.boss, now=now, comment="再改"
        ),
        lambda: reports.incident_report_attach_photo(
            report_id=resolved.pk,
            by=office.head,
            now=now,
            upload=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
        ),
    ]
    for refuse in refusals:
        with pytest.raises(Conflict) as exc:
            refuse()
        assert exc.value.code == "filed"
    assert IncidentReport.objects.filter(pk=resolved.pk).values().get() == before
    assert ApprovalRecord.objects.count() == 4
    assert not resolved.photos.exists()


def test_em3_photos_are_checked_by_content(resolved, office) -> None:
    now = T_NIGHT + timedelta(hours=1)
    with pytest.raises(ValidationError):
        reports.incident_report_attach_photo(
            report_id=resolved.pk,
            by=office.head,
            now=now,
            upload=SimpleUploadedFile("a.jpg", b"MZ not a photo", content_type="image/jpeg"),
        )
    photo = reports.incident_report_attach_photo(
        report_id=resolved.pk,
        by=office.head,
        now=now,
        upload=SimpleUploadedFile("现场.png", PNG, content_type="image/png"),
    )
    assert (photo.content_type, resolved.photos.count()) == ("image/png", 1)


def test_em3_the_pdf_is_the_chinese_a4_form_with_every_field(resolved, duty, office) -> None:
    write(resolved, office.head, cause_analysis="电线老化", measures="断电灭火", losses="墙面熏黑")
    reports.incident_report_submit(report_id=resolved.pk, by=office.head, now=T_NIGHT)
    reports.incident_report_approve(
        report_id=resolved.pk, by=duty.boss, now=T_NIGHT, comment="同意"
    )
    resolved.refresh_from_db()
    pdf = incident_report_pdf(resolved)
    assert pdf.startswith(b"%PDF-") and b"STSong-Light" in pdf
    assert A4_MEDIABOX in pdf
    text = pdf_text(pdf)
    for words in (
        "突发事件处理表",
        "火警",
        "3栋地下车库",
        "电线老化",
        "断电灭火",
        "墙面熏黑",
        "同意",
    ):
        assert words in text, words


def test_em3_whoever_submits_a_report_cannot_approve_it(resolved, duty, office) -> None:
    """Two signatures: a superuser who submitted the report (as anyone with every right can)
    may neither approve nor return it; another leader decides."""
    from tests import factories as f

    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    now = T_NIGHT + timedelta(hours=2)
    write(resolved, office.head, cause_analysis="电线老化", measures="断电、灭火")
    reports.incident_report_submit(report_id=resolved.pk, by=root, now=now)
    for decide in (
        lambda: reports.incident_report_approve(report_id=resolved.pk, by=root, now=now),
        lambda: reports.incident_report_return(
            report_id=resolved.pk, by=root, now=now, comment="再改"
        ),
    ):
        with pytest.raises(Forbidden) as exc:
            decide()
        assert exc.value.code == "own_report"
    resolved.refresh_from_db()
    assert resolved.state == "submitted"
    reports.incident_report_approve(report_id=resolved.pk, by=duty.boss, now=now)
    resolved.refresh_from_db()
    assert resolved.state == "approved"


def test_em3_a_refused_submit_in_the_console_saves_nothing_and_keeps_what_was_typed(
    resolved, office
) -> None:
    from django.test import Client

    c = Client()
    c.force_login(office.head)
    r = c.post(
        f"/desk/incidents/{resolved.emergency_id}/",
        {
            "action": "submit",
            "version": resolved.version,
            "cause_analysis": "电线老化",
            "measures": "",  # missing: the submit is refused
            "losses": "车库墙面熏黑",
            "people_involved": "",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "电线老化" in html and "车库墙面熏黑" in html  # nothing typed is lost
    before = resolved.version
    resolved.refresh_from_db()
    assert (resolved.state, resolved.cause_analysis, resolved.losses) == ("draft", "", "")
    assert resolved.version == before
