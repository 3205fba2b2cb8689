"""The follow-up API (RV-1 to RV-8, CP-2): return visits and today's call list, the
suggestions register and replies, common issues (with the product's proposals), notices (post
with a photo, A4 PDF, the board for the resident portal), home visits, dissatisfied orders, and
the monthly KPI figures for a company's own BI. Every list names its community; another
community answers 404 like a missing one, a role that may not see or do it 403."""

from __future__ import annotations

from dataclasses import asdict
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

from propdesk.api import followup_serializers as fs
from propdesk.api.params import choice_param
from propdesk.api.params import int_param as _int_param
from propdesk.api.refs import household_ref
from propdesk.community.access import phone_as_seen
from propdesk.community.models import Building, Community, User
from propdesk.core.clock import get_clock
from propdesk.core.errors import NotFound
from propdesk.core.replica import replica_reads
from propdesk.desk import selectors as desk
from propdesk.desk.models import WorkOrder
from propdesk.followup import selectors as sel
from propdesk.followup import services
from propdesk.followup.models import (
    CommonIssue,
    HomeVisit,
    Notice,
    Recovery,
    ReturnVisit,
    SuggestionItem,
    VisitKind,
)
from propdesk.followup.pdf import notice_pdf
from propdesk.followup.selectors import LevelFigures
from propdesk.policy.workflow import FIGURE_ROLES

COMMUNITY = OpenApiParameter("community", int, required=True)
MONTH = OpenApiParameter("month", str, description="YYYY-MM, the community's local month")


