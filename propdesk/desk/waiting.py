"""Words for an order's waiting states (issue 16) on every page that shows them: the console's
timeline, the printed 《服务工作单》 and the resident portal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from propdesk.desk.models import EventAction
from propdesk.policy.rules import load_policy


def waiting_titles(policy_overrides: Mapping[str, Any] | None) -> dict[str, str]:
    """The waiting kinds of a community's policy and their words (业主不在家, 待料 …)."""
    return {code: kind.title for code, kind in load_policy(policy_overrides).waiting.items()}


def span_words(seconds: float) -> str:
    """A paused time in words, to the minute: 1天2小时, 3小时5分钟, 40分钟."""
    minutes = max(0, round(seconds / 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(_("%(n)d d") % {"n": days})
    if hours:
        parts.append(_("%(n)d h") % {"n": hours})
    if mins or not parts:
        parts.append(_("%(n)d min") % {"n": mins})
    return "".join(parts)


def waiting_words(what: str, data: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    """What a timeline line of a wait adds to its label: the kind of wait, how long it lasted,
    and the action that ended it by moving the order on; "" for any other line."""
    data = data or {}
    parts = []
    code = data.get("waiting")
    if code:
        parts.append(titles.get(str(code), str(code)))
    seconds = data.get("paused_seconds", data.get("waited_seconds"))
    if what in ("resumed", "end_wait") and isinstance(seconds, (int, float)):
        parts.append(_("paused for %(span)s") % {"span": span_words(seconds)})
    auto = data.get("auto")
    if what == "end_wait" and auto:
        parts.append(_("ended by “%(action)s”") % {"action": EventAction.label_for(str(auto))})
    return " · ".join(parts)
