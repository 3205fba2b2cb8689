from django.contrib import admin

from propdesk.community.backoffice import BackOfficeAdmin, BackOfficeInline
from propdesk.incidents.models import ApprovalRecord, Emergency, IncidentReport, Responder


class ResponderInline(BackOfficeInline):
    model = Responder
    can_delete = False
    readonly_fields = [f.name for f in Responder._meta.fields]


@admin.register(Emergency)
class EmergencyAdmin(BackOfficeAdmin):
    """Read-only: every change goes through the services (and writes an event)."""

    list_display = ["kind_title", "location", "community", "state", "reported_at"]
    list_filter = ["state", "community"]
    inlines = [ResponderInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class ApprovalInline(BackOfficeInline):
    model = ApprovalRecord
    can_delete = False
    readonly_fields = ["action", "by", "at", "comment"]


@admin.register(IncidentReport)
class IncidentReportAdmin(BackOfficeAdmin):
    list_display = ["emergency", "state", "submitted_at", "approved_at"]
    list_filter = ["state"]
    inlines = [ApprovalInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
