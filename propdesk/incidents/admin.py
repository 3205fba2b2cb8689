from django.contrib import admin

from propdesk.community.backoffice import BackOfficeInline, ReadOnlyAdmin
from propdesk.incidents.models import ApprovalRecord, Emergency, IncidentReport, Responder


class ResponderInline(BackOfficeInline):
    model = Responder
    can_delete = False
    readonly_fields = [f.name for f in Responder._meta.fields]


@admin.register(Emergency)
class EmergencyAdmin(ReadOnlyAdmin):
    """Read-only, deleted neither: every change goes through the services (and writes an event),
    and its EM clocks and its report hang on it."""

    list_display = ["kind_title", "location", "community", "state", "reported_at"]
    list_filter = ["state", "community"]
    inlines = [ResponderInline]


class ApprovalInline(BackOfficeInline):
    model = ApprovalRecord
    can_delete = False
    readonly_fields = ["action", "by", "at", "comment"]


@admin.register(IncidentReport)
class IncidentReportAdmin(ReadOnlyAdmin):
    """Read-only: a report is written, submitted and approved by leadership in the console."""

    list_display = ["emergency", "state", "submitted_at", "approved_at"]
    list_filter = ["state"]
    inlines = [ApprovalInline]
