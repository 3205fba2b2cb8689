"""Where a notification leads its recipient: one answer for the bell's page and the live banner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from propdesk.incidents.selectors import EMERGENCY_RULE, emergency_id_of_order

# A clock that belongs to the community itself leads to the screen where it is met.
_RULE_PAGES = {
    "RV-1": "desk-visits",
    "RV-7": "desk-issues",
    "RV-8": "desk-issues",
    "CS-3": "desk-activities",
}


def local_url(payload: Mapping[str, Any]) -> str | None:
    """The link written with a notification (``payload["url"]``) when it is a path of ours;
    None otherwise (absent, or another site's: never followed)."""
    url = payload.get("url")
    if isinstance(url, str) and url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    return None


def notification_link(payload: Mapping[str, Any], community_id: int) -> str | None:
    """The page a notification opens: the link written with it (a path of ours, checked against
    the recipient's access when it was written), else the emergency's page, the work order, the
    contact, or the screen of the community's own clock; None when it leads nowhere."""
    url = local_url(payload)
    if url:
        return url
    if payload.get("rule") == EMERGENCY_RULE and isinstance(payload.get("order"), int):
        # A responder's EM-2 clock: the emergency's page, which whoever was called may open
        # (its work order is the office's).
        emergency_id = emergency_id_of_order(payload["order"])
        if emergency_id is not None:
            return reverse("desk-emergency", args=[emergency_id])
    for key, name in (
        ("emergency", "desk-emergency"),
        ("order", "desk-order"),
        ("contact", "desk-contact"),
    ):
        if isinstance(payload.get(key), int):
            return reverse(name, args=[payload[key]])
    page = _RULE_PAGES.get(str(payload.get("rule", "")))
    if page:
        return reverse(page, args=[community_id])
    return None
