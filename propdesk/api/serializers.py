"""Shapes of the API: *Out serializers render, *In serializers check types at the door.
The rules themselves live in the services."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from propdesk.api.cached import CachedModelSerializer, CachedSerializer
from propdesk.api.params import DateTimeIn
from propdesk.clocks.models import Clock
from propdesk.community.access import may_call_owners, phone_as_seen
from propdesk.community.models import Community, Household, Resident, Team, User
from propdesk.desk.models import (
    Attachment,
    Channel,
    ComplaintType,
    Contact,
    OrderKind,
    Outcome,
    ReplyChannel,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
)
from propdesk.desk.selectors import Reporter
from propdesk.policy.money import parse_money
from propdesk.policy.phones import Phone
from propdesk.policy.workflow import ACTIONS, Field


def phone_display(number: str, ext: str = "") -> str:
    return Phone(number, ext).display() if number else ""


def mask_owner_phone(
    data: dict[str, Any], context: Mapping[str, Any], community_id: int, prefix: str
) -> dict[str, Any]:
    """``data``'s ``<prefix>phone`` (with its extension and display) as the requesting user may
    read it (community.access.phone_as_seen): whole for the roles that call owners, else
    138****1234 with no extension."""
    request = context.get("request")
    user = getattr(request, "user", None)
    number = data.get(f"{prefix}phone") or ""
    if user is None or not number or may_call_owners(user, community_id):
        return data
    masked = phone_as_seen(user, community_id, number)
    data[f"{prefix}phone"] = masked
    data[f"{prefix}phone_ext"] = ""
    data[f"{prefix}phone_display"] = masked
    return data


class CommunityOut(CachedModelSerializer[Community]):
    company = serializers.CharField(source="company.name")

    class Meta:
        model = Community
        fields = ["id", "name", "code", "company", "address", "time_zone", "order_prefix"]


class UserBriefOut(CachedModelSerializer[User]):
    display_name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name"]

    def get_display_name(self, obj: User) -> str:
        return str(obj)


class ResidentOut(CachedModelSerializer[Resident]):
    phone_display = serializers.SerializerMethodField()

    class Meta:
        model = Resident
        fields = ["id", "name", "relation", "phone", "phone_ext", "phone_display"]

    def get_phone_display(self, obj: Resident) -> str:
        return phone_display(obj.phone, obj.phone_ext)

    def to_representation(self, instance: Resident) -> dict[str, Any]:
        data = super().to_representation(instance)
        return mask_owner_phone(data, self.context, instance.household.community_id, "")


class HouseholdOut(CachedModelSerializer[Household]):
    building = serializers.CharField(source="unit.building.number")
    unit = serializers.CharField(source="unit.number")
    residents = ResidentOut(many=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "community",
            "code",
            "building",
            "unit",
            "room",
            "area",
            "note",
            "residents",
        ]


class HouseholdBriefOut(CachedModelSerializer[Household]):
    class Meta:
        model = Household
        fields = ["id", "code"]


class TeamOut(CachedModelSerializer[Team]):
    leader = UserBriefOut(allow_null=True)

    class Meta:
        model = Team
        fields = ["id", "community", "kind", "name", "leader"]


class ServiceItemOut(CachedModelSerializer[ServiceItem]):
    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "team_kind",
            "steps",
            "time_standard_minutes",
            "fee",
            "fee_note",
        ]


class EventOut(CachedModelSerializer[WorkOrderEvent]):
    actor = UserBriefOut(allow_null=True)

    class Meta:
        model = WorkOrderEvent
        fields = ["id", "at", "actor", "action", "from_state", "to_state", "note", "data"]


class AttachmentOut(CachedModelSerializer[Attachment]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, obj: Attachment) -> str:
        """The file, served only through the access-checked view (never /media/)."""
        return reverse("file-attachment", args=[obj.pk])


class WorkOrderOut(CachedModelSerializer[WorkOrder]):
    household = HouseholdBriefOut(allow_null=True)
    team = serializers.SerializerMethodField()
    assignee = UserBriefOut(allow_null=True)
    # From the enums, not get_FOO_display(), which rebuilds and hashes every lazy choice label
    # on each call (a fifth of the list's time in bench/RESULTS.md).
    kind_display = serializers.SerializerMethodField()
    state_display = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "community",
            "kind",
            "kind_display",
            "complaint_type",
            "is_important",
            "is_long_running",
            "is_construction_legacy",
            "is_urgent",
            "household",
            "location",
            "description",
            "appointment_at",
            "team",
            "assignee",
            "state",
            "state_display",
            "version",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
            "waiting",
            "waiting_since",
        ]

    def get_kind_display(self, obj: WorkOrder) -> str:
        return obj.kind_label

    def get_state_display(self, obj: WorkOrder) -> str:
        return obj.get_state_display()  # in the kind's words (desk.models.state_label)

    def get_team(self, obj: WorkOrder) -> dict[str, Any] | None:
        return {"id": obj.team.pk, "name": obj.team.name} if obj.team else None


class ClockOut(CachedModelSerializer[Clock]):
    seconds_left = serializers.SerializerMethodField(
        help_text="Until the deadline (negative: overdue); null once met or cancelled. While "
        "paused (paused_at set) the time that was left when the pause began."
    )

    class Meta:
        model = Clock
        fields = [
            "id",
            "rule_id",
            "title",
            "subject",
            "period",
            "state",
            "started_at",
            "due_at",
            "met_at",
            "breached_at",
            "cancelled_at",
            "level",
            "paused_at",
            "paused_seconds",
            "seconds_left",
        ]

    def get_seconds_left(self, obj: Clock) -> int | None:
        if obj.met_at or obj.cancelled_at or obj.state in ("met", "cancelled"):
            return None
        if obj.paused_at is not None:
            return int((obj.due_at - obj.paused_at).total_seconds())
        now = self.context.get("now")
        return int((obj.due_at - now).total_seconds()) if now else None


class TimelineEntryOut(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=["event", "clock"])  # type: ignore[assignment]
    what = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    rule_id = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    data = serializers.DictField()  # type: ignore[assignment]


class WorkOrderDetailOut(WorkOrderOut):
    service_item = ServiceItemOut(allow_null=True)
    events = EventOut(many=True)
    attachments = AttachmentOut(many=True)
    contact: serializers.PrimaryKeyRelatedField[Contact] = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True
    )
    created_by = UserBriefOut(allow_null=True)  # empty: a resident reported it (业主自助)
    # From the "reporter" context (desk.selectors.order_reporter_to_call): masked for team roles,
    # but for the order's assignee while they are doing it (community.access.may_call_order_owner).
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    reporter_phone_display = serializers.SerializerMethodField()
    reporter_phone_masked = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    clocks = ClockOut(many=True)
    timeline = serializers.SerializerMethodField()

    class Meta(WorkOrderOut.Meta):
        fields = [
            *WorkOrderOut.Meta.fields,
            "service_item",
            "reporter_name",
            "reporter_phone",
            "reporter_phone_display",
            "reporter_phone_masked",
            "contact",
            "created_by",
            "materials",
            "fee_charged",
            "actions",
            "clocks",
            "timeline",
            "events",
            "attachments",
        ]

    @extend_schema_field(TimelineEntryOut(many=True))
    def get_timeline(self, obj: WorkOrder) -> list[dict[str, Any]]:
        return list(self.context.get("timeline", []))

    def _reporter(self) -> Reporter:
        reporter: Reporter | None = self.context.get("reporter")
        if reporter is None:  # never the whole number unless the view decided so
            raise ValueError("WorkOrderDetailOut needs the reporter in its context")
        return reporter

    def get_reporter_name(self, obj: WorkOrder) -> str:
        return self._reporter().name

    def get_reporter_phone(self, obj: WorkOrder) -> str:
        return self._reporter().phone

    def get_reporter_phone_display(self, obj: WorkOrder) -> str:
        return self._reporter().phone_display

    def get_reporter_phone_masked(self, obj: WorkOrder) -> bool:
        return self._reporter().masked

    def get_actions(self, obj: WorkOrder) -> list[str]:
        return list(self.context.get("actions", []))


class ContactOut(CachedModelSerializer[Contact]):
    household = HouseholdBriefOut(allow_null=True)
    taken_by = UserBriefOut(allow_null=True)  # empty: a resident reported it (业主自助)
    work_orders = serializers.SerializerMethodField()
    caller_phone_display = serializers.SerializerMethodField()

    class Meta:
        model = Contact
        fields = [
            "id",
            "community",
            "channel",
            "received_at",
            "caller_name",
            "caller_phone",
            "caller_phone_ext",
            "caller_phone_display",
            "household",
            "room_text",
            "intent",
            "content",
            "outcome",
            "resolution",
            "promised_at",
            "promise_reason",
            "promise_kept_at",
            "promise_result",
            "owner_agitated",
            "taken_by",
            "created_at",
            "work_orders",
        ]

    def get_caller_phone_display(self, obj: Contact) -> str:
        return phone_display(obj.caller_phone, obj.caller_phone_ext)

    def to_representation(self, instance: Contact) -> dict[str, Any]:
        data = super().to_representation(instance)
        return mask_owner_phone(data, self.context, instance.community_id, "caller_")

    def get_work_orders(self, obj: Contact) -> list[dict[str, Any]]:
        return [{"id": o.pk, "number": o.number} for o in obj.work_orders.all()]


# --- input ---------------------------------------------------------------------------------------


class WorkOrderDraftIn(CachedSerializer):
    kind = serializers.ChoiceField(choices=OrderKind.choices)
    description = serializers.CharField(max_length=4000, allow_blank=True)
    complaint_type = serializers.ChoiceField(
        choices=ComplaintType.choices, required=False, allow_blank=True, default=""
    )
    is_important = serializers.BooleanField(required=False, default=False)
    is_long_running = serializers.BooleanField(required=False, default=False)
    is_construction_legacy = serializers.BooleanField(required=False, default=False)
    is_urgent = serializers.BooleanField(
        required=False, default=False, help_text="急修: an urgent repair (repairs only)"
    )
    household = serializers.IntegerField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reporter_name = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default=""
    )
    reporter_phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    service_item = serializers.IntegerField(required=False, allow_null=True, default=None)
    appointment_at = DateTimeIn(
        required=False,
        allow_null=True,
        default=None,
        help_text="预约上门时间: when the owner wants the visit (not in the past); the "
        "technician's plan.",
    )


class WorkOrderCreateIn(WorkOrderDraftIn):
    community = serializers.IntegerField()


class ContactCreateIn(CachedSerializer):
    community = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    received_at = DateTimeIn(required=False, allow_null=True, default=None)
    caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    caller_phone = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    room_text = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    household = serializers.IntegerField(required=False, allow_null=True, default=None)
    intent = serializers.ChoiceField(choices=OrderKind.choices)
    content = serializers.CharField(max_length=4000, allow_blank=True)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    resolution = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    promised_at = DateTimeIn(required=False, allow_null=True, default=None)
    promise_reason = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, default=""
    )
    owner_agitated = serializers.BooleanField(required=False, default=False)
    no_written_material = serializers.BooleanField(
        required=False,
        default=False,
        help_text="CP-3: a written complaint (a complaint that came as a letter) needs the "
        "owner's letter, which the front desk's form attaches; here, where no file is sent, "
        "true says that the owner left no written material.",
    )
    work_orders = WorkOrderDraftIn(many=True, required=False, default=list)


class FlagsIn(CachedSerializer):
    is_important = serializers.BooleanField(required=False)
    is_long_running = serializers.BooleanField(required=False)
    is_construction_legacy = serializers.BooleanField(required=False)


class _ActionIn(CachedSerializer):
    """What one action of the workflow takes: the version the client saw, and the fields the
    workflow table declares for it (policy.workflow.ACTIONS). A field it does not take is an
    error, not silently dropped: the console and the API accept exactly the same things."""

    version = serializers.IntegerField(min_value=1)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "keys"):
            extra = sorted(set(data.keys()) - set(self.fields))
            if extra:
                raise serializers.ValidationError(
                    {k: [_("This action does not take this.")] for k in extra}
                )
        return super().to_internal_value(data)


class MoneyIn(serializers.DecimalField):
    """Yuan as the console takes them: 45, "45.00", "¥45", "45元" (policy.money)."""

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str) and data.strip():
            try:
                amount = parse_money(data)
            except ValueError:
                raise serializers.ValidationError(
                    _("Type the amount in yuan, e.g. 45, 45.50 or ¥45."), code="invalid"
                ) from None
            data = str(amount)
        return super().to_internal_value(data)


def _action_field(f: Field) -> serializers.Field[Any, Any, Any, Any]:
    req = f.required
    if f.name == "note":
        if req:
            return serializers.CharField(max_length=4000)
        return serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    if f.name == "channel":
        return serializers.ChoiceField(
            choices=ReplyChannel.choices, required=False, default=ReplyChannel.PHONE
        )
    if f.name in ("team", "assignee"):
        if req:
            return serializers.IntegerField()
        return serializers.IntegerField(required=False, allow_null=True, default=None)
    if f.name == "materials":
        return serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    if f.name == "fee":
        return MoneyIn(
            max_digits=9,
            decimal_places=2,
            min_value=Decimal(0),
            required=False,
            allow_null=True,
            default=None,
            help_text="yuan",
        )
    if f.name == "flags":
        return FlagsIn(required=req)
    if f.name == "waiting":
        return serializers.CharField(
            max_length=20,
            help_text="what the order waits for: a key of the policy's waiting states "
            "(owner_absent, owner_confirm, parts by default)",
        )
    raise ValueError(f.name)


def action_serializer(name: str) -> type[_ActionIn]:
    """The request body of one action, built from its declaration on the workflow table."""
    spec = ACTIONS[name]
    attrs: dict[str, Any] = {
        f.name: _action_field(f) for f in {f.name: f for f in spec.fields}.values()
    }
    attrs["__doc__"] = f"What {name} takes (declared on the workflow table)."
    camel = "".join(p.capitalize() for p in name.split("_"))
    return type(f"{camel}In", (_ActionIn,), attrs)


ACTION_SERIALIZERS = {name: action_serializer(name) for name in ACTIONS}


class PromiseKeptIn(CachedSerializer):
    result = serializers.CharField(max_length=4000, allow_blank=True)


class AttachmentIn(serializers.Serializer[Any]):
    file = serializers.FileField()
    kind = serializers.ChoiceField(
        choices=Attachment.Kind.choices, required=False, default=Attachment.Kind.PHOTO
    )


class RuleComplianceOut(serializers.Serializer[Any]):
    rule_id = serializers.CharField()
    title = serializers.CharField()
    started = serializers.IntegerField()
    met = serializers.IntegerField(help_text="met in time")
    breached = serializers.IntegerField(help_text="missed, met late or not at all")
    running = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    compliance = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="met / (met + breached) in percent; null while nothing is decided",
    )


class ComplianceOut(serializers.Serializer[Any]):
    community = serializers.IntegerField()
    month = serializers.CharField()
    rules = RuleComplianceOut(many=True)


class AppointmentIn(CachedSerializer):
    """改约: agree a new time for the home visit (预约上门时间), or withdraw it (null)."""

    version = serializers.IntegerField(min_value=1)
    appointment_at = DateTimeIn(
        allow_null=True,
        help_text="预约上门时间: not in the past, within 60 days; null withdraws it",
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