def _month(request: Request, *, required: bool) -> tuple[int, int] | None:
    raw = request.query_params.get("month", "")
    if not raw and not required:
        return None
    try:
        year, month = (int(x) for x in raw.split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError as exc:
        raise ValidationError({"month": ["Use YYYY-MM, e.g. 2026-11."]}) from exc
    return year, month


def _community(request: Request, roles: Any = sel.READ_ROLES, value: Any = None) -> Community:
    cid = value if value is not None else _int_param(request, "community")
    if cid is None:
        raise ValidationError({"community": ["Required."]})
    return sel.followup_community(request.user, cid, roles)  # type: ignore[arg-type]


def _order_ref(user: User, order_id: int | None) -> WorkOrder | None:
    if order_id is None:
        return None
    try:
        return desk.access_work_order(user, order_id)
    except NotFound as exc:
        raise ValidationError({"order": ["No such work order."]}) from exc


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


@extend_schema(parameters=[COMMUNITY, MONTH, OpenApiParameter("kind", str)])
class ReturnVisitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = fs.ReturnVisitOut
    queryset = ReturnVisit.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[ReturnVisit]:
        community = _community(self.request)
        ym = _month(self.request, required=False)
        return sel.return_visit_list(
            community,
            year=ym[0] if ym else None,
            month=ym[1] if ym else None,
            kind=choice_param(self.request, "kind", VisitKind.choices),
        )

    @extend_schema(parameters=[], responses={200: fs.ReturnVisitOut})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        visit = sel.access_return_visit(_user(request), kwargs["pk"])
        return Response(fs.ReturnVisitOut(visit).data)

    @extend_schema(
        parameters=[],
        request=fs.ReturnVisitIn,
        responses={201: fs.ReturnVisitOut},
        summary="Record a return visit (RV-6, CP-2, RV-1) or a call nobody answered",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        data_in = fs.ReturnVisitIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        community = _community(request, value=v["community"])
        visit = services.return_visit_record(
            community=community,
            by=user,
            now=get_clock().now(),
            draft=services.VisitDraft(
                kind=v["kind"],
                channel=v["channel"],
                outcome=v["outcome"],
                level=v["level"],
                order=_order_ref(user, v["order"]),
                household=household_ref(user, v["household"]),
                phone=v["phone"],
                opinion=v["opinion"],
                items=tuple(services.ItemDraft(**i) for i in v["items"]),
                retry_at=v["retry_at"],
                activity_wish=v["activity_wish"],
            ),
        )
        visit = sel.access_return_visit(user, visit.pk)
        return Response(fs.ReturnVisitOut(visit).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[COMMUNITY],
        responses={200: fs.CallListRowOut(many=True)},
        summary="RV-6: today's call list (repair and housekeeping orders resolved today)",
    )
    # A whole list, never a page: pagination_class=None says so in the schema, which otherwise
    # describes a page ({count, results}) the answer is not.
    @action(
        detail=False,
        methods=["get"],
        url_path="call-list",
        url_name="call-list",
        pagination_class=None,
    )
    def call_list(self, request: Request) -> Response:
        community = _community(request)
        rows = sel.call_list_today(community, get_clock().now())
        user: User = request.user  # type: ignore[assignment]
        # Whom to call, as the user may read it: masked for a team leader and leadership.
        seen = [asdict(r) | {"phone": phone_as_seen(user, community.pk, r.phone)} for r in rows]
        return Response(fs.CallListRowOut(seen, many=True).data)


@extend_schema(parameters=[COMMUNITY, OpenApiParameter("open", bool)])
class SuggestionViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    serializer_class = fs.SuggestionItemOut
    queryset = SuggestionItem.objects.none()  # for the schema; the actions scope
    pagination_class = None  # the register is answered whole, not as a page (the schema too)

    @extend_schema(
        responses={200: fs.QueueRowOut(many=True)},
        summary="RV-5: the suggestions register with each item's age (open items by default)",
    )
    def list(self, request: Request) -> Response:
        community = _community(request)
        open_only = request.query_params.get("open", "true").lower() not in {"0", "false", "no"}
        rows = sel.suggestion_queue(community, get_clock().now(), open_only=open_only)
        return Response(
            fs.QueueRowOut([asdict(r) | {"item": r.item} for r in rows], many=True).data
        )

    @extend_schema(parameters=[], responses={200: fs.SuggestionItemOut})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(fs.SuggestionItemOut(sel.access_suggestion(_user(request), pk or "")).data)

    @extend_schema(parameters=[], request=fs.SuggestionIn, responses={201: fs.SuggestionItemOut})
    def create(self, request: Request) -> Response:
        user = _user(request)
        data_in = fs.SuggestionIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        item = services.suggestion_create(
            community=_community(request, value=v["community"]),
            by=user,
            now=get_clock().now(),
            kind=v["kind"],
            text=v["text"],
            household=household_ref(user, v["household"]),
            order=_order_ref(user, v["order"]),
            area=v["area"],
        )
        return Response(fs.SuggestionItemOut(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[],
        request=fs.ReplyIn,
        responses={200: fs.SuggestionItemOut},
        summary="RV-5: the written reply to the owner",
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        item = sel.access_suggestion(_user(request), pk or "")
        data_in = fs.ReplyIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        item = services.suggestion_reply(
            item_id=item.pk, by=_user(request), now=get_clock().now(), **data_in.validated_data
        )
        return Response(fs.SuggestionItemOut(item).data)


@extend_schema(parameters=[COMMUNITY])
class CommonIssueViewSet(
    mixins.ListModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = fs.CommonIssueOut
    queryset = CommonIssue.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[CommonIssue]:
        return sel.common_issue_list(_community(self.request)).prefetch_related("items", "orders")

    @extend_schema(parameters=[], responses={200: fs.CommonIssueOut})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(fs.CommonIssueOut(sel.access_common_issue(_user(request), pk or "")).data)

    @extend_schema(
        parameters=[],
        request=fs.CommonIssueIn,
        responses={201: fs.CommonIssueOut},
        summary="RV-7: group items and orders into a common issue (starts the 7-day clock)",
    )
    def create(self, request: Request) -> Response:
        data_in = fs.CommonIssueIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        community = _community(request, value=v["community"])
        building = None
        if v["building"] is not None:
            building = Building.objects.filter(community=community, pk=v["building"]).first()
            if building is None:
                raise ValidationError({"building": ["No such building."]})
        issue = services.common_issue_open(
            community=community,
            by=_user(request),
            now=get_clock().now(),
            title=v["title"],
            building=building,
            area=v["area"],
            item_ids=v["items"],
            order_ids=v["orders"],
        )
        body = fs.CommonIssueOut(sel.access_common_issue(_user(request), issue.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={200: fs.ProposalOut(many=True)},
        summary="RV-7: groups the product proposes (similar texts from 5+ households)",
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # a whole list, not a page
    def proposals(self, request: Request) -> Response:
        community = _community(request)
        rows = [
            asdict(p) | {"title": p.title}
            for p in sel.common_issue_proposals(community, get_clock().now())
        ]
        return Response(fs.ProposalOut(rows, many=True).data)

    @extend_schema(parameters=[], request=fs.ReasonIn, responses={200: fs.CommonIssueOut})
    @action(detail=True, methods=["post"])
    def drop(self, request: Request, pk: str | None = None) -> Response:
        issue = sel.access_common_issue(_user(request), pk or "")
        data_in = fs.ReasonIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        services.common_issue_drop(
            issue_id=issue.pk,
            by=_user(request),
            now=get_clock().now(),
            reason=data_in.validated_data["reason"],
        )
        return Response(fs.CommonIssueOut(sel.access_common_issue(_user(request), issue.pk)).data)


@extend_schema(parameters=[COMMUNITY])
class NoticeViewSet(
    mixins.ListModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = fs.NoticeOut
    queryset = Notice.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Notice]:
        return sel.notice_list(_community(self.request)).order_by("-written_at", "-id")

    @extend_schema(parameters=[], responses={200: fs.NoticeOut})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(fs.NoticeOut(sel.access_notice(_user(request), pk or "")).data)

    @extend_schema(parameters=[], request=fs.NoticeIn, responses={201: fs.NoticeOut})
    def create(self, request: Request) -> Response:
        user = _user(request)
        data_in = fs.NoticeIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        community = _community(request, value=v["community"])
        issue = None
        if v["common_issue"] is not None:
            try:
                issue = sel.access_common_issue(user, v["common_issue"])
            except NotFound as exc:
                raise ValidationError({"common_issue": ["No such common issue."]}) from exc
        notice = services.notice_write(
            community=community,
            by=user,
            now=get_clock().now(),
            title=v["title"],
            body=v["body"],
            common_issue=issue,
        )
        body = fs.NoticeOut(sel.access_notice(user, notice.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[],
        request={"multipart/form-data": fs.NoticePostIn},
        responses={200: fs.NoticeOut},
        summary="RV-7: the notice is on the lobby board (photo); meets the 7-day clock",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="post",
        url_name="post",
        parser_classes=[MultiPartParser, FormParser],
    )
    def mark_posted(self, request: Request, pk: str | None = None) -> Response:
        notice = sel.access_notice(_user(request), pk or "")
        data_in = fs.NoticePostIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        services.notice_post(
            notice_id=notice.pk,
            by=_user(request),
            now=get_clock().now(),
            photo=data_in.validated_data["photo"],
        )
        return Response(fs.NoticeOut(sel.access_notice(_user(request), notice.pk)).data)

    @extend_schema(
        parameters=[],
        request=None,
        responses={(200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY)},
        summary="The notice as an A4 PDF, for printing",
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        notice = sel.access_notice(_user(request), pk or "")
        response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
        return response

    @extend_schema(
        responses={200: fs.NoticeOut(many=True)},
        summary="The bulletin board: posted notices, newest first (for the resident portal)",
    )
    @action(detail=False, methods=["get"], pagination_class=None)  # at most 50, not a page
    def board(self, request: Request) -> Response:
        community = _community(request, roles=sel.ALL_STAFF_ROLES)
        notices = sel.notice_list(community, posted_only=True)[:50]
        return Response(fs.NoticeOut(notices, many=True).data)


@extend_schema(parameters=[COMMUNITY, OpenApiParameter("open", bool)])
class HomeVisitViewSet(
    mixins.ListModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = fs.HomeVisitOut
    queryset = HomeVisit.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[HomeVisit]:
        open_only = self.request.query_params.get("open", "").lower() in {"1", "true", "yes"}
        return sel.home_visit_list(_community(self.request), open_only=open_only)

    @extend_schema(parameters=[], responses={200: fs.HomeVisitOut})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(fs.HomeVisitOut(sel.access_home_visit(_user(request), pk or "")).data)

    @extend_schema(
        parameters=[],
        request=fs.HomeVisitIn,
        responses={201: fs.HomeVisitOut},
        summary="RV-8: send an administrator to a few households by a due date",
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        data_in = fs.HomeVisitIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        community = _community(request, value=v["community"])
        admin = User.objects.filter(pk=v["administrator"], memberships__community=community)
        administrator = admin.first()
        if administrator is None:
            raise ValidationError({"administrator": ["No such administrator."]})
        households = [household_ref(user, h, "households") for h in v["households"]]
        issue = None
        if v["common_issue"] is not None:
            try:
                issue = sel.access_common_issue(user, v["common_issue"])
            except NotFound as exc:
                raise ValidationError({"common_issue": ["No such common issue."]}) from exc
        visit = services.home_visit_assign(
            community=community,
            by=user,
            now=get_clock().now(),
            administrator=administrator,
            households=[h for h in households if h is not None],
            due_at=v["due_at"],
            reason=v["reason"],
            common_issue=issue,
        )
        body = fs.HomeVisitOut(sel.access_home_visit(user, visit.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[], request=fs.NotesIn, responses={200: fs.HomeVisitOut})
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str | None = None) -> Response:
        visit = sel.access_home_visit(_user(request), pk or "")
        data_in = fs.NotesIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        services.home_visit_done(
            visit_id=visit.pk,
            by=_user(request),
            now=get_clock().now(),
            notes=data_in.validated_data["notes"],
        )
        return Response(fs.HomeVisitOut(sel.access_home_visit(_user(request), visit.pk)).data)

    @extend_schema(parameters=[], request=fs.ReasonIn, responses={200: fs.HomeVisitOut})
    @action(detail=True, methods=["post"])
    def drop(self, request: Request, pk: str | None = None) -> Response:
        visit = sel.access_home_visit(_user(request), pk or "")
        data_in = fs.ReasonIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        services.home_visit_drop(
            visit_id=visit.pk,
            by=_user(request),
            now=get_clock().now(),
            reason=data_in.validated_data["reason"],
        )
        return Response(fs.HomeVisitOut(sel.access_home_visit(_user(request), visit.pk)).data)


@extend_schema(parameters=[COMMUNITY])
class RecoveryViewSet(
    mixins.ListModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """Dissatisfied orders awaiting recovery (the office head's list)."""

    serializer_class = fs.RecoveryOut
    queryset = Recovery.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Recovery]:
        return sel.recovery_queue(_community(self.request, roles=sel.KPI_ROLES))


def _levels(f: LevelFigures) -> dict[str, Any]:
    return asdict(f)


@extend_schema(
    parameters=[COMMUNITY, MONTH],
    responses={200: fs.SatisfactionOut},
    summary="RV-2 and the follow-up figures of one community-month, with breakdowns and trend",
)
class SatisfactionView(APIView):
    def get(self, request: Request) -> Response:
        community = _community(request, roles=FIGURE_ROLES)
        ym = _month(request, required=True)
        assert ym is not None
        year, month = ym
        with replica_reads():  # the KPI figures: from the replica when one is configured
            fig = sel.satisfaction_figures(community, year, month)
            body = {
                "community": community.pk,
                "month": f"{year:04d}-{month:02d}",
                **{
                    k: v
                    for k, v in asdict(fig).items()
                    if k not in {"community_id", "year", "month"}
                },
                "no_answers": fig.levels.answered == 0,
                **{
                    f"by_{by}": [
                        asdict(r) | {"key": None if r.key is None else str(r.key)}
                        for r in sel.satisfaction_breakdown(community, year, month, by=by)
                    ]
                    for by in ("team", "kind", "building")
                },
                "trend": [
                    {"month": f"{p.year:04d}-{p.month:02d}", "figures": _levels(p.figures)}
                    for p in sel.satisfaction_trend(community, year, month)
                ],
                "complaints": asdict(sel.complaint_return_visit_figures(community, year, month)),
                "quota": asdict(sel.monthly_quota_pace(community, year, month, get_clock().now())),
                "turned": asdict(sel.turned_count(community, year, month)),
                "common_issues": asdict(sel.common_issue_figures(community, year, month)),
            }
        return Response(fs.SatisfactionOut(body).data)
