"""``Authorization: Token …`` as before, refused (401) once the token has expired, was issued
before the user's last password change, or was revoked (then it no longer exists). A token's user
who chose a language (``User.language``) is answered in it: the language middleware runs before
the API authenticates, so it could only see the client's Accept-Language."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from propdesk.community.access import remember_roles, roles_read_with
from propdesk.community.tokens import EXPIRED, token_refusal
from propdesk.core.clock import get_clock
from propdesk.core.language import LANGUAGE_CODES
from propdesk.core.rows import RowReader

# The token and its user in one read, as TokenAuthentication's select_related("user").get(),
# without compiling the query on every request (core.rows); the user's roles in the same
# statement (community.access: every request checks them).
TOKEN = RowReader(
    Token,
    by=("key",),
    related=("user",),
    unique=True,
    also=(
        lambda conn, token: roles_read_with(
            conn, f"{token}.{conn.ops.quote_name(Token._meta.get_field('user').column)}"
        ),
    ),
)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        token, also = TOKEN.first_also(key)
        if token is not None:
            remember_roles(token.user, also[0])
        if token is None or not token.user.is_active:
            # Refused by TokenAuthentication itself, in its words ("Invalid token.", "User
            # inactive or deleted."): it reads the token again and raises (or, had the token
            # just been made good, returns it).
            _user, token = super().authenticate_credentials(key)
        user = token.user
        reason = token_refusal(token, get_clock().now())
        if reason == EXPIRED:
            message = _("Your API token has expired. Please log in again.")
            raise exceptions.AuthenticationFailed(message, code="token_expired")
        if reason is not None:
            message = _("Your password changed after this API token was issued. Log in again.")
            raise exceptions.AuthenticationFailed(message, code="password_changed")
        if getattr(user, "language", "") in LANGUAGE_CODES:
            translation.activate(user.language)
        return user, token
