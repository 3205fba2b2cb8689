"""The console's language switch: the signed-in user's choice, kept on their record (so it holds
on every device and after signing out), never the browser's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from propdesk.community.models import User
from propdesk.core.language import LANGUAGE_CODES
from propdesk.web.views._common import back_to


@login_required
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """POST ``language`` (zh-hans or en) and ``next``: stores the choice, back to ``next``."""
    user: User = request.user  # type: ignore[assignment]
    code = request.POST.get("language", "")
    if code not in LANGUAGE_CODES:
        messages.error(request, _("Choose %(chinese)s or English.") % {"chinese": "简体中文"})
        return back_to(request, reverse("desk-home"))
    user.language = code
    user.save(update_fields=["language"])
    translation.activate(code)
    return back_to(request, reverse("desk-home"))
