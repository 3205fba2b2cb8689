"""An imported .xlsx is a zip: one whose members would unpack past
settings.IMPORT_MAX_UNPACKED_BYTES (a zip bomb) is refused before openpyxl opens it, with a
Chinese error naming the problem, and nothing is imported."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from django.utils import translation

from propdesk.community import tabular
from propdesk.community.models import Household, Resident
from propdesk.community.services import household_import


def zip_bomb(unpacked: int) -> bytes:
    """A small .xlsx-looking zip whose sheet unpacks to ``unpacked`` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b" " * unpacked)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(office, clock, settings) -> None:
    assert settings.IMPORT_MAX_UNPACKED_BYTES == 20 * 1024 * 1024
    bomb = zip_bomb(200 * 1024 * 1024)
    assert len(bomb) < 300 * 1024  # ~200 KB on the wire, 200 MB unpacked
    before = (Household.objects.count(), Resident.objects.count())
    tracemalloc.start()
    with translation.override("zh-hans"):
        report = household_import(
            community=office.community,
            by=office.receptionist,
            now=clock.now(),
            file=bomb,
            filename="住户.xlsx",
        )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not report.ok
    [error] = report.errors
    assert "解压后" in error.message and "200 MB" in error.message and "20 MB" in error.message
    assert peak < 20 * 1024 * 1024  # never unpacked
    assert (Household.objects.count(), Resident.objects.count()) == before


def test_too_many_zip_members_are_refused(settings) -> None:
    settings.IMPORT_MAX_ZIP_MEMBERS = 10
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for i in range(11):
            z.writestr(f"xl/part{i}.xml", "<x/>")
    with pytest.raises(tabular.TabularError), translation.override("zh-hans"):
        tabular.read_rows(out.getvalue(), filename="x.xlsx")


def test_a_workbook_under_the_limit_still_reads(settings, office) -> None:
    data = tabular.write_rows([("3-2-1502", None, "张伟", "业主", "13812345678", "")], fmt="xlsx")
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    rows = tabular.read_rows(data, filename="x.xlsx")
    assert rows[0].cells["姓名"] == "张伟"
    settings.IMPORT_MAX_UNPACKED_BYTES = 100  # the same file over a smaller limit
    with pytest.raises(tabular.TabularError):
        tabular.read_rows(data, filename="x.xlsx")
