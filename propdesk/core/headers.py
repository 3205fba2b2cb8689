"""The Content-Security-Policy of every page (settings.CONTENT_SECURITY_POLICY), beside what
Django's SecurityMiddleware and XFrameOptionsMiddleware send (nosniff, Referrer-Policy, HSTS
with SECURE_HTTPS, X-Frame-Options: DENY).

Scripts only from this site's own files: a text that got past the templates' escaping into a
page (a name, a description, a note) still cannot run as a script, nor send the page's content
elsewhere. Styles may be inline (htmx's indicator style, the report's <style> and the charts'
attributes); images also as data: and blob: URLs (a photo's preview before upload). A response
that sets its own policy keeps it (a stored file's ``default-src 'none'; sandbox``)."""

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
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
