"""The resident portal's pages (H5, server-rendered, 360 px first, WeChat's browser)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from propdesk.portal.access import resident_required, sign_out


@resident_required
def home(request: HttpRequest) -> HttpResponse:
    households = list(request.resident.households())  # type: ignore[attr-defined]
    return render(request, "portal/home.html", {"households": households})


def login(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/login.html", {})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    sign_out(request)
    return redirect("portal:login")
