from django.contrib import admin

from propdesk.community.backoffice import BackOfficeAdmin, GrowingList
from propdesk.followup.models import (
    CommonIssue,
    HomeVisit,
    Notice,
    Recovery,
    ReturnVisit,
    SuggestionItem,
)


@admin.register(ReturnVisit)
class ReturnVisitAdmin(GrowingList, BackOfficeAdmin):
    list_display = ("at", "community", "kind", "order", "household", "outcome", "level")
    list_filter = ("community", "kind", "outcome", "level", "at")
    list_select_related = ("community", "order", "household")
    raw_id_fields = ("order", "household", "visited_by", "team", "building")


@admin.register(SuggestionItem)
class SuggestionItemAdmin(BackOfficeAdmin):
    list_display = ("created_at", "community", "kind", "text", "state")
    list_filter = ("community", "kind", "state")
    raw_id_fields = ("household", "building", "visit", "order", "common_issue")


@admin.register(CommonIssue)
class CommonIssueAdmin(BackOfficeAdmin):
    list_display = ("opened_at", "community", "title", "state", "notice_due_at")
    list_filter = ("community", "state")
    raw_id_fields = ("orders",)


@admin.register(Notice)
class NoticeAdmin(BackOfficeAdmin):
    list_display = ("written_at", "community", "title", "posted_at")
    list_filter = ("community",)


@admin.register(HomeVisit)
class HomeVisitAdmin(BackOfficeAdmin):
    list_display = ("due_at", "community", "administrator", "state")
    list_filter = ("community", "state")
    raw_id_fields = ("households",)


@admin.register(Recovery)
class RecoveryAdmin(BackOfficeAdmin):
    list_display = ("opened_at", "community", "order", "state", "turned_at")
    list_filter = ("community", "state")
    raw_id_fields = ("order", "visit", "turned_visit")
