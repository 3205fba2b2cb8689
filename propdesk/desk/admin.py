from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from propdesk.clocks.models import Clock
from propdesk.community.backoffice import (
    BackOfficeAdmin,
    GrowingList,
    ReadOnlyAdmin,
    ReadOnlyInline,
)
from propdesk.desk.models import (
    Attachment,
    Contact,
    EventAction,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
    state_label,
)


@admin.register(ServiceItem)
class ServiceItemAdmin(BackOfficeAdmin):
    """The company's catalogue of services: a staff member sees their companies' items."""

    list_display = ["code", "name", "kind", "team_kind", "time_standard_minutes", "fee", "active"]
    list_filter = ["company", "kind", "team_kind", "active"]
    search_fields = ["code", "name"]


class EventWords:
    """A timeline line's act and states as the console says them, in its order's words
    (EventAction.label_for, state_label: 办结 and 已办结 on a complaint, never 完工 or the keys)."""

    @admin.display(description=_("action"), ordering="action")
    def action_words(self, event: WorkOrderEvent) -> str:
        return EventAction.label_for(event.action, event.order.kind)

    @admin.display(description=_("from"))
    def from_words(self, event: WorkOrderEvent) -> str:
        return self._state_words(event, event.from_state)

    @admin.display(description=_("to"))
    def to_words(self, event: WorkOrderEvent) -> str:
        return self._state_words(event, event.to_state)

    def _state_words(self, event: WorkOrderEvent, state: str) -> str:
        if not state:
            # The admin's "-", in the order's inline too (a None there read "None": the list
            # alone writes None as its empty value).
            return str(self.get_empty_value_display())  # type: ignore[attr-defined]
        return state_label(state, event.order.kind, emergency=event.order.is_emergency)


class EventInline(EventWords, ReadOnlyInline):
    model = WorkOrderEvent
    fields = ("at", "actor", "action_words", "from_words", "to_words", "note")
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
class WorkOrderEventAdmin(EventWords, GrowingList, ReadOnlyAdmin):
    list_display = ["at", "order", "action_words", "from_words", "to_words", "actor"]
    list_filter = ["community", "action", "at"]
    list_select_related = ["order", "actor"]
