"""Every workbook the product writes puts its cells through ``safe_cell``: text that a
spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return) is
written as text, with Excel's quote prefix so that editing the cell does not turn it into a
formula either (CSV/formula injection, CWE-1236: a HYPERLINK can send cell contents away).
Numbers, dates and empty cells stay what they are.

A figure (``percent``, ``count``, ``money``) is a number with its number format: the workbook
cell holds the number (a percentage as its fraction, 0.833 shown as 83.3%), so that a spreadsheet
sums, sorts and charts it; ``str()`` of it is its text for paper and screen ("83.3%")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is imported when a workbook is written, not at start-up
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PERCENT = "0.0%"
COUNT = "0"
MONEY = "¥#,##0.00"
NO_DATA = "—"


@dataclass(frozen=True)
class Figure:
    """A number for a workbook cell (``value``, None for no data: an empty cell) with its
    ``number_format``, and ``text``, how paper and screen show it."""

    value: Decimal | int | None
    number_format: str
    text: str

    def __str__(self) -> str:
        return self.text


def percent(points: Decimal | int | None) -> Figure:
    """A percentage given in points (83.3 for 83.3%): the cell holds 0.833, formatted 0.0%."""
    if points is None:
        return Figure(None, PERCENT, NO_DATA)
    text = f"{Decimal(points):.1f}".rstrip("0").rstrip(".")
    return Figure(Decimal(points) / 100, PERCENT, f"{text}%")


def count(n: int | None) -> Figure:
    """A count (households, orders, days), formatted 0."""
    return Figure(n, COUNT, NO_DATA if n is None else str(n))


def money(yuan: Decimal | int | None) -> Figure:
    """An amount in yuan, formatted ¥#,##0.00."""
    if yuan is None:
        return Figure(None, MONEY, NO_DATA)
    return Figure(Decimal(yuan), MONEY, f"¥{Decimal(yuan):,.2f}")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would take as a formula; never for numbers."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(sheet: Worksheet | WriteOnlyWorksheet, value: Any) -> Any:
    """``value`` for ``sheet.append``: itself; for a Figure, a cell of ``sheet`` with its number
    and number format (empty for no data); for formula-like text, a cell that holds it as text
    (type "s", quote prefix). Works for ordinary and write-only sheets."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Figure):
        if value.value is None:
            return None
        figure = WriteOnlyCell(sheet, value=value.value)
        figure.number_format = value.number_format
        return figure
    if not is_formula_like(value):
        return value

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def safe_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for ``sheet.append`` with every value through ``safe_cell``."""
    return [safe_cell(sheet, v) for v in values]
