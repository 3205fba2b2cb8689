"""Uploads at the door and on the way out: the type from the content, an image re-encoded (a
polyglot becomes a clean PNG), SVG and HTML refused, the stored name made by the product, files
served only through an access-checked view with nosniff and a Content-Disposition, never /media/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from propdesk.core.uploads import PHOTO_OR_PDF_TYPES, PHOTO_TYPES, display_name, upload_check
from propdesk.desk.models import Attachment
from propdesk.followup.models import NoticePhoto
from propdesk.followup.services import notice_post, notice_write
from tests.conftest import Office, client_for

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
STORED = re.compile(r"^[0-9a-f]{32}\.(png|jpg|webp|pdf)$")


def png_bytes(colour: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buf, "PNG")
    return buf.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_png_followed_by_html_is_stored_as_a_clean_png() -> None:
    checked, problems = upload_check(upload("poly.html", png_bytes() + HTML), PHOTO_TYPES)
    assert problems == [] and checked is not None
    data = checked.content.read()
    assert b"<script" not in data and b"<html" not in data
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert checked.content_type == "image/png"
    assert STORED.match(checked.content.name or "") and checked.content.name.endswith(".png")
    assert checked.original_name == "poly.html"  # kept as text to display only
    assert checked.size == len(data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x.svg", SVG),
        ("x.png", SVG),
        ("x.png", HTML),  # plain HTML renamed .png
        ("x.png.html", HTML),
        ("x.png", b"\x89PNG\r\n\x1a\n" + HTML),  # a PNG header with no image behind it
        ("x.jpg", b"\xff\xd8\xff\xe0" + HTML),
    ],
)
def test_svg_html_and_undecodable_images_are_refused(name: str, data: bytes) -> None:
    checked, problems = upload_check(upload(name, data), PHOTO_OR_PDF_TYPES)
    assert checked is None and len(problems) == 1


def test_an_oversize_file_is_refused(settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    data = png_bytes() + b"\0" * (1024 * 1024)
    checked, problems = upload_check(upload("big.png", data), PHOTO_TYPES)
    assert checked is None and problems == ["文件超过 1 MB。"]


def test_a_decompression_bomb_image_is_refused(settings) -> None:
    buf = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buf, "PNG")  # small file, 400 M pixels
    checked, problems = upload_check(upload("bomb.png", buf.getvalue()), PHOTO_TYPES)
    assert checked is None and len(problems) == 1


def test_null_bytes_and_paths_in_a_name_are_harmless() -> None:
    checked, problems = upload_check(upload("../../etc/pa\x00ss.png", png_bytes()), PHOTO_TYPES)
    assert problems == [] and checked is not None
    assert checked.original_name == "pass.png"
    assert STORED.match(checked.content.name or "")
    assert display_name("..\\..\\win.ini", "file") == "win.ini"
    assert display_name("\x00", "file") == "file"
    assert display_name("..", "file") == "file"


# The way out: the access-checked view.


def _order(office: Office) -> int:
    r = client_for(office.receptionist).post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": "楼道灯不亮",
            "household": office.household.pk,
        },
        format="json",
    )
    assert r.status_code == 201
    return int(r.json()["id"])


def test_attachment_is_stored_under_a_product_name_and_served_with_safe_headers(
    office, other_office, clock, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    c = client_for(office.receptionist)
    order_id = _order(office)
    poly = io.BytesIO(png_bytes() + HTML)
    poly.name = "../现场\x00.html"
    r = c.post(f"/api/work-orders/{order_id}/attachments/", {"file": poly}, format="multipart")
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["original_name"] == "现场.html"
    assert body["url"] == f"/api/files/attachments/{body['id']}/"
    stored = Attachment.objects.get()
    assert STORED.match(Path(stored.file.name).name)
    assert stored.file.name.startswith(f"orders/{office.community.pk}/{order_id}/")
    assert b"<script" not in Path(stored.file.path).read_bytes()

    r = c.get(body["url"])
    assert r.status_code == 200
    assert r["Content-Type"] == "image/png"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E7%8E%B0%E5%9C%BA.html" in r["Content-Disposition"]
    assert b"".join(r.streaming_content) == Path(stored.file.path).read_bytes()

    # Another community's staff: not found, like a missing file; anonymous: refused.
    assert client_for(other_office.receptionist).get(body["url"]).status_code == 404
    assert c.get(f"/api/files/attachments/{stored.pk + 1}/").status_code == 404
    assert Client().get(body["url"]).status_code in (401, 403)
    # The file is not reachable under /media/ in the app.
    assert Client().get(f"/media/{stored.file.name}").status_code == 404
    # The console links to the view, not to /media/.
    console = Client()
    console.force_login(office.receptionist)
    page = console.get(f"/desk/orders/{order_id}/").content.decode()
    assert f'href="/api/files/attachments/{stored.pk}/"' in page and "/media/" not in page


def test_a_refused_upload_changes_nothing(office, clock, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    c = client_for(office.receptionist)
    order_id = _order(office)
    svg = io.BytesIO(SVG)
    svg.name = "x.svg"
    r = c.post(f"/api/work-orders/{order_id}/attachments/", {"file": svg}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["error"]["fields"]
    assert not Attachment.objects.exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_notice_photo_is_served_to_its_community_only(
    office, other_office, clock, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    notice = notice_write(
        community=office.community,
        by=office.administrator,
        now=clock.now(),
        title="关于停水的通知",
        body="明日停水。",
    )
    notice_post(
        notice_id=notice.pk,
        by=office.administrator,
        now=clock.now(),
        photo=upload("board.png", png_bytes("blue")),
    )
    photo = NoticePhoto.objects.get()
    url = f"/api/files/notice-photos/{photo.pk}/"
    r = client_for(office.administrator).get(url)
    assert (r.status_code, r["Content-Type"], r["X-Content-Type-Options"]) == (
        200,
        "image/png",
        "nosniff",
    )
    assert client_for(other_office.administrator).get(url).status_code == 404
