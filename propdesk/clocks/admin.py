from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from propdesk.clocks.models import CalendarDay, Clock, PolicyVersion
from propdesk.clocks.services import calendar_day_set
from propdesk.community.backoffice import BackOfficeAdmin, ReadOnlyAdmin
from propdesk.core.clock import get_clock


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdmin):
    list_display = [
        "rule_id",
        "title",
        "order",
        "state",
        "started_at",
        "due_at",
        "met_at",
        "breached_at",
        "level",
    ]
    list_filter = ["community", "rule_id", "state"]
    search_fields = ["order__number", "rule_id"]
    list_select_related = ["order"]
    date_hierarchy = "started_at"


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["community", "fingerprint", "created_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(BackOfficeAdmin):
    """An office's own working days and days off; saving recomputes running clocks."""

    list_display = ["day", "is_working", "note", "community"]
    list_filter = ["community", "is_working"]
    date_hierarchy = "day"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and "day" in form.changed_data:
            calendar_day_set(
                community=obj.community,
                day=form.initial["day"],
                is_working=None,
                now=get_clock().now(),
            )
        calendar_day_set(
            community=obj.community,
            day=obj.day,
            is_working=obj.is_working,
            now=get_clock().now(),
            note=obj.note,
        )
        obj.pk = CalendarDay.objects.get(community=obj.community, day=obj.day).pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        calendar_day_set(
            community=obj.community, day=obj.day, is_working=None, now=get_clock().now()
        )

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
