from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from propdesk.clocks.models import LIVE, CalendarDay, Clock, ClockState, PolicyVersion
from propdesk.clocks.services import calendar_day_set
from propdesk.community.access import scope
from propdesk.community.backoffice import BackOfficeAdmin, GrowingList, ReadOnlyAdmin
from propdesk.community.models import User
from propdesk.core.clock import get_clock
from propdesk.core.rule_names import missed_call_text

# A policy version's content never changes (its fingerprint is its content's): its clocks'
# rule ids and titles, read once per process.
_RULES_OF_VERSION: dict[str, tuple[tuple[str, str], ...]] = {}


def rules_of_versions(versions: QuerySet[PolicyVersion]) -> list[tuple[str, str]]:
    """The (rule id, title) of every clock the policy versions define, by rule id: every clock
    started under them is of one of these rules. A rule's title is the newest version's."""
    seen = dict(versions.order_by("-created_at", "-pk").values_list("fingerprint", "pk"))
    unknown = [pk for fingerprint, pk in seen.items() if fingerprint not in _RULES_OF_VERSION]
    for fingerprint, content in PolicyVersion.objects.filter(pk__in=unknown).values_list(
        "fingerprint", "content"
    ):
        clocks = (content or {}).get("clocks") or {}
        _RULES_OF_VERSION[fingerprint] = tuple(
            (rule_id, str((spec or {}).get("title") or "")) for rule_id, spec in clocks.items()
        )
    rules: dict[str, str] = {}
    for fingerprint in seen:
        for rule_id, title in _RULES_OF_VERSION.get(fingerprint, ()):  # () if just deleted
            rules.setdefault(rule_id, title)
    return sorted(rules.items())


class RuleFilter(admin.SimpleListFilter):
    """By rule, with the rules of the policies the user's communities have had: Django's own
    filter by a field's values reads every clock (DISTINCT rule_id, half a second at 2.7 M
    clocks, on every page of the list)."""

    title = Clock._meta.get_field("rule_id").verbose_name
    parameter_name = "rule_id__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        versions = scope(PolicyVersion.objects.all(), request.user)  # type: ignore[arg-type]
        return [(r, f"{r} {title}".strip()) for r, title in rules_of_versions(versions)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Clock]) -> QuerySet[Clock]:
        return queryset.filter(rule_id=self.value()) if self.value() else queryset


class StateFilter(admin.SimpleListFilter):
    """By state. A running clock is live (neither met nor cancelled): said to the database too,
    so that the list reads the live clocks' indexes, not every clock of the state."""

    title = Clock._meta.get_field("state").verbose_name
    parameter_name = "state__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return ClockState.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Clock]) -> QuerySet[Clock]:
        value = self.value()
        if not value:
            return queryset
        queryset = queryset.filter(state=value)
        return queryset.filter(LIVE) if value == ClockState.RUNNING else queryset


# What a clock's subject names, besides a person and a caller's number (each model's
# ``clock_subject``: ``common_issue:3``, ``activity:5``, ``12:home_visit:4``).
_SUBJECT_WORDS = {
    "common_issue": _("common issue"),
    "activity": _("community activity"),
    "home_visit": _("home visit"),
}


def subject_words(subject: str) -> str | None:
    """A clock's subject as the back office says it: 未接来电 138… for a missed call's number,
    the person's name for a person (EM-2's responder, CP-5's staff member, RV-8's administrator
    and the visit), 共性问题 3 for a common issue; None (the page's "-") for the order itself."""
    if not subject:
        return None
    if missed := missed_call_text(subject):
        return str(missed)
    parts = subject.split(":")
    words = []
    if parts[0].isdigit():
        person = User.objects.filter(pk=int(parts[0])).values_list("name", "username").first()
        words.append((person[0] or person[1]) if person else parts[0])
        parts = parts[1:]
    if len(parts) == 2 and parts[0] in _SUBJECT_WORDS:
        words.append(f"{_SUBJECT_WORDS[parts[0]]} {parts[1]}")
    elif parts:
        words.append(":".join(parts))  # a subject of a later kind, as written
    return " · ".join(words)


@admin.register(Clock)
class ClockAdmin(GrowingList, ReadOnlyAdmin):
    """Every clock of the user's communities, a growing list (2.7 M clocks at 1,000,000 orders):
    the running ones through the live indexes, the rules to filter by from the policies."""

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
    list_filter = ["community", RuleFilter, StateFilter, "started_at"]
    search_fields = ["order__number", "rule_id"]
    list_select_related = ["order"]
    # The page of one clock: every field as the model has it, the subject in words.
    fields = [
        "subject_in_words" if f.name == "subject" else f.name
        for f in Clock._meta.concrete_fields
        if not f.primary_key
    ]

    @admin.display(description=Clock._meta.get_field("subject").verbose_name)
    def subject_in_words(self, clock: Clock) -> str | None:
        return subject_words(clock.subject)

    def get_ordering(self, request: HttpRequest) -> Any:
        """The running clocks by their deadline, the nearest first (a walk of the live clocks
        only); any other list the newest first."""
        if request.GET.get(StateFilter.parameter_name) == ClockState.RUNNING:
            return ["due_at", "id"]
        return super().get_ordering(request)


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
