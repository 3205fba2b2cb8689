"""The household register as a table: reading and writing .xlsx and .csv files.

One sheet (or file), one row per resident, Chinese column headers (``COLUMNS``). This module knows
file formats only: it turns bytes into rows of text keyed by header, and rows of text back into
bytes. What a row means (room numbers, phones, relations) is checked by
``propdesk.community.services.household_import``.

Row numbers are the ones the user sees in Excel: the header is row 1, the first data row row 2.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from propdesk.core.xlsx import is_formula_like, safe_cell

if TYPE_CHECKING:
    from propdesk.community.selectors import HouseholdExportRow

ROOM = "房号"
AREA = "面积"
NAME = "姓名"
RELATION = "身份"
PHONE = "电话"
NOTE = "备注"
COLUMNS: tuple[str, ...] = (ROOM, AREA, NAME, RELATION, PHONE, NOTE)

# Resident.relation values by the word the office writes in the 身份 column.
RELATION_BY_LABEL: dict[str, str] = {"业主": "owner", "租户": "tenant", "家属": "family"}
LABEL_BY_RELATION: dict[str, str] = {v: k for k, v in RELATION_BY_LABEL.items()}

FORMATS = ("xlsx", "csv")
MAX_BYTES = 5 * 1024 * 1024  # a register of ~50,000 residents is far below this
MAX_ROWS = 20_000  # data rows; more is almost surely the wrong file, or should be split
_MAX_COLUMNS = 30  # cells read per row: extra columns beyond this are ignored
_HEADER_SEARCH_ROWS = 10  # a title line or two above the header is tolerated

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003) and other OLE files
# "面积（㎡）", "面积(m²)": a unit in brackets after the header is allowed.
_HEADER_SUFFIX = re.compile(r"\s*[(（\[【].*[)）\]】]\s*$")


class TabularError(ValueError):
    """The file as a whole cannot be read: wrong type, too large, unreadable, no header row.

    ``row`` is the row the problem is on when there is one (a bad header), else ``None``.
    """

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row


@dataclass(frozen=True)
class SheetRow:
    """One data row: ``number`` as Excel shows it, ``cells`` header → stripped text ("" = empty).

    Every header of ``COLUMNS`` is a key of ``cells``; columns the file lacks are "".
    """

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def file_format(filename: str) -> str:
    """``"xlsx"`` or ``"csv"`` from the file name. Raises TabularError for anything else."""
    suffix = PurePath(filename or "").suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    if suffix in {"xls", "et", "wps"}:
        raise TabularError(
            _("Old .xls files are not supported: in Excel, “Save As” .xlsx and import again.")
        )
    raise TabularError(
        _("Only .xlsx or .csv files can be imported: %(name)s") % {"name": filename or "?"}
    )


def read_upload(file: BinaryIO | bytes, *, filename: str, max_bytes: int | None = None) -> bytes:
    """The file's bytes, refusing more than ``max_bytes`` (default MAX_BYTES); at most one byte
    past the limit is read."""
    max_bytes = max_bytes or MAX_BYTES
    if isinstance(file, bytes):
        data = file
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TabularError(
            _("The file is larger than %(size)s: import it in parts.") % {"size": _size(max_bytes)}
        )
    if not data:
        raise TabularError(_("The file is empty: %(name)s") % {"name": filename})
    return data


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.3g} MB" if n >= 1024 * 1024 else f"{n / 1024:.3g} KB"


def read_rows(
    file: BinaryIO | bytes, *, filename: str, max_bytes: int | None = None
) -> list[SheetRow]:
    """Read the first sheet of an .xlsx, or a .csv, into data rows; blank rows are skipped.

    The format comes from the file name and is checked against the content. A .csv may be UTF-8
    (with or without BOM) or GB18030 (what Chinese Excel writes). The header row is the first of
    the top rows that has a 房号 column; unknown columns are ignored. Raises TabularError.
    """
    fmt = file_format(filename)
    data = read_upload(file, filename=filename, max_bytes=max_bytes)
    if fmt == "xlsx":
        if data.startswith(_OLE_MAGIC):
            raise TabularError(
                _(
                    "This is an old .xls file (only its extension was changed): in Excel, “Save "
                    "As” .xlsx and import again."
                )
            )
        if not data.startswith(_XLSX_MAGIC):
            raise TabularError(
                _("The file's content is not Excel .xlsx: %(name)s") % {"name": filename}
            )
        raw = _xlsx_rows(data)
    else:
        if data.startswith(_XLSX_MAGIC) or data.startswith(_OLE_MAGIC):
            raise TabularError(
                _(
                    "The file's content is an Excel workbook, not CSV: give it the .xlsx "
                    "extension: %(name)s"
                )
                % {"name": filename}
            )
        raw = _csv_rows(data)
    return _to_sheet_rows(raw)


def check_unpacked_size(data: bytes) -> None:
    """Refuse (TabularError) an .xlsx whose zip members would unpack to more than
    settings.IMPORT_MAX_UNPACKED_BYTES in all, or that has more than
    settings.IMPORT_MAX_ZIP_MEMBERS members, before anything is decompressed. The sizes are
    those the zip declares: Python's zipfile never unpacks a member past its declared size (and
    fails its CRC check if the data says otherwise), so they bound what openpyxl can read."""
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TabularError(
            _("This Excel file cannot be read; it may be damaged: %(e)s") % {"e": exc}
        ) from exc
    if len(members) > settings.IMPORT_MAX_ZIP_MEMBERS:
        raise TabularError(
            _("This Excel file holds %(n)d parts, more than the %(max)d a workbook needs.")
            % {"n": len(members), "max": settings.IMPORT_MAX_ZIP_MEMBERS}
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > limit:
        raise TabularError(
            _(
                "This Excel file would unpack to %(size)s, more than the %(limit)s allowed "
                "(a compressed bomb, or far too big a register): nothing was imported."
            )
            % {"size": _size(unpacked), "limit": _size(limit)}
        )


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a damaged or foreign zip
        raise TabularError(
            _("This Excel file cannot be read; it may be damaged: %(e)s") % {"e": exc}
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TabularError(_("The Excel file has no worksheet."))
        rows = sheet.iter_rows(min_row=1, max_col=_MAX_COLUMNS, values_only=True)
        for number, values in enumerate(rows, start=1):
            yield number, [cell_text(v) for v in values]
    except TabularError:
        raise
    except Exception as exc:  # a damaged sheet part fails only when its rows are read
        raise TabularError(
            _("This Excel file cannot be read; it may be damaged: %(e)s") % {"e": exc}
        ) from exc
    finally:
        workbook.close()


def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularError(
        _("The CSV file's encoding is not recognised: save it as “CSV UTF-8” and import again.")
    )


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode_csv(data)
    top = text.split("\n", _HEADER_SEARCH_ROWS)[:_HEADER_SEARCH_ROWS]
    header = next((line for line in top if ROOM in line), top[0])
    # Excel writes commas; its "Unicode text" is tab-separated. csv.Sniffer guesses wrong on
    # one-column files, so decide from the header line alone.
    delimiter = "\t" if "\t" in header and "," not in header else ","
    # A quoted cell may hold a line break; Excel still shows such a record as one row.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, [_csv_unquote(v.strip()) for v in values[:_MAX_COLUMNS]]
    except csv.Error as exc:
        raise TabularError(
            _("Row %(row)s of the CSV file is malformed: %(e)s")
            % {"row": reader.line_num, "e": exc},
            row=reader.line_num,
        ) from exc


def cell_text(value: object) -> str:
    """A cell's value as the text the user typed.

    Excel stores numbers as floats: 13812345678 (a phone typed as a number) and 89.5 come back
    as ``"13812345678"`` and ``"89.5"``, never ``"13812345678.0"`` or ``"1.38e10"``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = round(value, 9)  # 89.50000000000001 from a formula is 89.5
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() else f"{value:%Y-%m-%d}"
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def _header_name(text: str) -> str:
    return _HEADER_SUFFIX.sub("", text.replace("\u3000", " ").strip()).replace(" ", "")


