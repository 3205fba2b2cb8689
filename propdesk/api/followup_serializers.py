"""Shapes of the follow-up API: return visits and the call list, the suggestions register,
common issues and notices, home visits, dissatisfied orders and the monthly KPI figures."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from propdesk.api.params import DateTimeIn
from propdesk.api.serializers import UserBriefOut
from propdesk.community.access import caller_phone_as_seen
from propdesk.desk.models import ReplyChannel
from propdesk.followup.models import (
    STAFF_VISIT_CHANNELS,
    CommonIssue,
    HomeVisit,
    ItemKind,
    Level,
    Notice,
    Recovery,
    ReturnVisit,
    SuggestionItem,
    VisitChannel,
    VisitKind,
    VisitOutcome,
)

# The values a field takes, so the schema lists them (an enum) and a bad one is a field error
# before anything is read. The services check the same values for the console's forms.
STAFF_CHANNEL_CHOICES = [(c, VisitChannel(c).label) for c in STAFF_VISIT_CHANNELS]


class ItemIn(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    text = serializers.CharField(max_length=2000)
    area = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class ReturnVisitIn(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    order = serializers.IntegerField(required=False, allow_null=True, default=None)
    household = serializers.IntegerField(required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(
        choices=STAFF_CHANNEL_CHOICES, required=False, default=VisitChannel.PHONE
    )
    outcome = serializers.ChoiceField(
        choices=VisitOutcome.choices, required=False, default=VisitOutcome.ANSWERED
    )
    level = serializers.ChoiceField(
        choices=Level.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Blank when nobody answered or the owner refused.",
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    opinion = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    items = ItemIn(many=True, required=False, default=list)
    retry_at = DateTimeIn(required=False, allow_null=True, default=None)
    activity_wish = serializers.CharField(
        max_length=400,
        required=False,
        allow_blank=True,
        default="",
        help_text="CS-3: the community activity the owner would like (answered visits only).",
    )


class SuggestionItemOut(serializers.ModelSerializer[SuggestionItem]):
    household_code = serializers.CharField(source="household.code", default=None)
    replied_by = UserBriefOut(allow_null=True)

    class Meta:
        model = SuggestionItem
        fields = [
            "id",
            "community",
            "kind",
            "text",
            "household",
            "household_code",
            "building",
            "area",
            "visit",
            "order",
            "common_issue",
            "state",
            "reply",
            "reply_channel",
            "replied_by",
            "replied_at",
            "created_at",
        ]


class ReturnVisitOut(serializers.ModelSerializer[ReturnVisit]):
    order_number = serializers.CharField(source="order.number", default=None)
    household_code = serializers.CharField(source="household.code", default=None)
    visited_by = UserBriefOut(allow_null=True, help_text="None: the owner rated in the portal")
    items = SuggestionItemOut(many=True)

    class Meta:
        model = ReturnVisit
        fields = [
            "id",
            "community",
            "kind",
            "order",
            "order_number",
            "household",
            "household_code",
            "channel",
            "phone",
            "outcome",
            "level",
            "opinion",
            "retry_at",
            "visited_by",
            "at",
            "items",
        ]

    def to_representation(self, instance: ReturnVisit) -> dict[str, Any]:
        """The number called as the requesting user may read it (masked for a team leader and
        company leadership: community.access.phone_as_seen)."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["phone"] = caller_phone_as_seen(
            getattr(request, "user", None), instance.community_id, instance.phone
        )
        return data


class CallListRowOut(serializers.Serializer[Any]):
    order_id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    household_id = serializers.IntegerField(allow_null=True)
    household = serializers.CharField()
    phone = serializers.CharField()
    resolved_at = serializers.DateTimeField()
    attempts = serializers.IntegerField()
    retry_at = serializers.DateTimeField(allow_null=True)


class SuggestionIn(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    text = serializers.CharField(max_length=2000)
    household = serializers.IntegerField(required=False, allow_null=True, default=None)
    order = serializers.IntegerField(required=False, allow_null=True, default=None)
    area = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class QueueRowOut(serializers.Serializer[Any]):
    item = SuggestionItemOut()
    age_days = serializers.IntegerField()
    age_hours = serializers.IntegerField()


class ReplyIn(serializers.Serializer[Any]):
    reply = serializers.CharField(max_length=4000)
    channel = serializers.ChoiceField(choices=ReplyChannel.choices)


class CommonIssueIn(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    title = serializers.CharField(max_length=100)
    building = serializers.IntegerField(required=False, allow_null=True, default=None)
    area = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    items = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    orders = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)


class CommonIssueOut(serializers.ModelSerializer[CommonIssue]):
    items: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    orders: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = CommonIssue
        fields = [
            "id",
            "community",
            "title",
            "building",
            "area",
            "state",
            "opened_at",
            "notice_due_at",
            "notice_posted_at",
            "dropped_at",
            "drop_reason",
            "items",
            "orders",
        ]


class ProposalOut(serializers.Serializer[Any]):
    title = serializers.CharField()
    building_id = serializers.IntegerField(allow_null=True)
    area = serializers.CharField()
    item_ids = serializers.ListField(child=serializers.IntegerField())
    order_ids = serializers.ListField(child=serializers.IntegerField())
    households = serializers.IntegerField()
    texts = serializers.ListField(child=serializers.CharField())


class ReasonIn(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=4000)


class NoticeIn(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=20000)
    common_issue = serializers.IntegerField(required=False, allow_null=True, default=None)


class NoticeOut(serializers.ModelSerializer[Notice]):
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "community",
            "common_issue",
            "title",
            "body",
            "written_at",
            "posted_at",
            "photos",
        ]

    def get_photos(self, obj: Notice) -> list[str]:
        return [p.original_name for p in obj.photos.all()]


