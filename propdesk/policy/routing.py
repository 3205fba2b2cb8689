"""Which team a work order goes to (DS-1): repairs to the repair team, housekeeping to cleaning.

The table is the ``routing`` section of the office policy (default.yaml); a community overrides
any entry: ``{"routing": {"complaint": "customer_service"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from propdesk.policy.rules import load_policy


def team_kind_for(order_kind: str, overrides: Mapping[str, Any] | None = None) -> str | None:
    """The team kind for an order kind, after the community's overrides; None when unrouted."""
    return load_policy(overrides).routing.get(order_kind)