def _to_sheet_rows(raw: Iterable[tuple[int, list[str]]]) -> list[SheetRow]:
    columns: dict[int, str] | None = None
    rows: list[SheetRow] = []
    for number, values in raw:
        if columns is None:
            names = [_header_name(v) for v in values]
            if ROOM not in names:
                if number >= _HEADER_SEARCH_ROWS:
                    break
                continue
            columns = {}
            for index, name in enumerate(names):
                if name not in COLUMNS:
                    continue
                if name in columns.values():
                    raise TabularError(
                        _("The header names the column “%(col)s” twice.") % {"col": name},
                        row=number,
                    )
                columns[index] = name
            continue
        cells = dict.fromkeys(COLUMNS, "")
        for index, name in columns.items():
            if index < len(values):
                cells[name] = values[index]
        if not any(cells.values()):  # blank, or only notes in columns we do not read
            continue
        if len(rows) >= MAX_ROWS:
            raise TabularError(
                _("The file has more than %(n)s rows of data: import it in parts.")
                % {"n": MAX_ROWS},
                row=number,
            )
        rows.append(SheetRow(number=number, cells=cells))
    if columns is None:
        raise TabularError(
            _("No header found: row 1 should name the columns %(cols)s (at least “room number”).")
            % {"cols": "、".join(COLUMNS)},
            row=1,
        )
    return rows


