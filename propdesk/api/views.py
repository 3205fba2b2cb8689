"""The REST API: a thin door onto the selectors (reads) and services (writes)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propdesk.api import serializers as s
from propdesk.api.detail import work_order_detail
from propdesk.api.order_search import Q_HELP, search_page
from propdesk.api.pagination import WorkOrderPagination
from propdesk.api.params import int_param as _int_param
from propdesk.api.refs import household_ref
from propdesk.clocks.selectors import compliance_for_month
from propdesk.community import selectors as reg
from propdesk.community.access import owner_phone_community_ids
from propdesk.community.models import Community, Household, Resident, Team, User
from propdesk.core.clock import get_clock
from propdesk.desk import selectors as desk
from propdesk.desk import services
from propdesk.desk.models import Contact, ServiceItem, WorkOrder
from propdesk.desk.printing import work_order_pdf
from propdesk.desk.search import as_typed
from propdesk.policy.phones import phone_query
from propdesk.policy.workflow import ACTIONS, FIGURE_ROLES, State, actions_for

# The technician's phone page of a work order (web.urls desk-job): what the QR code on the
# printed form opens.
JOB_PAGE = "/desk/jobs/{id}/"


class CommunityViewSet(viewsets.ReadOnlyModelViewSet[Community]):
    serializer_class = s.CommunityOut
    queryset = Community.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Community]:
        return reg.communities_visible(self.request.user)  # type: ignore[arg-type]


@extend_schema(
    parameters=[
        OpenApiParameter(
            "q",
            str,
            description="what the owner said, as typed so far: a room (4-1-901, 4/1/901, "
            "4栋1单元901, 4-901), a phone in any common form, or part of a resident's name",
        ),
        OpenApiParameter(
            "field",
            str,
            enum=["room", "phone", "name"],
            description="read q as this only (a room's 1502 is then never a phone's start); "
            "without it q is read by its shape",
        ),
        OpenApiParameter("community", int),
    ]
)
class HouseholdViewSet(viewsets.ReadOnlyModelViewSet[Household]):
    serializer_class = s.HouseholdOut
    queryset = Household.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Household]:
        user: User = self.request.user  # type: ignore[assignment]
        community_id = _int_param(self.request, "community")
        q = self.request.query_params.get("q")
        field = self.request.query_params.get("field", "")
        if field not in ("", "room", "phone", "name"):
            raise ValidationError({"field": ["Must be room, phone or name."]})
        if q:
            found = reg.household_search(user, q, community_id=community_id, field=field)
            return found.order_by("code")
        qs = reg.households_visible(user)
        if community_id is not None:
            qs = qs.filter(community_id=community_id)
        return qs.order_by("community_id", "code")


@extend_schema(
    parameters=[
        OpenApiParameter(
            "phone",
            str,
            description="a phone in any common form (+86 180…, 0755-8888 1234): a whole number "
            "matches exactly, one still being typed by prefix",
        )
    ]
)
class ResidentViewSet(viewsets.ReadOnlyModelViewSet[Resident]):
    serializer_class = s.ResidentOut
    queryset = Resident.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Resident]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation, no user
            return Resident.objects.none()
        user: User = self.request.user  # type: ignore[assignment]
        qs = reg.residents_visible(user)
        phone = phone_query(self.request.query_params.get("phone", ""))
        if phone.exact or phone.prefix or phone.local:
            # A phone is searched for only where it is read whole (the office): company
            # leadership, which reads it masked, would learn the hidden digits one guess at a time.
            ids = owner_phone_community_ids(user)
            qs = qs if ids is None else qs.filter(household__community_id__in=ids)
        if phone.exact:
            qs = qs.filter(phone=phone.exact)
        elif phone.prefix:
            qs = qs.filter(phone__startswith=phone.prefix)
        elif phone.local:  # no community to take an area code from: any area's landline
            qs = qs.filter(phone__startswith="0", phone__endswith=phone.local)
        elif self.request.query_params.get("phone", "").strip():
            return qs.none()
        return qs.order_by("id")


class TeamViewSet(viewsets.ReadOnlyModelViewSet[Team]):
    serializer_class = s.TeamOut
    queryset = Team.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Team]:
        return reg.teams_visible(self.request.user).order_by("community_id", "kind", "name")  # type: ignore[arg-type]


class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet[ServiceItem]):
    serializer_class = s.ServiceItemOut
    queryset = ServiceItem.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[ServiceItem]:
        return desk.service_items_visible(self.request.user).order_by("code")  # type: ignore[arg-type]


def _draft(
    user: User,
    community: Community,
    data: dict[str, Any],
    prefix: str = "",
    known: Household | None = None,
) -> services.WorkOrderDraft:
    """``known``: a household already read for this request (the call's own, which its orders
    are usually for): not read again."""
    wanted = data.get("household")
    if known is not None and wanted == known.pk:
        household: Household | None = known
    else:
        household = household_ref(user, wanted, f"{prefix}household")
    item = None
    if data.get("service_item") is not None:
        item = desk.service_items_visible(user).filter(pk=data["service_item"]).first()
        if item is None:
            raise ValidationError({f"{prefix}service_item": ["No such service item."]})
    return services.WorkOrderDraft(
        kind=data["kind"],
        description=data["description"],
        complaint_type=data["complaint_type"],
        is_important=data["is_important"],
        is_long_running=data["is_long_running"],
        is_construction_legacy=data["is_construction_legacy"],
        is_urgent=data.get("is_urgent", False),
        household=household,
        location=data["location"],
        reporter_name=data["reporter_name"],
        reporter_phone=data["reporter_phone"],
        service_item=item,
        appointment_at=data.get("appointment_at"),
    )


@extend_schema(parameters=[OpenApiParameter("community", int)])
class ContactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = s.ContactOut
    queryset = Contact.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Any]:
        qs = desk.contacts_visible(self.request.user).prefetch_related("work_orders")  # type: ignore[arg-type]
        community_id = _int_param(self.request, "community")
        if community_id is not None:
            qs = qs.filter(community_id=community_id)
        return qs.order_by("-received_at", "-id")

    @extend_schema(request=s.ContactCreateIn, responses={201: s.ContactOut})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        data_in = s.ContactCreateIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        community = reg.access_community(user, v["community"])
        household = household_ref(user, v["household"])
        drafts = [
            _draft(user, community, wo, prefix=f"work_orders[{i}].", known=household)
            for i, wo in enumerate(v["work_orders"])
        ]
        contact = services.contact_log(
            community=community,
            by=user,
            now=get_clock().now(),
            data=services.ContactInput(
                channel=v["channel"],
                intent=v["intent"],
                content=v["content"],
                outcome=v["outcome"],
                caller_name=v["caller_name"],
                caller_phone=v["caller_phone"],
                room_text=v["room_text"],
                household=household,
                received_at=v["received_at"],
                resolution=v["resolution"],
                promised_at=v["promised_at"],
                promise_reason=v["promise_reason"],
                owner_agitated=v["owner_agitated"],
                work_orders=drafts,
                no_written_material=v["no_written_material"],
            ),
        )
        # Answered from what was written (its orders too), as the create does: not read back.
        contact = desk.created_contact(user, contact)
        return Response(
            s.ContactOut(contact, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.PromiseKeptIn,
        responses={200: s.ContactOut},
        summary="FD-3: the promise made to the owner was kept",
    )
    @action(detail=True, methods=["post"], url_path="keep-promise")
    def keep_promise(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        contact = desk.access_contact(user, pk or "")
        data_in = s.PromiseKeptIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        services.contact_promise_keep(
            contact_id=contact.pk,
            by=user,
            now=get_clock().now(),
            result=data_in.validated_data["result"],
        )
        return Response(
            s.ContactOut(desk.access_contact(user, contact.pk), context={"request": request}).data
        )


def _make_action(name: str) -> Any:
    @extend_schema(
        request=s.ACTION_SERIALIZERS[name],
        responses={200: s.WorkOrderDetailOut},
        summary=f"{name.replace('_', ' ')} (from: {', '.join(sorted(ACTIONS[name].sources))})",
    )
    def handler(self: WorkOrderViewSet, request: Request, pk: str | None = None) -> Response:
        return self.transition(request, pk, name)

    handler.__name__ = f"action_{name}"
    return action(detail=True, methods=["post"], url_path=name.replace("_", "-"), url_name=name)(
        handler
    )


def _detail_context(user: User, order: WorkOrder) -> dict[str, Any]:
    """What an order's detail needs beside the order (WorkOrderDetailOut's context)."""
    return {
        "actions": actions_for(services.situation(order, user)),
        "now": get_clock().now(),
        "timeline": desk.work_order_timeline(order),
        "reporter": desk.order_reporter_to_call(user, order),
    }


@extend_schema(
    parameters=[
        OpenApiParameter("community", int),
        OpenApiParameter("state", str, many=True),
        OpenApiParameter("open", bool),
        OpenApiParameter("kind", str),
        OpenApiParameter("team", int),
        OpenApiParameter("assignee", int),
        OpenApiParameter("building", int),
        OpenApiParameter("household", int),
        OpenApiParameter("q", str),
    ]
)
class WorkOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = s.WorkOrderOut
    queryset = WorkOrder.objects.none()  # for the schema; get_queryset scopes
    pagination_class = WorkOrderPagination

    def _filters(self) -> desk.OrderFilters:
        p = self.request.query_params
        states = [x for x in p.getlist("state") for x in x.split(",") if x]
        bad = [x for x in states if x not in State._value2member_map_]
        if bad:
            raise ValidationError({"state": [f"Unknown state: {', '.join(bad)}"]})
        return desk.OrderFilters(
            community_id=_int_param(self.request, "community"),
            state=states or None,
            open_only=p.get("open", "").lower() in {"1", "true", "yes"},
            kind=p.get("kind") or None,
            team_id=_int_param(self.request, "team"),
            assignee_id=_int_param(self.request, "assignee"),
            building_id=_int_param(self.request, "building"),
            household_id=_int_param(self.request, "household"),
        )

    def get_queryset(self) -> QuerySet[WorkOrder]:
        return desk.work_order_list(self.request.user, self._filters())  # type: ignore[arg-type]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "community",
                int,
                description="one community's orders; with q, the community searched (required "
                "with q for a user who sees several)",
            ),
            OpenApiParameter("q", str, description=Q_HELP),
            OpenApiParameter(
                "q_by",
                str,
                enum=["household", "words"],
                description="read q as a household only, or as words only (张: a name, a word)",
            ),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        text = request.query_params.get("q", "")
        if not as_typed(text):
            return super().list(request, *args, **kwargs)
        paginator: WorkOrderPagination = self.paginator  # type: ignore[assignment]
        rows, page = search_page(
            request, paginator, self._filters(), text, request.query_params.get("q_by", "")
        )
        results = self.get_serializer(rows, many=True).data
        return Response({**page, "results": results})

    def _detail(self, request: Request, order_id: int, order: WorkOrder | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        if order is None:
            order = desk.access_work_order(user, order_id)
        # The shape of s.WorkOrderDetailOut, built without DRF's fields (api.detail).
        return Response(work_order_detail(order, **_detail_context(user, order)))

    @extend_schema(responses={200: s.WorkOrderDetailOut})
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._detail(request, kwargs["pk"])

    @extend_schema(request=s.WorkOrderCreateIn, responses={201: s.WorkOrderDetailOut})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        data_in = s.WorkOrderCreateIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        community = reg.access_community(user, data_in.validated_data["community"])
        order = services.work_order_create(
            community=community,
            by=user,
            now=get_clock().now(),
            draft=_draft(user, community, data_in.validated_data),
        )
        response = self._detail(request, order.pk, desk.created_work_order(user, order))
        response.status_code = status.HTTP_201_CREATED
        return response

    def transition(self, request: Request, pk: str | None, name: str) -> Response:
        user: User = request.user  # type: ignore[assignment]
        order = desk.access_work_order(user, pk or "")
        data_in = s.ACTION_SERIALIZERS[name](data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        team = None
        if v.get("team") is not None:
            team = reg.teams_visible(user).filter(pk=v["team"]).first()
            if team is None:
                raise ValidationError({"team": ["No such team."]})
        assignee = None
        if v.get("assignee") is not None:
            assignee = reg.staff_in_community(order.community_id).filter(pk=v["assignee"]).first()
            if assignee is None:
                raise ValidationError({"assignee": ["No such staff member in this community."]})
        services.work_order_transition(
            order_id=order.pk,
            action=name,
            by=user,
            now=get_clock().now(),
            version=v["version"],
            note=v.get("note", ""),
            team=team,
            assignee=assignee,
            channel=v.get("channel", ""),
            flags=dict(v.get("flags") or {}),
            materials=v.get("materials", ""),
            fee=v.get("fee"),
            waiting=v.get("waiting", ""),
        )
        return self._detail(request, order.pk)

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY)},
        summary="《服务工作单》 as a PDF (A4) to print, with a QR code that opens the job page",
    )
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        user: User = request.user  # type: ignore[assignment]
        order = desk.access_work_order(user, pk or "")
        content = work_order_pdf(
            order,
            job_url=request.build_absolute_uri(JOB_PAGE.format(id=order.pk)),
            printed_at=get_clock().now(),
            printed_by=user,
        )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
        return response

    @extend_schema(
        request=s.AppointmentIn,
        responses={200: s.WorkOrderDetailOut},
        summary="改约: agree the home-visit time (预约上门时间) anew, or withdraw it; "
        "moves DS-1-appointment and DS-1",
    )
    @action(detail=True, methods=["post"], url_path="appointment", url_name="appointment")
    def appointment(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        order = desk.access_work_order(user, pk or "")
        data_in = s.AppointmentIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        v = data_in.validated_data
        services.work_order_appoint(
            order_id=order.pk,
            by=user,
            now=get_clock().now(),
            version=v["version"],
            appointment_at=v["appointment_at"],
            note=v.get("note", ""),
        )
        return self._detail(request, order.pk)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentIn}, responses={201: s.AttachmentOut}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        order = desk.access_work_order(user, pk or "")
        data_in = s.AttachmentIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        attachment = services.work_order_attach(
            order_id=order.pk,
            by=user,
            now=get_clock().now(),
            upload=data_in.validated_data["file"],
            kind=data_in.validated_data["kind"],
        )
        return Response(s.AttachmentOut(attachment).data, status=status.HTTP_201_CREATED)


for _name in ACTIONS:
    setattr(WorkOrderViewSet, f"action_{_name}", _make_action(_name))


@extend_schema(
    parameters=[
        OpenApiParameter("community", int, required=True),
        OpenApiParameter("month", str, required=True, description="YYYY-MM"),
    ],
    responses={200: s.ComplianceOut},
    summary="Per rule: clocks started in the month, met in time, breached, running; compliance %",
)
class ComplianceView(APIView):
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        community_id = _int_param(request, "community")
        if community_id is None:
            raise ValidationError({"community": ["Required."]})
        community = reg.access_community_with_roles(
            user,
            community_id,
            FIGURE_ROLES,
            _("Your role in this community may not read its figures."),
        )
        raw = request.query_params.get("month", "")
        try:
            year, month = (int(x) for x in raw.split("-"))
            if not 1 <= month <= 12 or not 2000 <= year <= 2100:
                raise ValueError
        except ValueError as exc:
            raise ValidationError({"month": ["Use YYYY-MM, e.g. 2026-11."]}) from exc
        rules = compliance_for_month(community, year, month)
        body = {
            "community": community.pk,
            "month": f"{year:04d}-{month:02d}",
            "rules": [{**r.__dict__, "compliance": r.compliance} for r in rules],
        }
        return Response(s.ComplianceOut(body).data)
