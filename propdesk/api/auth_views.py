"""POST /api/auth/token/: DRF's token login, with the login throttling of every other door
(django-axes): authenticate() gets the Django request itself, so a lockout recorded on it is
answered by the axes middleware (429, the API's error shape, how long to wait)."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.views import ObtainAuthToken


class TokenLoginView(ObtainAuthToken):
    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        # DRF's Request wraps the HttpRequest; axes marks the one the middleware sees.
        context["request"] = self.request._request
        return context
