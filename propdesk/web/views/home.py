"""Where a signed-in staff member lands."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from propdesk.community.models import User
from propdesk.web.views._common import forbidden, home_url


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    url = home_url(user)
    if url is None:
        if user.is_staff:
            return redirect("admin:index")
        return forbidden(request, "")
    return redirect(url)
