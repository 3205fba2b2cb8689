from __future__ import annotations

from django.contrib import admin

from propdesk.community.admin import ReadOnlyAdmin
from propdesk.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "title", "recipient", "channel", "state", "read_at"]
    list_filter = ["community", "kind", "channel", "state"]
    search_fields = ["title", "cause"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
