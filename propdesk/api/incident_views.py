"""The emergencies API (EM-1 to EM-3): log an emergency, see it with its responders and the time
left on their clocks, acknowledge, check in on site, resolve; the incident report, its approval
and its PDF. Another community's emergency answers 404 like a missing one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propdesk.api import incident_serializers as si
from propdesk.api.params import int_param as _int_param
from propdesk.api.refs import household_ref
from propdesk.community import selectors as reg
from propdesk.community.models import User
from propdesk.core.clock import get_clock
from propdesk.incidents import reports, selectors, services
from propdesk.incidents.models import Emergency
from propdesk.incidents.pdf import incident_report_pdf


@extend_schema(
    parameters=[OpenApiParameter("community", int, required=True)],
    responses={200: si.EmergencyKindOut(many=True)},
    summary="The kinds of emergency of a community's policy, for the one-screen form",
)
class EmergencyKindsView(APIView):
    def get(self, request: Request) -> Response:
        community_id = _int_param(request, "community")
        if community_id is None:
            raise ValidationError({"community": ["Required."]})
        community = reg.access_community(request.user, community_id)  # type: ignore[arg-type]
        kinds = services.emergency_policy(community).kinds
        rows = [
            {"code": code, "title": k.title, "departments": k.departments}
            for code, k in kinds.items()
        ]
        return Response(si.EmergencyKindOut(rows, many=True).data)


@extend_schema(parameters=[OpenApiParameter("community", int), OpenApiParameter("open", bool)])
class EmergencyViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = si.EmergencyOut
    queryset = Emergency.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Emergency]:
        return selectors.emergency_list(
            self.request.user,  # type: ignore[arg-type]
            community_id=_int_param(self.request, "community"),
            open_only=self.request.query_params.get("open", "").lower() in {"1", "true", "yes"},
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": get_clock().now()}

    def _detail(self, request: Request, emergency_id: int, code: int = 200) -> Response:
        emergency = selectors.access_emergency(request.user, emergency_id)  # type: ignore[arg-type]
        body = si.EmergencyOut(emergency, context=self.get_serializer_context()).data
        return Response(body, status=code)

    @extend_schema(responses={200: si.EmergencyOut})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(request, kwargs["pk"])

    @extend_schema(
        request=si.EmergencyCreateIn,
        responses={
            201: si.EmergencyOut,
            200: OpenApiResponse(si.EmergencyOut, description="Merged into the open one"),
        },
        summary="EM-1: log an emergency; the office head and the on-duty staff are told at once",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        data_in = si.EmergencyCreateIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        community = reg.access_community(user, v["community"])
        household = household_ref(user, v["household"])
        emergency = services.emergency_log(
            community=community,
            by=user,
            now=get_clock().now(),
            kind=v["kind"],
            location=v["location"],
            description=v["description"],
            household=household,
            caller_name=v["caller_name"],
            caller_phone=v["caller_phone"],
            duplicate=v["duplicate"],
        )
        code = status.HTTP_200_OK if emergency.merged else status.HTTP_201_CREATED
        return self._detail(request, emergency.pk, code)

    @extend_schema(request=None, responses={200: si.EmergencyOut}, summary="I have seen the alert")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        emergency = selectors.access_emergency(request.user, pk or "")  # type: ignore[arg-type]
        services.emergency_acknowledge(
            emergency_id=emergency.pk,
            by=request.user,  # type: ignore[arg-type]
            now=get_clock().now(),
        )
        return self._detail(request, emergency.pk)

    @extend_schema(request=None, responses={200: si.EmergencyOut}, summary="EM-2: I am on site")
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        emergency = selectors.access_emergency(request.user, pk or "")  # type: ignore[arg-type]
        services.emergency_check_in(
            emergency_id=emergency.pk,
            by=request.user,  # type: ignore[arg-type]
            now=get_clock().now(),
        )
        return self._detail(request, emergency.pk)

    @extend_schema(request=si.ResolveIn, responses={200: si.EmergencyOut})
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        emergency = selectors.access_emergency(request.user, pk or "")  # type: ignore[arg-type]
        data_in = si.ResolveIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        services.emergency_resolve(
            emergency_id=emergency.pk,
            by=request.user,  # type: ignore[arg-type]
            now=get_clock().now(),
            note=data_in.validated_data["note"],
        )
        return self._detail(request, emergency.pk)

    # --- the incident report (EM-3) ---

    def _report(self, request: Request, pk: str | None) -> Response:
        report = selectors.access_report(request.user, pk or "")  # type: ignore[arg-type]
        return Response(si.IncidentReportOut(report).data)

    @extend_schema(methods=["GET"], request=None, responses={200: si.IncidentReportOut})
    @extend_schema(
        methods=["PATCH"], request=si.IncidentReportIn, responses={200: si.IncidentReportOut}
    )
    @action(detail=True, methods=["get", "patch"])
    def report(self, request: Request, pk: str | None = None) -> Response:
        """The incident report with its pre-filled timeline; PATCH changes the draft."""
        if request.method == "PATCH":
            report = selectors.access_report(request.user, pk or "")  # type: ignore[arg-type]
            data_in = si.IncidentReportIn(data=request.data)
            data_in.is_valid(raise_exception=True)
            v = data_in.validated_data
            reports.incident_report_update(
                report_id=report.pk,
                by=request.user,  # type: ignore[arg-type]
                now=get_clock().now(),
                version=v["version"],
                cause_analysis=v.get("cause_analysis"),
                measures=v.get("measures"),
                losses=v.get("losses"),
                people_involved=v.get("people_involved"),
            )
        return self._report(request, pk)

    @extend_schema(
        request={"multipart/form-data": si.PhotoIn}, responses={201: si.IncidentReportOut}
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="report/photos",
        url_name="report-photos",
        parser_classes=[MultiPartParser, FormParser],
    )
    def report_photos(self, request: Request, pk: str | None = None) -> Response:
        report = selectors.access_report(request.user, pk or "")  # type: ignore[arg-type]
        data_in = si.PhotoIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        reports.incident_report_attach_photo(
            report_id=report.pk,
            by=request.user,  # type: ignore[arg-type]
            now=get_clock().now(),
            upload=data_in.validated_data["file"],
        )
        response = self._report(request, pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    def _decision(self, request: Request, pk: str | None, name: str) -> Response:
        report = selectors.access_report(request.user, pk or "")  # type: ignore[arg-type]
        data_in = si.DecisionIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        service = {
            "submit": reports.incident_report_submit,
            "approve": reports.incident_report_approve,
            "return": reports.incident_report_return,
        }[name]
        service(
            report_id=report.pk,
            by=request.user,  # type: ignore[arg-type]
            now=get_clock().now(),
            comment=data_in.validated_data["comment"],
        )
        return self._report(request, pk)

    @extend_schema(
        request=si.DecisionIn,
        responses={200: si.IncidentReportOut},
        summary="The office head submits the report to company leadership",
    )
    @action(detail=True, methods=["post"], url_path="report/submit", url_name="report-submit")
    def report_submit(self, request: Request, pk: str | None = None) -> Response:
        return self._decision(request, pk, "submit")

    @extend_schema(
        request=si.DecisionIn,
        responses={200: si.IncidentReportOut},
        summary="Company leadership approves: the report is filed, read-only",
    )
    @action(detail=True, methods=["post"], url_path="report/approve", url_name="report-approve")
    def report_approve(self, request: Request, pk: str | None = None) -> Response:
        return self._decision(request, pk, "approve")

    @extend_schema(
        request=si.DecisionIn,
        responses={200: si.IncidentReportOut},
        summary="Company leadership returns the report with comments",
    )
    @action(detail=True, methods=["post"], url_path="report/return", url_name="report-return")
    def report_return(self, request: Request, pk: str | None = None) -> Response:
        return self._decision(request, pk, "return")

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY)},
        summary="《突发事件处理表》 as a PDF (A4)",
    )
    @action(detail=True, methods=["get"], url_path="report/pdf", url_name="report-pdf")
    def report_pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        report = selectors.access_report(request.user, pk or "")  # type: ignore[arg-type]
        content = incident_report_pdf(report, viewer=request.user)  # type: ignore[arg-type]
        response = HttpResponse(content, content_type="application/pdf")
        name = f"incident-{report.emergency.order.number}.pdf"
        # Opens in the browser to print, like the other PDFs (the console links it in a new tab).
        response["Content-Disposition"] = f'inline; filename="{name}"'
        return response
