"""A stored upload goes with its transaction: the row must name its file, so the file is stored
inside the transaction and deleted again when that transaction rolls back. Each test forces the
rollback with a real failing write later in the same transaction (a trigger the database runs,
as a constraint would), on the real filesystem storage, and looks at what is left on disk."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image

from propdesk.core.uploads import atomic_storing_files, stored_file_save, upload_check
from propdesk.desk.models import Attachment, Contact, WorkOrder
from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log, work_order_attach
from propdesk.followup.models import Notice, NoticePhoto
from propdesk.followup.services import notice_post, notice_write
from tests.desk.test_dispatch import create
from tests.refusals import REFUSED, refused

pytestmark = pytest.mark.django_db


def photo(colour: str = "red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buf, "PNG")
    return SimpleUploadedFile("现场.png", buf.getvalue(), content_type="image/png")


def files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_attachment_is_stored_when_its_transaction_commits(office, clock, media) -> None:
    order = create(office, clock)
    attachment = work_order_attach(
        order_id=order.pk, by=office.receptionist, now=clock.now(), upload=photo()
    )
    assert files(media) == [Path(attachment.file.path)]
    assert Path(attachment.file.path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_attachment_whose_event_is_refused_leaves_no_file(office, clock, media) -> None:
    """The file and the attachment row are written, then the timeline's line is refused: the
    whole attach is rolled back, and so is the file."""
    order = create(office, clock)
    with refused("desk_workorderevent"), pytest.raises(DatabaseError, match=REFUSED):
        work_order_attach(
            order_id=order.pk, by=office.receptionist, now=clock.now(), upload=photo()
        )
    assert not Attachment.objects.exists()
    assert files(media) == []


def _written_complaint(office, letter) -> ContactInput:
    return ContactInput(
        channel="written",
        caller_name="王先生",
        caller_phone="13812345678",
        intent="complaint",
        content="两件事：楼道灯不亮，保洁不到位",
        outcome="work_order",
        household=office.household,
        work_orders=[
            WorkOrderDraft(kind="complaint", description="楼道灯一周不亮"),
            WorkOrderDraft(kind="complaint", description="保洁不到位"),
        ],
        letter=letter,
    )


def test_a_letter_stored_for_the_first_order_goes_when_the_second_order_fails(
    office, clock, media
) -> None:
    """Nested: the first order's attach ends well (its letter stored), then the contact's
    second order is refused. The contact's transaction rolls back and deletes the letter."""
    with (
        refused("desk_workorder", once_exists="desk_attachment"),
        pytest.raises(DatabaseError, match=REFUSED),
    ):
        contact_log(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            data=_written_complaint(office, photo()),
        )
    assert not Contact.objects.exists() and not WorkOrder.objects.exists()
    assert not Attachment.objects.exists()
    assert files(media) == []


def test_a_letter_with_two_orders_is_stored_once_for_each(office, clock, media) -> None:
    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        data=_written_complaint(office, photo()),
    )
    stored = Attachment.objects.filter(order__contact=contact)
    assert stored.count() == 2
    assert files(media) == sorted(Path(a.file.path) for a in stored)


def test_a_notice_posted_is_rolled_back_with_its_photo(office, clock, media) -> None:
    notice = notice_write(
        community=office.community,
        by=office.administrator,
        now=clock.now(),
        title="关于停水的通知",
        body="明日停水。",
    )
    # Marking it posted, after its photo is stored, is refused.
    with refused("followup_notice", "UPDATE"), pytest.raises(DatabaseError, match=REFUSED):
        notice_post(notice_id=notice.pk, by=office.administrator, now=clock.now(), photo=photo())
    assert not NoticePhoto.objects.exists()
    assert Notice.objects.get(pk=notice.pk).posted_at is None
    assert files(media) == []


def test_a_notice_posted_keeps_its_photo(office, clock, media) -> None:
    notice = notice_write(
        community=office.community,
        by=office.administrator,
        now=clock.now(),
        title="关于停水的通知",
        body="明日停水。",
    )
    notice_post(notice_id=notice.pk, by=office.administrator, now=clock.now(), photo=photo())
    assert files(media) == [Path(NoticePhoto.objects.get().file.path)]


def test_an_inner_block_that_fails_alone_deletes_only_its_own_file(office, clock, media) -> None:
    """The outer transaction goes on after an inner attach failed (its savepoint rolled back):
    the inner file is gone, the outer one stays once the outer block ends well."""
    order = create(office, clock)
    with atomic_storing_files():
        kept = work_order_attach(
            order_id=order.pk, by=office.receptionist, now=clock.now(), upload=photo("blue")
        )
        with refused("desk_workorderevent"), pytest.raises(DatabaseError, match=REFUSED):
            work_order_attach(
                order_id=order.pk, by=office.receptionist, now=clock.now(), upload=photo()
            )
    assert files(media) == [Path(kept.file.path)]
    assert list(Attachment.objects.all()) == [kept]


def test_a_file_is_never_stored_outside_such_a_transaction(office, clock, media) -> None:
    order = create(office, clock)
    checked, _problems = upload_check(photo(), frozenset({"image/png"}))
    assert checked is not None
    attachment = Attachment(order=order, uploaded_at=clock.now())
    with pytest.raises(RuntimeError, match="atomic_storing_files"):
        stored_file_save(attachment.file, checked)
    assert files(media) == []
