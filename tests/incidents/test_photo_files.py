"""An incident report's photo is served only to whoever may read the report."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image

from propdesk.incidents import reports
from propdesk.incidents.models import IncidentPhoto, IncidentReport
from propdesk.incidents.services import emergency_acknowledge, emergency_resolve
from tests.conftest import client_for
from tests.incidents.conftest import T_NIGHT
from tests.refusals import REFUSED, refused


def test_incident_photo_is_served_to_the_office_and_leadership_only(
    duty, office, other_office, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    emergency = duty.log("fire", at=T_NIGHT, caller_name="张伟", caller_phone="13812345678")
    emergency_acknowledge(emergency_id=emergency.pk, by=office.head, now=T_NIGHT)
    emergency_resolve(
        emergency_id=emergency.pk, by=office.head, now=T_NIGHT + timedelta(minutes=20), note="扑灭"
    )
    report = IncidentReport.objects.get(emergency=emergency)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buf, "JPEG")
    photo = reports.incident_report_attach_photo(
        report_id=report.pk,
        by=office.head,
        now=T_NIGHT + timedelta(hours=1),
        upload=SimpleUploadedFile("火场 1.jpg", buf.getvalue() + b"<script>x</script>"),
    )
    assert photo.file.name.endswith(".jpg") and "火场" not in photo.file.name
    r = client_for(office.head).get(f"/api/emergencies/{emergency.pk}/report/")
    url = r.json()["photos"][0]["url"]
    assert url == f"/api/files/incident-photos/{photo.pk}/"
    r = client_for(office.head).get(url)
    assert (r.status_code, r["Content-Type"], r["X-Content-Type-Options"]) == (
        200,
        "image/jpeg",
        "nosniff",
    )
    assert b"<script" not in b"".join(r.streaming_content)
    assert client_for(duty.boss).get(url).status_code == 200
    assert client_for(duty.night_guard).get(url).status_code == 404  # may not read the report
    assert client_for(other_office.head).get(url).status_code == 404


def test_a_photo_whose_report_update_is_refused_leaves_no_file(
    duty, office, settings, tmp_path
) -> None:
    """The photo is stored and its row written, then the report's own update is refused by the
    database: the whole attach is rolled back, and the stored file is deleted with it."""
    settings.MEDIA_ROOT = tmp_path
    emergency = duty.log("fire", at=T_NIGHT, caller_name="张伟", caller_phone="13812345678")
    emergency_acknowledge(emergency_id=emergency.pk, by=office.head, now=T_NIGHT)
    emergency_resolve(
        emergency_id=emergency.pk, by=office.head, now=T_NIGHT + timedelta(minutes=20), note="扑灭"
    )
    report = IncidentReport.objects.get(emergency=emergency)
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buf, "JPEG")

    def attach() -> IncidentPhoto:
        return reports.incident_report_attach_photo(
            report_id=report.pk,
            by=office.head,
            now=T_NIGHT + timedelta(hours=1),
            upload=SimpleUploadedFile("火场.jpg", buf.getvalue()),
        )

    with refused("incidents_incidentreport", "UPDATE"), pytest.raises(DatabaseError, match=REFUSED):
        attach()
    assert not IncidentPhoto.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    photo = attach()  # and without the refusal, it is stored
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [tmp_path / photo.file.name]
