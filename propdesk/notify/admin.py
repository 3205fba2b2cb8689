from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from propdesk.community.backoffice import BackOfficeAdmin, GrowingList, ReadOnlyAdmin
from propdesk.notify.kinds import KIND_WORDS, kind_words
from propdesk.notify.models import Notification, NotificationEndpoint


class KindFilter(admin.SimpleListFilter):
    """By kind, in the office's words (notify.kinds), the kinds known to the code: Django's own
    filter by a field's values showed the keys and read every notification for them (DISTINCT)."""

    title = _("kind")
    parameter_name = "kind__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        # In notify.kinds' order, which groups them (the desk's, the clocks', emergencies'):
        # sorted by their characters' code points they read in no order at all.
        return [(k, str(w)) for k, w in KIND_WORDS.items()]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Notification]
    ) -> QuerySet[Notification]:
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notification)
class NotificationAdmin(GrowingList, ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind_words",
        "title",
        "recipient",
        "endpoint",
        "channel",
        "state",
        "attempts",
        "sent_at",
        "read_at",
    ]
    list_filter = ["community", KindFilter, "channel", "state", "created_at"]
    search_fields = ["title", "cause", "dedupe_key"]
    list_select_related = ["recipient", "endpoint"]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_words(self, notification: Notification) -> str:
        return kind_words(notification.kind)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """The row's fields, its kind in words (one notification's page, read only)."""
        return ["kind_words" if f == "kind" else f for f in super().get_fields(request, obj)]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*super().get_readonly_fields(request, obj), "kind_words"]


@admin.register(NotificationEndpoint)
class NotificationEndpointAdmin(BackOfficeAdmin):
    """The community's webhook endpoints: group robots and the SMS gateway. Turn one off rather
    than delete it: its past deliveries refer to it."""

    list_display = ["name", "community", "kind", "active"]
    list_filter = ["community", "kind", "active"]
    search_fields = ["name", "url"]