class NoticePostIn(serializers.Serializer[Any]):
    photo = serializers.FileField()


class HomeVisitIn(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    administrator = serializers.IntegerField()
    households = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    due_at = DateTimeIn()
    reason = serializers.CharField(max_length=4000)
    common_issue = serializers.IntegerField(required=False, allow_null=True, default=None)


class HomeVisitOut(serializers.ModelSerializer[HomeVisit]):
    administrator = UserBriefOut()
    households: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "community",
            "administrator",
            "households",
            "common_issue",
            "reason",
            "due_at",
            "state",
            "assigned_at",
            "done_at",
            "notes",
        ]


class NotesIn(serializers.Serializer[Any]):
    notes = serializers.CharField(max_length=4000)


class RecoveryOut(serializers.ModelSerializer[Recovery]):
    order_number = serializers.CharField(source="order.number")
    order_state = serializers.CharField(source="order.state")
    level = serializers.CharField(source="visit.level")

    class Meta:
        model = Recovery
        fields = [
            "id",
            "order",
            "order_number",
            "order_state",
            "level",
            "owner_words",
            "state",
            "opened_at",
        ]


# --- KPI figures ----------------------------------------------------------------------------


class LevelFiguresOut(serializers.Serializer[Any]):
    answered = serializers.IntegerField(help_text="sample size of rate and degree")
    counts = serializers.DictField(child=serializers.IntegerField())
    satisfied = serializers.IntegerField()
    rate = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="满意率, %; null: no answers"
    )
    degree = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="满意度, %; null: no answers"
    )


class BreakdownRowOut(serializers.Serializer[Any]):
    key = serializers.CharField(allow_null=True, help_text="team or building id, or order kind")
    name = serializers.CharField(source="label")
    figures = LevelFiguresOut()


class TrendPointOut(serializers.Serializer[Any]):
    month = serializers.CharField()
    figures = LevelFiguresOut()


class MissingVisitOut(serializers.Serializer[Any]):
    order_id = serializers.IntegerField()
    number = serializers.CharField()
    resolved_at = serializers.DateTimeField()
    is_important = serializers.BooleanField()
    follow_up_due = serializers.DateTimeField(
        allow_null=True,
        help_text="While the complaint's CP-2 follow-up runs (not late yet), when it is due; "
        "null once it is met, late or cancelled.",
    )


class ComplaintFiguresOut(serializers.Serializer[Any]):
    resolved = serializers.IntegerField()
    visited = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    target = serializers.IntegerField()
    missing = MissingVisitOut(many=True)


class PaceOut(serializers.Serializer[Any]):
    visited = serializers.IntegerField()
    target = serializers.IntegerField()
    days_elapsed = serializers.IntegerField()
    days_in_month = serializers.IntegerField()
    expected_by_now = serializers.IntegerField()
    behind = serializers.BooleanField()


class TurnedOut(serializers.Serializer[Any]):
    opened = serializers.IntegerField()
    turned = serializers.IntegerField()
    awaiting = serializers.IntegerField()


class IssueFiguresOut(serializers.Serializer[Any]):
    opened = serializers.IntegerField()
    dropped = serializers.IntegerField()
    posted_in_time = serializers.IntegerField()
    posted_late = serializers.IntegerField()
    without_notice = serializers.IntegerField()
    in_time_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class SatisfactionOut(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    month = serializers.CharField()
    levels = LevelFiguresOut()
    no_answers = serializers.BooleanField(help_text="true when nothing was answered this month")
    rate_target = serializers.IntegerField()
    degree_target = serializers.IntegerField()
    attempts = serializers.IntegerField()
    no_answer = serializers.IntegerField()
    refused = serializers.IntegerField()
    due = serializers.IntegerField()
    due_visited = serializers.IntegerField()
    return_visit_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    by_team = BreakdownRowOut(many=True)
    by_kind = BreakdownRowOut(many=True)
    by_building = BreakdownRowOut(many=True)
    trend = TrendPointOut(many=True)
    complaints = ComplaintFiguresOut()
    quota = PaceOut()
    turned = TurnedOut()
    common_issues = IssueFiguresOut()
