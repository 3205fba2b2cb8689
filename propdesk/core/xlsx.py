"""Every workbook the product writes puts its cells through ``safe_cell``: text that a
spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return) is
written as text, with Excel's quote prefix so that editing the cell does not turn it into a
formula either (CSV/formula injection, CWE-1236: a HYPERLINK can send cell contents away).
Numbers, dates and empty cells stay what they are."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not at start-up
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would take as a formula; never for numbers."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(sheet: Worksheet | WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` for ``sheet.append``: itself, or, for formula-like text, a cell of ``sheet``
    that holds it as text (type "s", quote prefix). Works for ordinary and write-only sheets."""
    if not is_formula_like(value):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append`` with every value through ``safe_cell``."""
    return [safe_cell(sheet, v) for v in values]
