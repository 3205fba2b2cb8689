from django.contrib import admin

from propdesk.incidents.models import ApprovalRecord, Emergency, IncidentReport, Responder


class ResponderInline(admin.TabularInline[Responder, Emergency]):
    model = Responder
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Responder._meta.fields]


@admin.register(Emergency)
class EmergencyAdmin(admin.ModelAdmin[Emergency]):
    """Read-only: every change goes through the services (and writes an event)."""

    list_display = ["kind_title", "location", "community", "state", "reported_at"]
    list_filter = ["state", "community"]
    inlines = [ResponderInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class ApprovalInline(admin.TabularInline[ApprovalRecord, IncidentReport]):
    model = ApprovalRecord
    extra = 0
    can_delete = False
    readonly_fields = ["action", "by", "at", "comment"]


@admin.register(IncidentReport)
class IncidentReportAdmin(admin.ModelAdmin[IncidentReport]):
    list_display = ["emergency", "state", "submitted_at", "approved_at"]
    list_filter = ["state"]
    inlines = [ApprovalInline]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
