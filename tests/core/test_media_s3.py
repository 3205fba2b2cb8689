"""Media on S3-compatible storage (MEDIA_STORAGE=s3, issue 15), against a real S3-compatible HTTP
server on loopback (moto's standalone server in a thread; boto3 speaks signed HTTP to it, as to
AWS, MinIO or 阿里云 OSS). Files are uploaded through the real paths (the API's attachments, the
resident portal's photos, an incident report's photo), land as private objects in the bucket and
nowhere on the local disk, and go out only through the access-checked /api/files/... views,
which read the object and stream it: no bucket URL, public or signed, ever reaches a client."""

from __future__ import annotations

import io
import secrets
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import timedelta

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto.server import ThreadedMotoServer
from PIL import Image

from propdesk.desk.models import Attachment
from propdesk.incidents import reports
from propdesk.incidents.models import IncidentReport
from propdesk.incidents.services import emergency_acknowledge, emergency_resolve
from propdesk.settings import media_storage
from tests.conftest import client_for
from tests.images import PNG
from tests.incidents.conftest import T_NIGHT, duty
from tests.portal.conftest import resident_client

__all__ = ["duty", "resident_client"]  # fixtures of the incident and portal tests


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """A new private bucket, and the settings a deployment would have for it (the same function
    as propdesk/settings.py, from the same environment variables). MEDIA_ROOT is an empty folder
    that must stay empty."""
    env = {
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": f"propdesk-{uuid.uuid4().hex[:12]}",
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": secrets.token_hex(10),
        "AWS_SECRET_ACCESS_KEY": secrets.token_hex(20),
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_LOCATION": "media",
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket=env["AWS_STORAGE_BUCKET_NAME"])
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": media_storage(env)}
    return s3, env["AWS_STORAGE_BUCKET_NAME"], tmp_path


def _objects(s3, name: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=name).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=name, Key=o["Key"])["Body"].read() for o in listed}


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_setting_chooses_the_storage():
    assert media_storage({})["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    s3 = media_storage({"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "desk-media"})
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert s3["OPTIONS"]["bucket_name"] == "desk-media"
    assert s3["OPTIONS"]["default_acl"] is None  # private: the bucket's own ACL
    assert "access_key" not in s3["OPTIONS"]  # boto3's own chain (an instance role …)
    with pytest.raises(ImproperlyConfigured):
        media_storage({"MEDIA_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured):
        media_storage({"MEDIA_STORAGE": "ftp"})


def test_an_attachment_goes_to_the_bucket_and_comes_back_only_through_the_access_check(
    bucket, office, other_office, clock
):
    s3, name, media_root = bucket
    c = client_for(office.receptionist)
    order = c.post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "household": office.household.pk,
            "description": "厨房水管漏水",
        },
        format="json",
    )
    assert order.status_code == 201, order.json()
    upload = io.BytesIO(PNG)
    upload.name = "现场.png"
    r = c.post(
        f"/api/work-orders/{order.json()['id']}/attachments/",
        {"file": upload, "kind": "photo"},
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    attachment = Attachment.objects.get()
    stored = _objects(s3, name)
    assert list(stored) == [f"media/{attachment.file.name}"]
    assert attachment.file.name.endswith(".png") and "现场" not in attachment.file.name
    assert list(media_root.iterdir()) == []  # nothing on the local disk

    url = reverse("file-attachment", args=[attachment.pk])
    got = client_for(office.head).get(url)
    assert got.status_code == 200
    assert (got["Content-Type"], got["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert "filename*=utf-8''%E7%8E%B0%E5%9C%BA.png" in got["Content-Disposition"]
    assert _body(got) == stored[f"media/{attachment.file.name}"]
    assert name not in got.serialize_headers().decode()  # no bucket address handed out
    assert client_for(other_office.head).get(url).status_code == 404
    assert client_for(office.repair_member).get(url).status_code == 200  # the routed team
    anonymous = client_for(office.head)
    anonymous.force_authenticate(None)
    assert anonymous.get(url).status_code == 401


def test_the_bucket_is_private(bucket, office, clock):
    """The object carries no public grant (default_acl None): only a signed request reads it."""
    s3, name, _root = bucket
    default_storage.save("probe.png", io.BytesIO(PNG))
    acl = s3.get_object_acl(Bucket=name, Key="media/probe.png")
    grantees = {g["Grantee"].get("URI", "") for g in acl["Grants"]}
    assert not any("AllUsers" in g or "AuthenticatedUsers" in g for g in grantees)
    # The storage's own URL for it is signed (never given to a client, but never bare either).
    assert "X-Amz-Signature=" in default_storage.url("probe.png")
    endpoint = s3.meta.endpoint_url
    # An unsigned request (anyone who learnt the bucket's address) is refused.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{endpoint}/{name}/media/probe.png", timeout=5)
    assert refused.value.code == 403


def test_a_residents_portal_photos_land_in_the_bucket(bucket, office, clock, resident_client):
    s3, name, media_root = bucket
    response = resident_client("13812345678").post(
        reverse("portal:report"),
        {
            "household": str(office.household.pk),
            "kind": "repair",
            "description": "电梯按钮失灵",
            "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")],
        },
    )
    assert response.status_code == 302
    photo = Attachment.objects.get()
    assert list(_objects(s3, name)) == [f"media/{photo.file.name}"]
    assert list(media_root.iterdir()) == []
    got = client_for(office.head).get(reverse("file-attachment", args=[photo.pk]))
    assert got.status_code == 200 and _body(got) == _objects(s3, name)[f"media/{photo.file.name}"]


def test_an_incident_photo_is_read_back_from_the_bucket_into_its_pdf(
    bucket, duty, office, other_office
):
    s3, name, media_root = bucket
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
        upload=SimpleUploadedFile("火场.jpg", buf.getvalue()),
    )
    key = f"media/{photo.file.name}"
    assert list(_objects(s3, name)) == [key]
    assert list(media_root.iterdir()) == []
    url = reverse("file-incident-photo", args=[photo.pk])
    got = client_for(office.head).get(url)
    assert got.status_code == 200 and _body(got) == _objects(s3, name)[key]
    assert client_for(other_office.head).get(url).status_code == 404
    pdf = client_for(office.head).get(f"/api/emergencies/{emergency.pk}/report/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
