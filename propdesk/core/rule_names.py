"""What a person reads for a rule: its name from the glossary (../shared/GLOSSARY.md, "The rules'
names"), never its ID alone. IDs (CP-1, RV-6 …) are for tests, logs and the back office; where a
screen, a paper form or a message shows a rule, it shows ``rule_name`` with the ID small beside it
at most (``rule_text`` in plain text, the ``rule_label`` template tag on a page)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RULE_NAMES = {
    "FD-1": gettext_lazy("Answered within three rings"),
    # Not in the glossary's table: a missed call (未接来电) called back (回拨) within its time.
    "FD-1-callback": gettext_lazy("Missed call called back in time"),
    "FD-2": gettext_lazy("Every call and visit logged"),
    "FD-3": gettext_lazy("Promised time"),
    "FD-4": gettext_lazy("Agitated owner"),
    "FD-5": gettext_lazy("Weekly call on a legacy issue"),
    "FD-6": gettext_lazy("Work order answered the same day"),
    "CP-1": gettext_lazy("An administrator within 10 minutes"),
    "CP-2": gettext_lazy("Follow-up within 3 days of completion"),
    "CP-3": gettext_lazy("Written complaint answered the same day"),
    "CP-4": gettext_lazy("Important complaint answered within 2 working days"),
    "CP-5": gettext_lazy("Attitude complaint answered the same day"),
    # Not in the glossary's table: the CP-5 head's rectification with its deadline.
    "CP-5-rectification": gettext_lazy("Rectification by its deadline"),
    "CP-6": gettext_lazy("General complaint answered the same day"),
    "CP-7": gettext_lazy("Weekly contact on a long complaint"),
    "EM-1": gettext_lazy("Emergency told at once"),
    "EM-2": gettext_lazy("On site within 5 minutes"),
    "EM-3": gettext_lazy("Incident report approved"),
    "DS-1": gettext_lazy("Repair or housekeeping done the same day"),
    # Not in the glossary's table: an order in a team's pool taken (接单) within 30 minutes.
    "DS-1-take": gettext_lazy("Taken within 30 minutes"),
    # Issue 16, not in the glossary's table: on site at the agreed time (按约上门), and an
    # urgent repair's (急修) arrival within its time.
    "DS-1-appointment": gettext_lazy("On site at the agreed time"),
    "DS-1-arrival": gettext_lazy("Urgent repair on site in time"),
    "DS-2": gettext_lazy("Service refinement plan"),
    "RV-1": gettext_lazy("At least 20 households visited a month"),
    "RV-2": gettext_lazy("Satisfaction rate at least 96%, degree at least 75%"),
    "RV-3": gettext_lazy("Complaint return-visit rate 100%"),
    # RV-4 and RV-5 are not in the glossary's table either.
    "RV-4": gettext_lazy("Opinions recorded item by item"),
    "RV-5": gettext_lazy("Opinions answered item by item"),
    "RV-6": gettext_lazy("Same-day phone return visit"),
    "RV-7": gettext_lazy("Common issue answered by a notice within a week"),
    "RV-8": gettext_lazy("Home visit for a prominent issue"),
    "CS-1": gettext_lazy("Convenience service cart"),
    "CS-2": gettext_lazy("Concierge assistance"),
    "CS-3": gettext_lazy("Community activity every quarter"),
}


def rule_name(rule_id: str, fallback: str = "") -> str:
    """The rule's name in the active language; ``fallback`` (e.g. a community's own clock title)
    for a rule the glossary does not name, else the ID itself."""
    name = RULE_NAMES.get(rule_id)
    return str(name) if name is not None else (fallback or rule_id)


def rule_text(rule_id: str, fallback: str = "") -> str:
    """The rule in plain text (messages, PDFs, workbooks): its name, the ID in brackets after it."""
    return _("%(name)s (%(rule)s)") % {"name": rule_name(rule_id, fallback), "rule": rule_id}


ESCALATION_LEVELS = {
    1: gettext_lazy("first-level escalation"),
    2: gettext_lazy("second-level escalation"),
    3: gettext_lazy("third-level escalation"),
}


def escalation_level(level: int) -> str:
    """An escalation's level as the office says it (GLOSSARY.md: 升级, 一级 二级 三级), never
    "L1"."""
    words = ESCALATION_LEVELS.get(level)
    return str(words) if words is not None else _("escalation level %(level)s") % {"level": level}
