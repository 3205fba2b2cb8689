"""An office without integration imports its PBX's call log (FD-1), as the household import
does: one bad row imports nothing and names the row; the same file twice adds nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from propdesk.calls.csvlog import call_log_import
from propdesk.calls.models import Call, CallEvent, CallState, Extension
from propdesk.clocks.models import Clock
from propdesk.core.errors import Forbidden

NOW = datetime.fromisoformat("2026-11-26T10:00:00+08:00")
HEADER = "通话编号,主叫号码,线路,接听分机,振铃时间,接听时间,结束时间\n"
GOOD = (
    HEADER
    + "a1,13812345678,88881234,801,2026-11-26 09:00:00,2026-11-26 09:00:15,2026-11-26 09:03:00\n"
    + "a2,13900000000,88881234,801,2026-11-26 09:10:00,2026-11-26 09:10:16,2026-11-26 09:12:00\n"
    + "a3,13812345678,88881234,,2026-11-26 09:20:00,,2026-11-26 09:20:40\n"
)


def imp(office, text: str, user=None, name: str = "log.csv"):  # type: ignore[no-untyped-def]
    return call_log_import(
        community=office.community,
        by=user or office.receptionist,
        now=NOW,
        data=text.encode("utf-8"),
        filename=name,
    )


def test_fd1_a_call_log_imports_each_call_with_its_ring_time(office, clock) -> None:  # type: ignore[no-untyped-def]
    Extension.objects.create(community=office.community, number="801", user=office.receptionist)
    report = imp(office, GOOD)
    assert (report.ok, report.imported, report.skipped) == (True, 3, 0)
    calls = {c.call_id: c for c in Call.objects.all()}
    assert (calls["a1"].ring_ms, calls["a1"].answered_by) == (15_000, office.receptionist)
    assert calls["a2"].ring_ms == 16_000
    assert calls["a3"].state == CallState.MISSED
    assert Clock.objects.filter(rule_id="FD-1-callback", subject="phone:13812345678").count() == 1


def test_a_call_log_imported_twice_adds_nothing(office, clock) -> None:  # type: ignore[no-untyped-def]
    imp(office, GOOD)
    events = CallEvent.objects.count()
    report = imp(office, GOOD)
    assert (report.ok, report.imported, report.skipped) == (True, 0, 3)
    assert CallEvent.objects.count() == events


def test_one_bad_row_imports_nothing_and_names_the_row(office, clock) -> None:  # type: ignore[no-untyped-def]
    text = GOOD + "a4,13812345678,88881234,,2026-11-26 9点,,\n"
    report = imp(office, text)
    assert not report.ok
    assert [e.row for e in report.errors] == [5]
    assert "振铃时间" in report.errors[0].message
    assert not Call.objects.exists() and not CallEvent.objects.exists()


def test_every_bad_row_is_named(office, clock) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER
        + "b1,12,,,2026-11-26 09:00:00,,\n"
        + "b2,13812345678,,,2026-11-26 09:00:00,2026-11-26 08:59:00,\n"
        + "b2,13812345678,,,2026-11-26 09:05:00,,\n"
        + ",13812345678,,,,,\n"
    )
    report = imp(office, text)
    assert [e.row for e in report.errors] == [2, 3, 4, 5]
    assert not Call.objects.exists()


def test_a_file_without_the_columns_is_refused(office, clock) -> None:  # type: ignore[no-untyped-def]
    report = imp(office, "房号,姓名\n3-2-1502,张伟\n")
    assert [e.row for e in report.errors] == [1]
    assert imp(office, GOOD, name="log.xlsx").errors
    assert not Call.objects.exists()


def test_only_the_office_imports_call_logs(office, clock) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Forbidden):
        imp(office, GOOD, user=office.repair_member)
    assert not Call.objects.exists()


def test_the_calls_page_imports_and_names_the_bad_row(office, clock) -> None:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(office.receptionist)
    url = f"/desk/{office.community.pk}/calls/"
    bad = GOOD + "a4,13812345678,88881234,,not a time,,\n"
    r = c.post(url, {"file": SimpleUploadedFile("log.csv", bad.encode())})
    assert r.status_code == 400
    assert "not a time" in r.content.decode()
    assert not Call.objects.exists()
    r = c.post(url, {"file": SimpleUploadedFile("log.csv", GOOD.encode())})
    assert r.status_code == 302
    assert Call.objects.count() == 3
    page = c.get(url, {"day": "2026-11-26"}).content.decode()
    assert "13812345678" in page and "16.0" in page


def test_the_command_imports_and_refuses_a_bad_file(office, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "log.csv"
    path.write_text(GOOD + "a4,1,,,x,,\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_calls",
            str(path),
            community=office.community.code,
            user=office.receptionist.username,
        )
    assert not Call.objects.exists()
    path.write_text(GOOD, encoding="gb18030")
    call_command(
        "import_calls",
        str(path),
        community=office.community.code,
        user=office.receptionist.username,
    )
    assert Call.objects.count() == 3
