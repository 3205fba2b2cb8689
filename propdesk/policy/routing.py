"""Which team a work order goes to (DS-1): repairs to the repair team, housekeeping to cleaning.

A community's policy may override any entry: ``{"routing": {"complaint": "customer_service"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_ROUTING: dict[str, str] = {
    "repair": "repair",
    "housekeeping": "cleaning",
    "complaint": "customer_service",
    "consultation": "customer_service",
    "suggestion": "customer_service",
    "concierge": "customer_service",
    "other": "customer_service",
}


def team_kind_for(order_kind: str, overrides: Mapping[str, object] | None = None) -> str | None:
    """The team kind for an order kind, after the community's overrides; None when unrouted."""
    routing = dict(DEFAULT_ROUTING)
    if overrides:
        custom = overrides.get("routing")
        if isinstance(custom, Mapping):
            routing.update({str(k): str(v) for k, v in custom.items()})
    return routing.get(order_kind)
