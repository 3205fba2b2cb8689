"""What every upload is checked for at the door, and how a stored file goes back out.
Work-order attachments, incident photos and notice photos share it.

At the door: the size; the type read from the content (never from the name); a photo decoded and
re-encoded with Pillow, so that only an image is stored as one (a PNG header followed by HTML
becomes a clean PNG, a file Pillow cannot decode is refused); a name made here (a uuid and the
extension of the detected type), the uploaded name kept only as text to display.

In the service (``atomic_storing_files``, ``stored_file_save``): the row must name its file, so
the file is stored inside the transaction that writes the row, and deleted again when that
transaction rolls back (a failing later step, a constraint at commit): a rollback leaves no file
in the bucket or under MEDIA_ROOT. A service that stores opens its transaction with
``atomic_storing_files()`` instead of ``transaction.atomic``; nested in another such block, its
files are the outer block's to delete should that one roll back later.

On the way out (``stored_file_response``): the detected type, ``X-Content-Type-Options: nosniff``
and a ``Content-Disposition`` with the display name safely encoded. The caller checks access
first: a stored file is served only by a view that checks the object it belongs to.
"""

from __future__ import annotations

import io
import logging
import unicodedata
import uuid
import warnings
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

log = logging.getLogger(__name__)

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
PHOTO_OR_PDF_TYPES = PHOTO_TYPES | {"application/pdf"}

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}

_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),
]


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file by its first bytes: photos and scanned letters; None otherwise."""
    for magic, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type
    return None


def display_name(name: str | None, default: str) -> str:
    """The uploaded name as text to show: its last path component, without null bytes or other
    control characters, at most 200 characters; ``default`` when nothing is left."""
    text = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()
    if text in {"", ".", ".."}:
        return default
    return text[:200]


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the door: what to store (``content``, named by the product) and
    what to record beside it."""

    content: ContentFile[bytes]
    stored_name: str
    content_type: str
    original_name: str
    size: int


def _reencoded(data: bytes, content_type: str) -> bytes | None:
    """The image decoded and written again in its own format, without its metadata (the EXIF
    orientation applied first); None if Pillow cannot decode it as that format, or it is larger
    than Pillow's decompression-bomb limit."""
    fmt = _PILLOW_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                img.load()
                clean = ImageOps.exif_transpose(img)
                if fmt == "JPEG" and clean.mode not in ("RGB", "L", "CMYK"):
                    clean = clean.convert("RGB")
                out = io.BytesIO()
                options = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
                clean.save(out, format=fmt, **options)
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None
    return out.getvalue()


def upload_check(
    upload: UploadedFile[bytes], allowed: frozenset[str], *, default_name: str = "file"
) -> tuple[CheckedUpload | None, list[str]]:
    """The upload made safe to store, and what is wrong with it (then None and a non-empty list):
    larger than settings.ATTACHMENT_MAX_BYTES, not one of ``allowed`` by its content, or a photo
    Pillow cannot decode. Reads the upload; the upload itself is never stored."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        return None, [_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}]
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    if len(data) > limit:
        return None, [_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}]
    content_type = sniff_content_type(data[:16])
    if content_type is None or content_type not in allowed:
        if allowed <= PHOTO_TYPES:
            return None, [_("Only photos (JPEG, PNG, WebP) can be added.")]
        return None, [_("Only photos (JPEG, PNG, WebP) and PDF scans can be attached.")]
    if content_type in _PILLOW_FORMATS:
        clean = _reencoded(data, content_type)
        if clean is None:
            return None, [_("This photo cannot be read as an image.")]
        data = clean
    stored_name = f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
    return (
        CheckedUpload(
            content=ContentFile(data, name=stored_name),
            stored_name=stored_name,
            content_type=content_type,
            original_name=display_name(upload.name, default_name),
            size=len(data),
        ),
        [],
    )


# The files stored by the open atomic_storing_files block of each connection (a connection is
# one thread's): (storage, name), in the order stored.
_STORED: weakref.WeakKeyDictionary[BaseDatabaseWrapper, list[tuple[Storage, str]]] = (
    weakref.WeakKeyDictionary()
)


@contextmanager
def atomic_storing_files(using: str | None = None) -> Iterator[None]:
    """``transaction.atomic`` for a service that stores uploaded files (``stored_file_save``):
    when the block ends with an exception (its transaction or savepoint rolled back, or the
    commit itself failed), the files stored in it are deleted again. Nested in another such
    block, a block that ends well leaves its files to the outer one, which deletes them if it
    rolls back. Usable as a decorator: ``@atomic_storing_files()``."""
    connection = transaction.get_connection(using)
    stored = _STORED.get(connection)
    outermost = stored is None
    if stored is None:
        stored = _STORED[connection] = []
    mark = len(stored)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        for storage, name in stored[mark:]:
            try:
                storage.delete(name)
            except Exception:
                log.exception("could not delete %s after a rollback: it is left over", name)
        del stored[mark:]
        raise
    finally:
        if outermost:
            _STORED.pop(connection, None)


def stored_file_save(file: FieldFile, checked: CheckedUpload, using: str | None = None) -> None:
    """Store ``checked`` as ``file`` (the row is saved by the caller), to be deleted again if
    the transaction rolls back: only inside ``atomic_storing_files``."""
    stored = _STORED.get(transaction.get_connection(using))
    if stored is None:
        raise RuntimeError("an uploaded file is stored only inside atomic_storing_files()")
    file.save(checked.stored_name, checked.content, save=False)
    assert file.name  # the name the storage gave it
    stored.append((file.storage, file.name))


INLINE_TYPES = PHOTO_OR_PDF_TYPES


def stored_file_response(file: FieldFile, *, content_type: str, original_name: str) -> FileResponse:
    """A stored file as an HTTP answer: its detected type, ``nosniff``, inline for photos and
    PDF (a download otherwise), the display name encoded for the header (RFC 6266 / 5987).
    Access is the caller's to check, before calling."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=content_type not in INLINE_TYPES,
        filename=display_name(original_name, "file"),
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
