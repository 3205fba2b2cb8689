from __future__ import annotations

from django.contrib import admin

from propdesk.community.backoffice import BackOfficeAdmin, GrowingList, ReadOnlyAdmin
from propdesk.notify.models import Notification, NotificationEndpoint


@admin.register(Notification)
class NotificationAdmin(GrowingList, ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "title",
        "recipient",
        "endpoint",
        "channel",
        "state",
        "attempts",
        "sent_at",
        "read_at",
    ]
    list_filter = ["community", "kind", "channel", "state", "created_at"]
    search_fields = ["title", "cause", "dedupe_key"]
    list_select_related = ["recipient", "endpoint"]


@admin.register(NotificationEndpoint)
class NotificationEndpointAdmin(BackOfficeAdmin):
    """The community's webhook endpoints: group robots and the SMS gateway. Turn one off rather
    than delete it: its past deliveries refer to it."""

    list_display = ["name", "community", "kind", "active"]
    list_filter = ["community", "kind", "active"]
    search_fields = ["name", "url"]
