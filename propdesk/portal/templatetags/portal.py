"""The portal's bottom navigation: 首页, 报事, 我的工单, 公告, 我的."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
