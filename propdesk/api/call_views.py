"""The phone system's webhook (FD-1): ``POST /api/calls/events/?community=ID``.

Not a session door: no login, no CSRF; the body is signed by the community's phone system
(``X-Propdesk-Timestamp``: Unix seconds; ``X-Propdesk-Signature``: hex HMAC-SHA256 with the
community's secret over ``timestamp + "." + body``). An unsigned, badly signed or stale event is
refused 401, a replayed event id 409 ``replayed``, a bad field 400, a body over 64 KB 413
``too_large``; nothing changes then.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from propdesk.api.errors import error_body
from propdesk.api.params import DateTimeIn
from propdesk.calls.models import Call, EventKind
from propdesk.calls.services import (
    CallEventInput,
    SignatureError,
    call_event_record,
    webhook_verify,
)
from propdesk.core.clock import get_clock

SOURCE = "webhook"
# One event is a few hundred bytes; anything past this is refused before it is read (413), not
# read whole up to DATA_UPLOAD_MAX_MEMORY_SIZE (25 MB) and then answered with an HTML page.
MAX_BODY_BYTES = 64 * 1024


class CallEventSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """One event of the phone system (the body, JSON)."""

    id = serializers.CharField(max_length=100, help_text="The phone system's id of this event.")
    call = serializers.CharField(max_length=100, help_text="The phone system's id of the call.")
    type = serializers.ChoiceField(choices=EventKind.values)
    at = DateTimeIn(help_text="When it happened, ISO 8601 with its offset.")
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The caller's number; for `outgoing` the number called. Empty when withheld.",
    )
    line = serializers.CharField(required=False, allow_blank=True, max_length=32)
    extension = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="The extension that answered (answered) or called (outgoing).",
    )


CallSerializer = inline_serializer(
    "CallRecorded",
    {
        "call": serializers.IntegerField(),
        "state": serializers.CharField(),
        "ring_seconds": serializers.FloatField(allow_null=True),
        "callback": serializers.IntegerField(allow_null=True),
    },
)


def _call_body(call: Call) -> dict[str, Any]:
    return {
        "call": call.pk,
        "state": call.state,
        "ring_seconds": None if call.ring_ms is None else call.ring_ms / 1000,
        "callback": call.callback_id,
    }


def _str(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    return value if isinstance(value, str) else str(value)


class CallEventView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calls_event",
        summary="An event of the phone system (signed webhook)",
        description=__doc__,
        parameters=[
            OpenApiParameter("community", OpenApiTypes.INT, required=True),
            OpenApiParameter(
                "X-Propdesk-Timestamp", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True
            ),
            OpenApiParameter(
                "X-Propdesk-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True
            ),
        ],
        request=CallEventSerializer,
        responses={202: CallSerializer},
        auth=[],
        tags=["calls"],
    )
    def post(self, request: Request) -> Response:
        too_large = Response(
            error_body("too_large", _("The body is too large.")),
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return too_large
        body = request._request.body  # the exact bytes that were signed
        if len(body) > MAX_BODY_BYTES:
            return too_large
        now = get_clock().now()
        try:
            community = webhook_verify(
                community_id=request.query_params.get("community"),
                timestamp=request.headers.get("X-Propdesk-Timestamp"),
                signature=request.headers.get("X-Propdesk-Signature"),
                body=body,
                now=now,
            )
        except SignatureError as exc:
            return Response(error_body(exc.code, exc.message), status=status.HTTP_401_UNAUTHORIZED)
        try:
            raw = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # [[[[… nested past the limit
            raw = None
        if not isinstance(raw, dict):
            return Response(
                error_body("parse_error", _("The body is not a JSON object.")),
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            at = parse_datetime(_str(raw, "at")) if raw.get("at") else None
        except ValueError:  # well-formed but impossible (2026-13-45)
            at = None
        if raw.get("at") and at is None:
            return Response(
                error_body(
                    "validation_error",
                    _("Please correct the marked fields."),
                    {"at": [_("Give the time with its time zone.")]},
                ),
                status=status.HTTP_400_BAD_REQUEST,
            )
        data = CallEventInput(
            event_id=_str(raw, "id"),
            call_id=_str(raw, "call"),
            kind=_str(raw, "type"),
            at=at,  # type: ignore[arg-type]  # None is refused by the service's check
            phone=_str(raw, "phone"),
            line=_str(raw, "line"),
            extension=_str(raw, "extension"),
        )
        try:
            call = call_event_record(community=community, data=data, source=SOURCE, now=now)
        except ValidationError as exc:
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            fields = {
                {"event_id": "id", "call_id": "call", "kind": "type"}.get(k, k): v
                for k, v in fields.items()
            }
            return Response(
                error_body("validation_error", _("Please correct the marked fields."), fields),
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(_call_body(call), status=status.HTTP_202_ACCEPTED)