# --- writing ------------------------------------------------------------------------------------

Cell = str | Decimal | None


def write_rows(rows: Iterable[Sequence[Cell]], *, fmt: str) -> bytes:
    """The header and ``rows`` (in ``COLUMNS`` order) as an .xlsx or a .csv file.

    The .csv is UTF-8 with a BOM so that Excel opens it with the Chinese intact. In the .xlsx,
    text columns are formatted as text so that phones and room numbers edited in Excel stay text.
    """
    if fmt == "xlsx":
        return _write_xlsx(rows)
    if fmt == "csv":
        return _write_csv(rows)
    raise ValueError(f"unknown format {fmt!r}")


def household_file(rows: Iterable[HouseholdExportRow], *, fmt: str) -> bytes:
    """The exported register as a file that ``read_rows`` and the import take back unchanged."""
    return write_rows(
        (
            (
                row.code,
                row.area,
                row.name,
                LABEL_BY_RELATION.get(row.relation, row.relation),
                row.phone,
                row.note,
            )
            for row in rows
        ),
        fmt=fmt,
    )


def _write_csv(rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else _csv_safe(cell_text(v)) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_safe(text: str) -> str:
    """Text Excel would run as a formula (=, +, -, @ first) gets a leading apostrophe, which
    Excel shows and ``read_rows`` takes off again (CSV injection, CWE-1236)."""
    return f"'{text}" if is_formula_like(text) else text


def _csv_unquote(text: str) -> str:
    return text[1:] if text.startswith("'") and is_formula_like(text[1:]) else text


def _write_xlsx(rows: Iterable[Sequence[Cell]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import Cell as OpenpyxlCell
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("住户")
    widths = {ROOM: 12, AREA: 10, NAME: 12, RELATION: 8, PHONE: 20, NOTE: 30}
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths[column]
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(COLUMNS, row, strict=True):
            safe = safe_cell(sheet, value)  # "=…" as text, never a formula
            cell = safe if isinstance(safe, OpenpyxlCell) else WriteOnlyCell(sheet, value=value)
            if column != AREA:
                cell.number_format = "@"  # text: "13812345678" must not become 1.38E+10
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
