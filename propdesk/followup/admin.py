"""The return visits and what they lead to, in the back office: read only. They are the month's
figures (RV-1's satisfied households, RV-2 … RV-8) and each was written by a service that met or
started its clocks (a visit meets RV-6, a home visit runs RV-8, a recovery is the head's queue):
changed or deleted here, a figure would move with no timeline line and no clock met, or a clock
would run on for a record gone. The console's screens (回访, 意见建议, 共性问题, 我的待办) are
where they change."""

from django.contrib import admin

from propdesk.community.backoffice import GrowingList, ReadOnlyAdmin
from propdesk.followup.models import (
    CommonIssue,
    HomeVisit,
    Notice,
    Recovery,
    ReturnVisit,
    SuggestionItem,
)


@admin.register(ReturnVisit)
class ReturnVisitAdmin(GrowingList, ReadOnlyAdmin):
    list_display = ("at", "community", "kind", "order", "household", "outcome", "level")
    list_filter = ("community", "kind", "outcome", "level", "at")
    list_select_related = ("community", "order", "household")
    raw_id_fields = ("order", "household", "visited_by", "team", "building")


@admin.register(SuggestionItem)
class SuggestionItemAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "community", "kind", "text", "state")
    list_filter = ("community", "kind", "state")
    raw_id_fields = ("household", "building", "visit", "order", "common_issue")


@admin.register(CommonIssue)
class CommonIssueAdmin(ReadOnlyAdmin):
    list_display = ("opened_at", "community", "title", "state", "notice_due_at")
    list_filter = ("community", "state")
    raw_id_fields = ("orders",)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("written_at", "community", "title", "posted_at")
    list_filter = ("community",)


@admin.register(HomeVisit)
class HomeVisitAdmin(ReadOnlyAdmin):
    list_display = ("due_at", "community", "administrator", "state")
    list_filter = ("community", "state")
    raw_id_fields = ("households",)


@admin.register(Recovery)
class RecoveryAdmin(ReadOnlyAdmin):
    list_display = ("opened_at", "community", "order", "state", "turned_at")
    list_filter = ("community", "state")
    raw_id_fields = ("order", "visit", "turned_visit")
