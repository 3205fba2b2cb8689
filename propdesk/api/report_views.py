"""The monthly report (服务质量月报) of one community in JSON, PDF or Excel, and leadership's
side-by-side comparison. Another community answers 404 like a missing one; a role that may not
read reports (only the office head, administrators and company leadership do) 403."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propdesk.api import report_serializers as rs
from propdesk.community.models import Community, User
from propdesk.core.clock import get_clock
from propdesk.reports.exports import PDF_LANGUAGE, report_pdf, report_xlsx
from propdesk.reports.selectors import (
    MonthlyReport,
    leadership_comparison,
    monthly_report,
    report_community,
    report_json,
)

COMMUNITY = OpenApiParameter("community", int, required=True)
MONTH = OpenApiParameter(
    "month", str, required=True, description="YYYY-MM, the community's local month"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(request: Request) -> tuple[int, int]:
    raw = request.query_params.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError as exc:
        raise ValidationError({"month": ["Use YYYY-MM, e.g. 2026-11."]}) from exc
    return year, month


def _community(request: Request) -> Community:
    raw = request.query_params.get("community", "")
    if not raw:
        raise ValidationError({"community": ["Required."]})
    if not raw.isdigit():
        raise ValidationError({"community": ["Must be a whole number."]})
    return report_community(request.user, int(raw))  # type: ignore[arg-type]


def _report(request: Request) -> MonthlyReport:
    community = _community(request)
    year, month = _month(request)
    return monthly_report(
        community,
        year,
        month,
        now=get_clock().now(),
        viewer=request.user,  # type: ignore[arg-type]
    )


@extend_schema(
    parameters=[COMMUNITY, MONTH],
    responses={200: rs.MonthlyReportOut},
    summary="The monthly report: every target beside the month's figure, with the lists",
)
class MonthlyReportView(APIView):
    def get(self, request: Request) -> Response:
        return Response(rs.MonthlyReportOut(report_json(_report(request))).data)


@extend_schema(
    parameters=[COMMUNITY, MONTH],
    responses={(200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY)},
    summary="The monthly report as an A4 PDF in Chinese",
)
class MonthlyReportPdfView(APIView):
    def get(self, request: Request) -> HttpResponse:
        with translation.override(PDF_LANGUAGE):
            report = _report(request)
        response = HttpResponse(report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="report-{report.community_id}-{report.month_label}.pdf"'
        )
        return response


@extend_schema(
    parameters=[COMMUNITY, MONTH],
    responses={(200, XLSX): OpenApiResponse(response=OpenApiTypes.BINARY)},
    summary="The monthly report as an Excel workbook (summary, one sheet per list, trend)",
)
class MonthlyReportXlsxView(APIView):
    def get(self, request: Request) -> HttpResponse:
        with translation.override(PDF_LANGUAGE):
            report = _report(request)
        response = HttpResponse(report_xlsx(report), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="report-{report.community_id}-{report.month_label}.xlsx"'
        )
        return response


@extend_schema(
    parameters=[MONTH],
    responses={200: rs.ComparisonOut},
    summary="Company leadership: the headline figures of every community side by side",
)
class ComparisonView(APIView):
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        year, month = _month(request)
        rows = leadership_comparison(user, year, month, now=get_clock().now())
        body = {
            "month": f"{year:04d}-{month:02d}",
            "communities": [{**r.__dict__, "missed": r.missed} for r in rows],
        }
        return Response(rs.ComparisonOut(body).data)
