from django.contrib import admin

from propdesk.clocks.models import Clock
from propdesk.community.backoffice import (
    BackOfficeAdmin,
    GrowingList,
    ReadOnlyAdmin,
    ReadOnlyInline,
)
from propdesk.desk.models import Attachment, Contact, ServiceItem, WorkOrder, WorkOrderEvent


@admin.register(ServiceItem)
class ServiceItemAdmin(BackOfficeAdmin):
    """The company's catalogue of services: a staff member sees their companies' items."""

    list_display = ["code", "name", "kind", "team_kind", "time_standard_minutes", "fee", "active"]
    list_filter = ["company", "kind", "team_kind", "active"]
    search_fields = ["code", "name"]


class EventInline(ReadOnlyInline):
    model = WorkOrderEvent
    fields = ("at", "actor", "action", "from_state", "to_state", "note")
    readonly_fields = fields


class ClockInline(ReadOnlyInline):
    """The order's time rules: what is running, met or breached, and when it is due."""

    model = Clock
    fields = ("rule_id", "title", "state", "started_at", "due_at", "met_at", "breached_at", "level")
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("kind", "file", "original_name", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(GrowingList, ReadOnlyAdmin):
    list_display = ["number", "kind", "state", "household", "team", "assignee", "created_at"]
    list_filter = ["community", "kind", "state", "complaint_type", "created_at"]
    search_fields = ["number", "description", "household__code"]
    # A team's name is said with its community's.
    list_select_related = ["household", "team__community", "assignee"]
    inlines = [ClockInline, EventInline, AttachmentInline]


@admin.register(Contact)
class ContactAdmin(GrowingList, ReadOnlyAdmin):
    list_display = [
        "received_at",
        "channel",
        "caller_name",
        "caller_phone",
        "household",
        "intent",
        "outcome",
    ]
    list_filter = ["community", "channel", "intent", "outcome", "received_at"]
    search_fields = ["caller_name", "caller_phone", "content"]
    list_select_related = ["household"]


@admin.register(WorkOrderEvent)
class WorkOrderEventAdmin(GrowingList, ReadOnlyAdmin):
    list_display = ["at", "order", "action", "from_state", "to_state", "actor"]
    list_filter = ["community", "action", "at"]
    list_select_related = ["order", "actor"]
