"""Clocks: an emergency is not a complaint (RULES.md EM-1..3). The shipped policy no longer starts
a complaint's clocks (CP-1, CP-4, CP-7) on an emergency's order; here, what was stored before:

- a community's own policy that spells out those rules' start triggers (its list replaces the
  shipped one when merged) gets the same exception (``unless: {complaint_type: emergency}``) on
  each trigger about complaints that does not already say something of the complaint type;
- those rules' clocks on emergencies' orders are cancelled (reason ``emergency``): one still
  running no longer counts down or escalates, and none, met or breached, counts in the rule's
  monthly figures (it was never the rule's to count)."""

from typing import Any

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce

RULES = ("CP-1", "CP-4", "CP-7")
EXCEPTION = {"complaint_type": "emergency"}
REASON = "emergency"


def _about_complaints(trigger: dict[str, Any]) -> bool:
    kind = (trigger.get("when") or {}).get("kind")
    kinds = kind if isinstance(kind, list) else [kind]
    return kind is None or "complaint" in kinds


def with_exception(policy: Any) -> Any:
    """``policy`` (a community's overrides) with the exception on its complaint rules' start
    triggers; the same object when there is nothing to change."""
    clocks = policy.get("clocks") if isinstance(policy, dict) else None
    if not isinstance(clocks, dict):
        return policy
    changed = False
    for rule in RULES:
        spec = clocks.get(rule)
        starts = spec.get("start") if isinstance(spec, dict) else None
        if not isinstance(starts, list):
            continue
        for trigger in starts:
            if not isinstance(trigger, dict) or not _about_complaints(trigger):
                continue
            if "complaint_type" in (trigger.get("when") or {}):
                continue
            unless = trigger.setdefault("unless", {})
            if isinstance(unless, dict) and "complaint_type" not in unless:
                unless.update(EXCEPTION)
                changed = True
    return policy if not changed else dict(policy)


def forward(apps: Any, schema_editor: Any) -> None:
    Community = apps.get_model("community", "Community")
    for community in Community.objects.exclude(policy={}).only("pk", "policy"):
        before = repr(community.policy)
        after = with_exception(community.policy)
        if repr(after) != before:
            Community.objects.filter(pk=community.pk).update(policy=after)
    Clock = apps.get_model("clocks", "Clock")
    Clock.objects.filter(
        rule_id__in=RULES, order__kind="complaint", order__complaint_type="emergency"
    ).exclude(state="cancelled").update(
        state="cancelled",
        cancelled_at=Coalesce(F("met_at"), F("breached_at"), F("started_at")),
        cancel_reason=REASON,
        next_check_at=None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clocks", "0009_cp7_title_weekly_followup"),
        ("community", "0009_team_working_hours"),
        ("desk", "0027_state_words_over_every_kind"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop, elidable=True)]
