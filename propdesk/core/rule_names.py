"""What a person reads for a rule: its name from the glossary (../shared/GLOSSARY.md, "The rules'
names"), never its ID alone. IDs (CP-1, RV-6 …) are for tests, logs and the back office; where a
screen shows a rule, it shows ``rule_name`` with the ID small beside it at most (the
``rule_label`` template tag); plain text (messages, PDFs, workbooks) shows the name alone
(``rule_text``). One name per rule: the glossary's where it has one, else the policy's title
(policy/default.yaml ``title``, or the community's own), else the few names below for the rules
that are no clock."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

RULE_NAMES = {
    "FD-1": gettext_lazy("Answered within three rings"),
    # Not in the glossary's table and no clock (no policy title): FD-2, DS-2, RV-4, RV-5. The
    # clocks the glossary does not name (FD-1-callback, CP-5-rectification, DS-1-take,
    # DS-1-appointment, DS-1-arrival, WT-*) read their policy's title.
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
    "CP-6": gettext_lazy("General complaint answered the same day"),
    "CP-7": gettext_lazy("Weekly contact on a long complaint"),
    "EM-1": gettext_lazy("Emergency told at once"),
    "EM-2": gettext_lazy("On site within 5 minutes"),
    "EM-3": gettext_lazy("Incident report approved"),
    "DS-1": gettext_lazy("Repair or housekeeping done the same day"),
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
    """The rule's one name in the active language: the glossary's; else ``fallback`` (the
    clock's title, as the community's policy wrote it); else the default policy's title for the
    rule; the ID itself only for a rule nobody named."""
    name = RULE_NAMES.get(rule_id)
    if name is not None:
        return str(name)
    return fallback or policy_title(rule_id) or rule_id


def policy_title(rule_id: str) -> str:
    """The title the shipped policy (policy/default.yaml) gives the clock ``rule_id``, or ""."""
    from propdesk.policy.rules import default_policy_data

    spec = (default_policy_data().get("clocks") or {}).get(rule_id)
    return str(spec.get("title") or "") if isinstance(spec, dict) else ""


_RULE_REF = re.compile(r"[A-Z]{2}-\d+")


def rule_ref(rule_id: str) -> str:
    """The rule's ID as a person may read it small beside its name: the numbered rule of
    requirements/RULES.md (DS-1 for the clocks DS-1-take, DS-1-appointment and DS-1-arrival, FD-1
    for FD-1-callback, CP-5 for CP-5-rectification; WT-3 as it is). A clock's key beyond the
    number is the policy file's, never a person's."""
    m = _RULE_REF.match(rule_id)
    return m.group() if m else rule_id


def rule_text(rule_id: str, fallback: str = "") -> str:
    """The rule in plain text (messages, PDFs, workbooks): its name alone. The ID is for the
    back office; plain text has no small print to put it in."""
    return rule_name(rule_id, fallback)


def rule_with_id(rule_id: str, fallback: str = "") -> str:
    """The rule by name with its ID in brackets: only where a table's rule column is the
    reference the back office reads against the rules (the monthly report); never in a
    message."""
    return _("%(name)s (%(rule)s)") % {
        "name": rule_name(rule_id, fallback),
        "rule": rule_ref(rule_id),
    }


def missed_call_text(subject: str) -> str:
    """A missed call's call-back clock, kept per number ("phone:138…",
    calls.services.callback_subject), as a person reads it: 未接来电 138… (the number is what
    the office calls back, never the community's name); "" for any other subject."""
    if subject.startswith("phone:"):
        return _("missed call %(phone)s") % {"phone": subject.removeprefix("phone:")}
    return ""


def subject_text(subject: str) -> str:
    """A clock's subject as a person reads it where it has no order (``missed_call_text``)."""
    return missed_call_text(subject) or subject


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
