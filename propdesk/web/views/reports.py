"""The monthly report (服务质量月报) of one community: the target table, the charts (inline SVG)
and the lists, a month picker, and the PDF and Excel files; and leadership's side-by-side view of
its communities."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from propdesk.community.models import Community, User
from propdesk.core.errors import Forbidden
from propdesk.policy.workflow import Role
from propdesk.reports.charts import percent_bars_svg, trend_svg
from propdesk.reports.exports import (
    PDF_LANGUAGE,
    number,
    report_lists,
    report_pdf,
    report_xlsx,
    sample_text,
    status_label,
    target_text,
)
from propdesk.reports.selectors import MonthlyReport, leadership_comparison, monthly_report
from propdesk.web.views._common import Desk, console, forbidden, now

REPORT_ROLES = (Role.OFFICE_HEAD, Role.ADMINISTRATOR, Role.LEADERSHIP)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_month(raw: str | None, default: datetime) -> tuple[int, int] | None:
    """``YYYY-MM`` as (year, month); ``default``'s month when empty; None when malformed."""
    if not raw:
        return default.year, default.month
    try:
        year, month = (int(x) for x in raw.split("-"))
    except ValueError:
        return None
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    return year, month


def month_or_why(raw: str | None, today: datetime) -> tuple[tuple[int, int], str]:
    """The month asked for, or this month with why not: malformed (``2026-13``), or one there is
    no report of (before 2000, or after this month: ``2030-01`` drew an empty report)."""
    this = (today.year, today.month)
    ym = parse_month(raw, today)
    if ym is None:
        return this, _("Use a month like 2026-11; showing this month.")
    if not (2000, 1) <= ym <= this:
        return this, _(
            "There is no report for %(month)s: months from 2000-01 to this one; showing this month."
        ) % {"month": f"{ym[0]:04d}-{ym[1]:02d}"}
    return ym, ""


def _local_now(community: Community) -> datetime:
    return now().astimezone(ZoneInfo(community.time_zone))  # type: ignore[no-any-return]


def _month_of(request: HttpRequest, community: Community) -> tuple[tuple[int, int], str]:
    return month_or_why(request.GET.get("month"), _local_now(community))


def _rows(report: MonthlyReport, lines: object) -> list[dict[str, object]]:
    return [
        {
            "line": ln,
            "target": target_text(ln),
            "figure": number(ln.figure, ln.unit),
            "sample": sample_text(ln),
            "status": status_label(ln.status),
        }
        for ln in lines  # type: ignore[attr-defined]
    ]


def _neighbours(year: int, month: int, today: datetime) -> tuple[str, str]:
    """The months before and after (YYYY-MM); no next month when it has not begun on ``today``
    (the community's local date): no arrow to an empty future."""
    prev = (year - 1, 12) if month == 1 else (year, month - 1)
    nxt = (year + 1, 1) if month == 12 else (year, month + 1)
    after = f"{nxt[0]:04d}-{nxt[1]:02d}"
    if after > f"{today.year:04d}-{today.month:02d}":
        after = ""
    return f"{prev[0]:04d}-{prev[1]:02d}", after


@console(*REPORT_ROLES)
def report_view(request: HttpRequest, desk: Desk) -> HttpResponse:
    (year, month), error = _month_of(request, desk.community)
    report = monthly_report(desk.community, year, month, now=now(), viewer=desk.user)
    prev, nxt = _neighbours(year, month, now().astimezone(ZoneInfo(desk.community.time_zone)))
    ctx = {
        "desk": desk,
        "nav_active": "report",
        "title": report.title,
        "report": report,
        "error": error,
        "month_value": report.month_label,
        "prev_month": prev,
        "next_month": nxt,
        "target_rows": _rows(report, report.target_lines),
        "time_rows": _rows(report, report.time_lines),
        "bars_svg": percent_bars_svg(report.lines),
        "trend_svg": trend_svg(
            report.trend,
            rate_target=report.satisfaction.rate_target,
            degree_target=report.satisfaction.degree_target,
        ),
        "lists": report_lists(report),
    }
    return render(request, "web/report.html", ctx)


def _file_report(request: HttpRequest, desk: Desk) -> MonthlyReport:
    (year, month), _error = _month_of(request, desk.community)
    with translation.override(PDF_LANGUAGE):
        return monthly_report(desk.community, year, month, now=now(), viewer=desk.user)


@console(*REPORT_ROLES)
def report_pdf_view(request: HttpRequest, desk: Desk) -> HttpResponse:
    report = _file_report(request, desk)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    name = f"report-{desk.community.code}-{report.month_label}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@console(*REPORT_ROLES)
def report_xlsx_view(request: HttpRequest, desk: Desk) -> HttpResponse:
    report = _file_report(request, desk)
    response = HttpResponse(report_xlsx(report), content_type=XLSX)
    name = f"report-{desk.community.code}-{report.month_label}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def compare_view(request: HttpRequest) -> HttpResponse:
    """Company leadership (or a superuser): every community side by side for one month."""
    user: User = request.user  # type: ignore[assignment]
    at = now()
    (year, month), error = month_or_why(
        request.GET.get("month"), at.astimezone(ZoneInfo("Asia/Shanghai"))
    )
    try:
        rows = leadership_comparison(user, year, month, now=at)
    except Forbidden as exc:
        return forbidden(request, exc.message)
    prev, nxt = _neighbours(year, month, at.astimezone(ZoneInfo("Asia/Shanghai")))
    return render(
        request,
        "web/report_compare.html",
        {
            "title": _("Communities compared"),
            "nav_active": "compare",
            "rows": rows,
            "error": error,
            "month_value": f"{year:04d}-{month:02d}",
            "year": year,
            "month": month,
            "prev_month": prev,
            "next_month": nxt,
        },
    )
