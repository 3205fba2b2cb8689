"""What each kind of notification is called where a person reads the kind (the back office's list
of notifications and its filter), in the office's words: the kinds are keys of code (the
policy's ``notify`` events, the clocks', the emergencies'), never shown as they are.

Every kind a notification is written with has its words here: ``tests/notify/test_kinds.py``
holds the policy's events (``policy.rules.NOTIFY_EVENTS``) and the kinds the apps write to it.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from propdesk.policy.rules import NOTIFY_EVENTS

KIND_WORDS: dict[str, Promise] = {
    # the policy's events (policy.rules.NOTIFY_EVENTS), told by the desk
    "complaint_created": _("New complaint"),  # 新投诉 (CP-1)
    "order_routed": _("Order in the team's pool"),  # 待抢单
    "order_assigned": _("Order dispatched to a person"),  # 派单
    "order_returned": _("Order given back"),  # 退单
    "complaint_to_head": _("Written, important or attitude complaint"),  # CP-3, CP-4, CP-5
    "agitated_visitor": _("Agitated owner"),  # 情绪激动业主 (FD-4)
    "order_cancelled": _("Order cancelled"),
    "order_reopened": _("Order reopened by the owner"),
    "order_urged": _("Owner urges the order"),  # 催单
    "order_appointed": _("Appointment changed"),  # 改约
    "order_urgent": _("Marked as an urgent repair"),  # 急修
    "suggestion_created": _("New suggestion"),
    # the clocks (clocks.services.sweep)
    "clock_escalation": _("Overdue, escalated"),  # 超时升级
    "clock_warning": _("About to be overdue"),  # 即将超时
    # the desk's own (desk.services.telling.FIXED_RECIPIENTS)
    "dissatisfied": _("Owner not satisfied"),  # RV-4
    "concierge_request": _("Concierge assistance"),  # CS-2
    # emergencies (incidents): the call to come, and nobody on duty to call
    "emergency": _("Emergency"),  # EM-1
    "roster_gap": _("Roster gap"),
    # more than a person's cap in its window, folded into one (notify.cap)
    "digest": _("Summary"),
}

assert KIND_WORDS.keys() >= NOTIFY_EVENTS, NOTIFY_EVENTS - KIND_WORDS.keys()


def kind_words(kind: str) -> str:
    """The kind as a person reads it; a kind without words (none is written) as it is."""
    words = KIND_WORDS.get(kind)
    return kind if words is None else str(words)
