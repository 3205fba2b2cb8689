"""The portal's bottom navigation: 首页, 报事, 我的工单, 公告, 我的."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from propdesk.core.once import ONCE_FIELD, token_again

register = template.Library()

# (label, URL name) of each tab.
NAV: list[tuple[Any, str]] = [
    (_("Home"), "portal:home"),
    (_("Report"), "portal:report"),
    (_("My orders"), "portal:orders"),
    (_("Notices"), "portal:notices"),
    (_("Me"), "portal:me"),
]


@register.inclusion_tag("portal/nav.html", takes_context=True)
def portal_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    path = request.path if request is not None else ""
    items = []
    for label, name in NAV:
        url = reverse(name)
        current = path == url if url == "/portal/" else path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"items": items}


@register.simple_tag(takes_context=True)
def once_field(context: template.Context) -> str:
    """A form's one-time token (core.once) as a hidden field: a new one for a form drawn fresh,
    the posted one for a form drawn again with its errors (so the corrected form is still the
    same submit), as the console's forms carry it."""
    request = context.get("request")
    posted = (
        request.POST.get(ONCE_FIELD, "") if request is not None and request.method == "POST" else ""
    )
    return format_html(
        '<input type="hidden" name="{}" value="{}">', ONCE_FIELD, token_again(posted)
    )
