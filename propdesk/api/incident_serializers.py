"""Shapes of the emergencies API: logging one, its responders with their EM-2 clocks, and the
incident report with its timeline and approvals."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from propdesk.api.serializers import UserBriefOut
from propdesk.community.access import caller_phone_as_seen
from propdesk.incidents import selectors
from propdesk.incidents.models import (
    ApprovalRecord,
    Emergency,
    IncidentPhoto,
    IncidentReport,
    Responder,
)


class EmergencyKindOut(serializers.Serializer[Any]):
    code = serializers.CharField()
    title = serializers.CharField()
    departments = serializers.ListField(child=serializers.CharField())


class EmergencyCreateIn(serializers.Serializer[Any]):
    """One screen at the front desk: the kind and where; the rest may wait."""

    community = serializers.IntegerField()
    kind = serializers.CharField(max_length=30)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    household = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    duplicate = serializers.ChoiceField(
        choices=["merge", "force"],
        required=False,
        default="",
        help_text="The same emergency logged less than a minute ago answers 409 "
        "(code duplicate_emergency, duplicate_of: its id) unless this says merge (the report "
        "joins the open one, nobody is called again; 200) or force (a separate emergency).",
    )


class ResolveIn(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=4000, allow_blank=True)


class ClockBriefOut(serializers.Serializer[Any]):
    state = serializers.CharField()
    due_at = serializers.DateTimeField()
    seconds_left = serializers.IntegerField(allow_null=True)
    met_at = serializers.DateTimeField(allow_null=True)


class ResponderOut(serializers.ModelSerializer[Responder]):
    user = UserBriefOut()
    team_name = serializers.CharField(source="team.name", default="", read_only=True)
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Responder
        fields = [
            "user",
            "reason",
            "team",
            "team_name",
            "notified_at",
            "acknowledged_at",
            "arrived_at",
            "rounds",
            "widened_at",
            "clock",
        ]

    def get_clock(self, obj: Responder) -> dict[str, Any] | None:
        clock = selectors.responder_clock(obj.emergency, obj.user_id)
        if clock is None:
            return None
        return ClockBriefOut(
            {
                "state": clock.state,
                "due_at": clock.due_at,
                "seconds_left": selectors.seconds_left(clock, self.context["now"]),
                "met_at": clock.met_at,
            }
        ).data


class EmergencyOut(serializers.ModelSerializer[Emergency]):
    order_number = serializers.CharField(source="order.number", read_only=True)
    reported_by = UserBriefOut()
    responders = ResponderOut(many=True)
    has_report = serializers.SerializerMethodField()
    may_open = serializers.SerializerMethodField(
        help_text="Whether the signed-in user may open the emergency's page in the console "
        "(/desk/emergencies/{id}/): called to it, office staff of its community or company "
        "leadership. The alert banner links there when true."
    )

    class Meta:
        model = Emergency
        fields = [
            "id",
            "community",
            "order",
            "order_number",
            "kind",
            "kind_title",
            "location",
            "household",
            "description",
            "caller_name",
            "caller_phone",
            "state",
            "reported_at",
            "reported_by",
            "resolved_at",
            "resolution",
            "responders",
            "has_report",
            "may_open",
        ]

    def to_representation(self, instance: Emergency) -> dict[str, Any]:
        """The caller's phone as the requesting user may read it (masked for the teams called,
        concierges and company leadership: community.access.phone_as_seen)."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        data["caller_phone"] = caller_phone_as_seen(
            getattr(request, "user", None), instance.community_id, instance.caller_phone
        )
        return data

    def get_has_report(self, obj: Emergency) -> bool:
        return hasattr(obj, "report")

    def get_may_open(self, obj: Emergency) -> bool:
        request = self.context.get("request")
        return request is not None and selectors.may_open_emergency(request.user, obj)


class TimelineEntryOut(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    what = serializers.CharField()
    title = serializers.CharField()
    person = serializers.CharField()
    note = serializers.CharField()


class ApprovalOut(serializers.ModelSerializer[ApprovalRecord]):
    by = UserBriefOut()

    class Meta:
        model = ApprovalRecord
        fields = ["action", "by", "at", "comment"]


class PhotoOut(serializers.ModelSerializer[IncidentPhoto]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = IncidentPhoto
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, obj: IncidentPhoto) -> str:
        """The photo, served only through the access-checked view (never /media/)."""
        return reverse("file-incident-photo", args=[obj.pk])


class IncidentReportOut(serializers.ModelSerializer[IncidentReport]):
    timeline = serializers.SerializerMethodField()
    approvals = ApprovalOut(many=True)
    photos = PhotoOut(many=True)
    filed = serializers.BooleanField(read_only=True)

    class Meta:
        model = IncidentReport
        fields = [
            "id",
            "emergency",
            "state",
            "filed",
            "version",
            "cause_analysis",
            "measures",
            "losses",
            "people_involved",
            "submitted_at",
            "approved_at",
            "timeline",
            "approvals",
            "photos",
        ]

    def get_timeline(self, obj: IncidentReport) -> list[dict[str, Any]]:
        entries = selectors.report_timeline(obj.emergency)
        return TimelineEntryOut([e.__dict__ for e in entries], many=True).data  # type: ignore[return-value]


class IncidentReportIn(serializers.Serializer[Any]):
    version = serializers.IntegerField(min_value=1)
    cause_analysis = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    measures = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    losses = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    people_involved = serializers.CharField(max_length=8000, required=False, allow_blank=True)


class DecisionIn(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PhotoIn(serializers.Serializer[Any]):
    file = serializers.FileField()
