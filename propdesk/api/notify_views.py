"""The notifications API: a staff member's in-app notifications (newest first, with the unread
count), marking them read, choosing channels; the office head's failed deliveries and retrying
one. Nobody reads another's notifications: those answer 404 like a missing one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propdesk.api import notify_serializers as ns
from propdesk.api.pagination import Pagination
from propdesk.api.params import int_param as _int_param
from propdesk.community.models import User
from propdesk.core.clock import get_clock
from propdesk.notify import selectors, services
from propdesk.notify.models import Notification


class InboxPagination(Pagination):
    """The page, and how many of the user's notifications are unread (all pages)."""

    unread = 0

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread"] = self.unread
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        out = super().get_paginated_response_schema(schema)
        out["properties"]["unread"] = {"type": "integer", "example": 3}
        out["required"] = [*out.get("required", []), "unread"]
        return out


@extend_schema(
    parameters=[
        OpenApiParameter("community", int),
        OpenApiParameter("unread", bool, description="only the unread ones"),
    ]
)
class NotificationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    serializer_class = ns.NotificationOut
    pagination_class = InboxPagination
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes

    def get_queryset(self) -> QuerySet[Notification]:
        user: User = self.request.user  # type: ignore[assignment]
        return selectors.inbox(
            user,
            community_id=_int_param(self.request, "community"),
            unread_only=self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"},
        )

    def paginate_queryset(self, queryset: Any) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            selectors.fetch_digest_items(page)  # a summary's items: one query for the page
        return page

    @extend_schema(summary="My notifications, newest first, with the unread count")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paginator = self.paginator
        if isinstance(paginator, InboxPagination):
            paginator.unread = selectors.unread_count(
                request.user,  # type: ignore[arg-type]
                community_id=_int_param(request, "community"),
            )
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: ns.NotificationOut}, summary="Mark one read")
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        notification = selectors.access_notification(user, pk or "")
        services.notification_read(notification=notification, now=get_clock().now())
        return Response(ns.NotificationOut(notification).data)

    @extend_schema(
        responses={200: ns.DigestItemOut(many=True)},
        summary="A summary's notifications, all of them, first folded first (paged)",
    )
    @action(detail=True, methods=["get"], pagination_class=Pagination)
    def items(self, request: Request, pk: str | None = None) -> Response:
        """Every notification folded into one of my summaries (kind digest); its payload lists
        only the first 200. Empty for another kind; another's notification is 404."""
        user: User = request.user  # type: ignore[assignment]
        notification = selectors.access_notification(user, pk or "")
        qs = selectors.digest_item_list(notification)
        page = self.paginate_queryset(qs)
        rows = ns.DigestItemOut(page if page is not None else qs, many=True).data
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @extend_schema(
        request=ns.ReadAllIn,
        responses={200: ns.ReadAllOut},
        summary="Mark all of mine read (of one community if given)",
    )
    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        data_in = ns.ReadAllIn(data=request.data)
        data_in.is_valid(raise_exception=True)
        community_id = data_in.validated_data["community"]
        marked = services.notifications_read_all(
            user=user, now=get_clock().now(), community_id=community_id
        )
        unread = selectors.unread_count(user, community_id=community_id)
        return Response(ns.ReadAllOut({"marked": marked, "unread": unread}).data)

    @extend_schema(
        parameters=[OpenApiParameter("community", int, required=True)],
        responses={200: ns.FailedDeliveryOut(many=True)},
        summary="The office head's deliveries that failed for good, newest first",
    )
    @action(detail=False, methods=["get"])
    def failed(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        community_id = _int_param(request, "community")
        if community_id is None:
            raise ValidationError({"community": ["Required."]})
        qs = selectors.failed_deliveries(user, community_id)
        page = self.paginate_queryset(qs)
        rows = ns.FailedDeliveryOut(page if page is not None else qs, many=True).data
        return self.get_paginated_response(rows) if page is not None else Response(rows)

    @extend_schema(methods=["GET"], request=None, responses={200: ns.ChannelsOut})
    @extend_schema(methods=["PATCH"], request=ns.ChannelsIn, responses={200: ns.ChannelsOut})
    @action(detail=False, methods=["get", "patch"])
    def channels(self, request: Request) -> Response:
        """My channels: in the app always; e-mail and SMS as I choose."""
        user: User = request.user  # type: ignore[assignment]
        if request.method == "PATCH":
            data_in = ns.ChannelsIn(data=request.data)
            data_in.is_valid(raise_exception=True)
            services.notification_preference_set(
                user=user, email=data_in.validated_data["email"], sms=data_in.validated_data["sms"]
            )
        c = selectors.channels_of(user)
        return Response(ns.ChannelsOut({"in_app": True, **c.__dict__}).data)


@extend_schema(
    request=None,
    responses={200: ns.FailedDeliveryOut},
    summary="The office head sends a failed delivery again (a new run of attempts)",
)
class FailedDeliveryRetryView(APIView):
    def post(self, request: Request, pk: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        row = selectors.access_failed_delivery(user, pk)
        services.notification_retry(notification=row, now=get_clock().now())
        return Response(ns.FailedDeliveryOut(row).data)
