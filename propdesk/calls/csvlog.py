"""An office without integration imports its phone system's call log as CSV (FD-1), with the
household import's habits: every row is checked first; one bad row imports nothing, and the
report names each bad row as Excel shows it (the header is row 1).

Columns (Chinese or English headers, any order; others ignored):
通话编号/call_id, 主叫号码/caller, 线路/line, 接听分机/extension, 振铃时间/ringing_at,
接听时间/answered_at, 结束时间/ended_at. Times are local to the community (2026-11-30 09:00:05)
or ISO 8601 with an offset. A row without 接听时间 is a missed call. A call already imported is
skipped, so importing the same file twice adds nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.calls.models import Call, EventKind
from propdesk.calls.services import CallEventInput, call_event_errors, call_event_record
from propdesk.community.access import has_role
from propdesk.community.models import Community, User
from propdesk.core.errors import Forbidden
from propdesk.policy.workflow import OFFICE_ROLES

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
SOURCE = "csv"

COLUMNS: dict[str, tuple[str, ...]] = {
    "call_id": ("通话编号", "call_id"),
    "phone": ("主叫号码", "caller"),
    "line": ("线路", "line"),
    "extension": ("接听分机", "extension"),
    "ringing_at": ("振铃时间", "ringing_at"),
    "answered_at": ("接听时间", "answered_at"),
    "ended_at": ("结束时间", "ended_at"),
}
REQUIRED = ("call_id", "ringing_at")


@dataclass(frozen=True)
class RowError:
    row: int | None
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row} if self.row is not None else _("File")
        return f"{where}：{self.message}"


@dataclass
class CallImportReport:
    rows: int = 0
    imported: int = 0
    skipped: int = 0  # already imported
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError


def _time(text: str, zone: ZoneInfo) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone)
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(text) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


@dataclass(frozen=True)
class _Row:
    number: int
    events: list[CallEventInput]
    call_id: str


def _read(data: bytes, community: Community) -> tuple[list[_Row], list[RowError]]:
    try:
        text = _decode(data)
    except ValueError:
        return [], [RowError(None, _("The file is not text (UTF-8 or GB18030) CSV."))]
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [RowError(None, _("The file has no rows to import."))]
    names = [h.strip() for h in header]
    index: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases or name.lower() in aliases:
                index[key] = i
                break
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in index]
    if missing:
        return [], [
            RowError(
                1, _("The header lacks the column %(columns)s.") % {"columns": "、".join(missing)}
            )
        ]
    zone = ZoneInfo(community.time_zone)
    rows: list[_Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(
                RowError(number, _("More than %(n)d rows: import in parts.") % {"n": MAX_ROWS})
            )
            break

        def cell(key: str, cells: list[str] = cells) -> str:
            i = index.get(key)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        problems: list[str] = []
        times: dict[str, datetime | None] = {}
        for key in ("ringing_at", "answered_at", "ended_at"):
            try:
                times[key] = _time(cell(key), zone)
            except ValueError:
                times[key] = None
                problems.append(
                    _("%(column)s is not a time: %(text)s")
                    % {"column": COLUMNS[key][0], "text": cell(key)}
                )
        ringing, answered, ended = times["ringing_at"], times["answered_at"], times["ended_at"]
        if ringing is None and not cell("ringing_at"):
            problems.append(_("%(column)s is empty.") % {"column": COLUMNS["ringing_at"][0]})
        if ringing and answered and answered < ringing:
            problems.append(_("The call was answered before it rang."))
        if ringing and ended and ended < (answered or ringing):
            problems.append(_("The call ended before it rang or was answered."))
        call_id = cell("call_id")
        if call_id in seen:
            problems.append(
                _("The call %(id)s is also on row %(row)d.") % {"id": call_id, "row": seen[call_id]}
            )
        seen.setdefault(call_id, number)
        events: list[CallEventInput] = []
        if ringing is not None:
            base = {"call_id": call_id, "phone": cell("phone"), "line": cell("line")}
            events.append(
                CallEventInput(
                    event_id=f"csv:{call_id}:ringing", kind=EventKind.RINGING, at=ringing, **base
                )
            )
            if answered is not None:
                events.append(
                    CallEventInput(
                        event_id=f"csv:{call_id}:answered",
                        kind=EventKind.ANSWERED,
                        at=answered,
                        extension=cell("extension"),
                        **base,
                    )
                )
                if ended is not None:
                    events.append(
                        CallEventInput(
                            event_id=f"csv:{call_id}:ended", kind=EventKind.ENDED, at=ended, **base
                        )
                    )
            else:
                events.append(
                    CallEventInput(
                        event_id=f"csv:{call_id}:missed",
                        kind=EventKind.MISSED,
                        at=ended or ringing,
                        **base,
                    )
                )
            for ev in events[:1] + events[1:2]:
                problems.extend(
                    m for msgs in call_event_errors(community, ev).values() for m in msgs
                )
        if problems:
            errors.append(RowError(number, " ".join(dict.fromkeys(problems))))
        else:
            rows.append(_Row(number, events, call_id))
    return rows, errors


def call_log_import(
    *, community: Community, by: User, now: datetime, data: bytes, filename: str = ""
) -> CallImportReport:
    """Import a call log (CSV bytes) into ``community``: all or nothing. Bad input never raises:
    the report lists every bad row with its number. Raises Forbidden when ``by`` is not office
    staff of ``community``."""
    if not has_role(by, community.pk, OFFICE_ROLES):
        raise Forbidden(_("Only the office imports call logs."))
    report = CallImportReport()
    if filename and not filename.lower().endswith(".csv"):
        report.errors.append(
            RowError(None, _("Only .csv files can be imported: %(name)s") % {"name": filename})
        )
        return report
    if not data:
        report.errors.append(RowError(None, _("The file is empty: %(name)s") % {"name": filename}))
        return report
    if len(data) > MAX_BYTES:
        report.errors.append(RowError(None, _("The file is larger than 5 MB: import it in parts.")))
        return report
    rows, errors = _read(data, community)
    report.rows = len(rows) + len(errors)
    if errors:
        report.errors = errors
        return report
    if not rows:
        report.errors.append(RowError(None, _("The file has no rows to import.")))
        return report
    known = set(
        Call.objects.filter(community=community, call_id__in=[r.call_id for r in rows]).values_list(
            "call_id", flat=True
        )
    )
    with transaction.atomic():
        for row in rows:
            if row.call_id in known:
                report.skipped += 1
                continue
            for event in row.events:
                call_event_record(community=community, data=event, source=SOURCE, now=now)
            report.imported += 1
    return report
