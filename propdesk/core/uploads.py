"""What every upload is checked for at the door: its size, and its type read from its first
bytes (never from its name). Work-order attachments, incident photos and notice photos share it."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
PHOTO_OR_PDF_TYPES = PHOTO_TYPES | {"application/pdf"}

_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),
    (b"ftypheic", 4, "image/heic"),
    (b"ftypmif1", 4, "image/heic"),
]


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file by its first bytes: photos and scanned letters; None otherwise."""
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    return None


def upload_check(upload: UploadedFile[bytes], allowed: frozenset[str]) -> tuple[str, list[str]]:
    """The upload's content type and what is wrong with it (empty when nothing is): larger than
    settings.ATTACHMENT_MAX_BYTES, or not one of ``allowed``. Leaves the file at its start."""
    if upload.size is None or upload.size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        return "", [_("The file is larger than %(mb)s MB.") % {"mb": limit}]
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    upload.seek(0)
    if content_type is None or content_type not in allowed:
        if allowed <= PHOTO_TYPES:
            return "", [_("Only photos (JPEG, PNG, WebP, HEIC) can be added.")]
        return "", [_("Only photos (JPEG, PNG, WebP, HEIC) and PDF scans can be attached.")]
    return content_type, []
