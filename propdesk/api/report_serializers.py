"""The monthly report in JSON (read-only shapes of ``propdesk.reports.selectors``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from propdesk.api.followup_serializers import (
    BreakdownRowOut,
    ComplaintFiguresOut,
    LevelFiguresOut,
    PaceOut,
    TrendPointOut,
    TurnedOut,
)
from propdesk.api.serializers import RuleComplianceOut


def _pct() -> serializers.DecimalField:
    """A percentage to one decimal; null: no data."""
    return serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class ReportLineOut(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="unique in the report: RV-1, RV-2-rate, clock:CP-1 …")
    rule_id = serializers.CharField()
    title = serializers.CharField()
    unit = serializers.ChoiceField(choices=["%", "households", "items", "orders", "activities"])
    target = serializers.DecimalField(
        max_digits=7, decimal_places=1, allow_null=True, help_text="null: the rule sets no number"
    )
    figure = serializers.DecimalField(
        max_digits=9, decimal_places=1, allow_null=True, help_text="null: no data this month"
    )
    comparison = serializers.ChoiceField(choices=[">=", "<="])
    sample = serializers.IntegerField(allow_null=True, help_text="the figure's sample size")
    sample_label = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=["met", "missed", "no_data", "info"])
    note = serializers.CharField(allow_blank=True)
    list_key = serializers.CharField(allow_blank=True, help_text="the list behind the figure")


class ReportSatisfactionOut(serializers.Serializer[Any]):
    levels = LevelFiguresOut()
    rate_target = serializers.IntegerField()
    degree_target = serializers.IntegerField()
    attempts = serializers.IntegerField()
    no_answer = serializers.IntegerField()
    refused = serializers.IntegerField()
    due = serializers.IntegerField()
    due_visited = serializers.IntegerField()
    return_visit_rate = _pct()


class ReportBreachOut(serializers.Serializer[Any]):
    rule_id = serializers.CharField()
    title = serializers.CharField()
    order_id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_blank=True)
    subject = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    breached_at = serializers.DateTimeField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True, help_text="met late; null: not met")


class ReportOpenItemOut(serializers.Serializer[Any]):
    item_id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    household = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    age_days = serializers.IntegerField()
    age_hours = serializers.IntegerField()


class ReportIssueOut(serializers.Serializer[Any]):
    issue_id = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.CharField()
    opened_at = serializers.DateTimeField()
    notice_due_at = serializers.DateTimeField(allow_null=True)
    notice_posted_at = serializers.DateTimeField(allow_null=True)
    in_time = serializers.BooleanField(allow_null=True)


class ReportTurnedOrderOut(serializers.Serializer[Any]):
    order_id = serializers.IntegerField()
    number = serializers.CharField()
    opened_at = serializers.DateTimeField()
    turned_at = serializers.DateTimeField()


class ReportBreakdownsOut(serializers.Serializer[Any]):
    """RV-2 by team, kind of order and building, largest sample first."""

    team = BreakdownRowOut(many=True)
    kind = BreakdownRowOut(many=True)
    building = BreakdownRowOut(many=True)


class MonthlyReportOut(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    community_name = serializers.CharField()
    month = serializers.CharField()
    title = serializers.CharField()
    generated_at = serializers.DateTimeField()
    lines = ReportLineOut(many=True)
    satisfaction = ReportSatisfactionOut()
    pace = PaceOut()
    complaints = ComplaintFiguresOut()
    turned = TurnedOut()
    compliance = RuleComplianceOut(many=True)
    trend = TrendPointOut(many=True)
    breaches = ReportBreachOut(many=True)
    breaches_total = serializers.IntegerField(help_text="breaches may list fewer (the first 500)")
    open_items = ReportOpenItemOut(many=True)
    common_issues = ReportIssueOut(many=True)
    turned_orders = ReportTurnedOrderOut(many=True)
    breakdowns = ReportBreakdownsOut()


class CommunityHeadlineOut(serializers.Serializer[Any]):
    community_id = serializers.IntegerField()
    community_name = serializers.CharField()
    households_visited = serializers.IntegerField()
    households_target = serializers.IntegerField()
    answered = serializers.IntegerField()
    rate = _pct()
    rate_target = serializers.IntegerField()
    degree = _pct()
    degree_target = serializers.IntegerField()
    return_visit_rate = _pct()
    complaint_visit_rate = _pct()
    complaints_resolved = serializers.IntegerField()
    complaints_missing = serializers.IntegerField()
    issues_in_time_rate = _pct()
    turned = serializers.IntegerField()
    clocks_decided = serializers.IntegerField()
    clocks_breached = serializers.IntegerField()
    compliance = _pct()
    statuses = serializers.DictField(
        child=serializers.ChoiceField(choices=["met", "missed", "no_data", "info"]),
        help_text="rv1, rate, degree, rv3, rv7, clocks",
    )
    missed = serializers.IntegerField()


class ComparisonOut(serializers.Serializer[Any]):
    month = serializers.CharField()
    communities = CommunityHeadlineOut(many=True)
