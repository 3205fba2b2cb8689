"""The portal's bottom navigation: 首页, 报事, 我的工单, 公告, 我的. Pages other parts of the
portal own are linked by their URL name when it exists, else by their path."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# (label, URL names to try in order, the path when none exists yet)
NAV: list[tuple[Any, tuple[str, ...], str]] = [
    (_("Home"), ("portal:home",), "/portal/"),
    (_("Report"), ("portal:report", "portal:report-new"), "/portal/report/"),
    (_("My orders"), ("portal:orders", "portal:order-list"), "/portal/orders/"),
    (_("Notices"), ("portal:notices", "portal:notice-list"), "/portal/notices/"),
    (_("Me"), ("portal:me",), "/portal/me/"),
]


def portal_url(names: tuple[str, ...], fallback: str) -> str:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return fallback


@register.simple_tag
def portal_link(name: str, fallback: str) -> str:
    """{% portal_link "portal:report" "/portal/report/" %}: the page's URL, or the path."""
    return portal_url((name,), fallback)


@register.inclusion_tag("portal/nav.html", takes_context=True)
def portal_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    path = request.path if request is not None else ""
    items = []
    for label, names, fallback in NAV:
        url = portal_url(names, fallback)
        current = path == url if url == "/portal/" else path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"items": items}
