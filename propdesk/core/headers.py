"""The Content-Security-Policy of every page (settings.CONTENT_SECURITY_POLICY), beside what
Django's SecurityMiddleware and XFrameOptionsMiddleware send (nosniff, Referrer-Policy, HSTS
with SECURE_HTTPS, X-Frame-Options: DENY).

Scripts and styles only from this site's own files: a text that got past the templates' escaping
into a page (a name, a description, a note) still cannot run as a script, send the page's content
elsewhere, nor restyle the page (a fake banner, a hidden button). The pages of other apps under
CONTENT_SECURITY_POLICY_INLINE_STYLE_PATHS (Django's admin, the API's docs) write inline styles
of their own: they get CONTENT_SECURITY_POLICY_INLINE_STYLES, the same policy with inline styles
allowed. Images also as data: and blob: URLs (a photo's preview before upload). A response that
sets its own policy keeps it (a stored file's ``default-src 'none'; sandbox``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if request.path_info.startswith(
            tuple(getattr(settings, "CONTENT_SECURITY_POLICY_INLINE_STYLE_PATHS", ()))
        ):
            policy = getattr(settings, "CONTENT_SECURITY_POLICY_INLINE_STYLES", policy)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
