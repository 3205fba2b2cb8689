"""API tokens: ``POST /api/auth/token/`` logs in (DRF's token login, with the login throttling
of every other door: django-axes), ``DELETE /api/auth/token/`` revokes the caller's token, and
``POST /api/staff/{id}/revoke-tokens/`` lets the office head revoke a staff member's tokens.
Issuing, expiry and revocation live in propdesk.community.tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from propdesk.api.parsers import JSONParser
from propdesk.community import tokens
from propdesk.community.models import User
from propdesk.core.clock import get_clock

TokenOut = inline_serializer("TokenOut", {"token": serializers.CharField()})
RevokedOut = inline_serializer(
    "TokensRevokedOut", {"user": serializers.IntegerField(), "revoked": serializers.IntegerField()}
)


class TokenLoginView(ObtainAuthToken):
    # ObtainAuthToken names DRF's own parsers; ours answers a body nested too deeply as a 400.
    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        # Logging in takes no credentials but the password; revoking is done with the token.
        self._revoking = request.method == "DELETE"
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self) -> list[Any]:
        if getattr(self, "_revoking", False):
            classes: list[Any] = list(api_settings.DEFAULT_AUTHENTICATION_CLASSES)
            return [auth() for auth in classes]
        return list(super().get_authenticators())

    def get_permissions(self) -> list[Any]:
        if getattr(self, "_revoking", False):
            return [IsAuthenticated()]
        return list(super().get_permissions())

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        # DRF's Request wraps the HttpRequest; axes marks the one the middleware sees.
        context["request"] = self.request._request
        return context

    @extend_schema(responses={200: TokenOut}, summary="Log in: the API token (it expires)")
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = serializer.validated_data["user"]
        token = tokens.api_token_issue(user=user, now=get_clock().now())
        return Response({"token": token.key})

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Revoked")},
        summary="Log out: revoke the caller's API token",
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tokens.api_token_revoke(user=request.user, now=get_clock().now())  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffRevokeTokensView(APIView):
    @extend_schema(
        request=None,
        responses={200: RevokedOut},
        summary="The office head revokes a staff member's API tokens",
    )
    def post(self, request: Request, pk: int) -> Response:
        by: User = request.user  # type: ignore[assignment]
        staff = tokens.access_staff_for_revoke(by, pk)
        count = tokens.api_token_revoke(user=staff, now=get_clock().now(), by=by)
        return Response({"user": staff.pk, "revoked": count})
