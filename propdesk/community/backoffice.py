"""The back office (Django admin), scoped by community for every model, with every change
recorded.

Every ModelAdmin and inline of propdesk derives from ``BackOfficeAdmin`` / ``BackOfficeInline``:

- lists, detail, change and delete pages show a staff member who is not a superuser only the rows
  of the communities they may see (propdesk.community.access); another community's row is "not
  found", as in the console and the API;
- foreign-key and many-to-many choices (selects and raw-id inputs alike) offer and accept only
  those communities' rows;
- every add, change and delete writes a BackOfficeEvent (who, what, when, community), append-only,
  besides Django's own LogEntry.

Models of other apps that know no community (groups and permissions, API tokens, login
throttling records) are for superusers only: ``superusers_only`` wraps their admins.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import ForeignKey, ManyToManyField, Model, QuerySet
from django.forms.fields import InvalidJSONInput
from django.http import HttpRequest
from django.utils.functional import cached_property

from propdesk.community.access import community_ids_visible, scope
from propdesk.community.models import (
    BackOfficeAction,
    BackOfficeEvent,
    Community,
    Company,
    User,
)
from propdesk.core.clock import get_clock

# How a row reaches its community, where following the foreign keys does not find it.
SPECIAL_PATHS: dict[str, str] = {
    "community.community": "id",
    "community.company": "communities__id",
    "community.user": "memberships__community_id",
    "desk.serviceitem": "company__communities__id",
}


def community_path_of(model: type[Model], depth: int = 4) -> str | None:
    """The lookup from ``model`` to its community's id (``household__community_id``), following
    foreign keys; None when it has none."""
    label = model._meta.label_lower
    if label in SPECIAL_PATHS:
        return SPECIAL_PATHS[label]
    fields = [f for f in model._meta.get_fields() if isinstance(f, ForeignKey)]
    for f in fields:
        if f.related_model is Community:
            return f"{f.name}_id"
    if depth <= 1:
        return None
    for f in fields:
        related = f.related_model
        if isinstance(related, type) and related not in (User, Company) and related is not model:
            rest = community_path_of(related, depth - 1)
            if rest is not None and rest != "id":
                return f"{f.name}__{rest}"
    return None


def _is_multi_valued(model: type[Model], path: str) -> bool:
    current: Any = model
    for part in path.split("__")[:-1]:
        field = current._meta.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        current = field.related_model
    return False


def scope_rows(qs: QuerySet[Any], user: User, path: str | None) -> QuerySet[Any]:
    """``qs`` narrowed to the rows of the communities ``user`` may see. A row that reaches a
    community through a list (a company, a staff member) is kept once, without DISTINCT (so that
    the admin can still delete from the queryset)."""
    if community_ids_visible(user) is None:
        return qs
    if path is None:
        return qs.none()
    if _is_multi_valued(qs.model, path):
        inner = scope(qs.model._default_manager.all(), user, path).values("pk")
        return qs.filter(pk__in=inner)
    return scope(qs, user, path)


def choices_for(model: type[Model], user: User) -> QuerySet[Any] | None:
    """What ``user`` may pick in a foreign key to ``model``; None: anything (a superuser, or a
    model of no community such as a content type)."""
    if community_ids_visible(user) is None:
        return None
    path = community_path_of(model)
    if path is None:
        return None
    return scope_rows(model._default_manager.all(), user, path)


def community_ids_of(obj: Model) -> list[int]:
    """The communities a row belongs to (a staff member: each where they hold a role)."""
    path = community_path_of(type(obj))
    if path is None or obj.pk is None:
        return []
    ids = type(obj)._default_manager.filter(pk=obj.pk).values_list(path, flat=True)
    return sorted({i for i in ids if i is not None})


def backoffice_event_write(
    *, actor: User, action: BackOfficeAction, obj: Model, changes: Any, object_repr: str = ""
) -> list[BackOfficeEvent]:
    """Record one back-office change, one row per community the row belongs to (one row with no
    community for a row of none: a company's). ``changes`` is Django's change message (a list)."""
    if isinstance(changes, str):
        try:
            changes = json.loads(changes) if changes else []
        except ValueError:
            changes = [changes]
    now = get_clock().now()
    common = {
        "at": now,
        "actor": actor,
        "actor_name": actor.get_username(),
        "action": action,
        "model": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_repr": (object_repr or str(obj))[:200],
        "changes": changes or [],
    }
    ids: Iterable[int | None] = community_ids_of(obj) or [None]
    return [BackOfficeEvent.objects.create(community_id=cid, **common) for cid in ids]


class ScopedChoices:
    """Foreign-key and many-to-many inputs offer and accept only the user's communities' rows."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        choices = choices_for(db_field.related_model, request.user)  # type: ignore[arg-type]
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        choices = choices_for(db_field.related_model, request.user)  # type: ignore[arg-type]
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class CommunityScoped(ScopedChoices):
    """get_queryset narrowed to the user's communities (``community_path``, else derived)."""

    community_path: str | None = None
    model: type[Model]

    def scope_path(self) -> str | None:
        return self.community_path or community_path_of(self.model)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return scope_rows(qs, request.user, self.scope_path())  # type: ignore[arg-type]


class ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A list's filter by a related row, for a staff member who is not a superuser: it offers
    the related rows of the listed ones that are of the user's communities (a staff member of
    this community who also works at another: not that one), and filtering by any other row
    lists nothing (who of this office also works where is not theirs to ask)."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        allowed = choices_for(field.related_model, request.user)  # type: ignore[arg-type]
        if allowed is not None and field.related_model is Community:
            # The user's communities themselves: which of them the listed rows are of would be
            # read from every row (DISTINCT), on every page of a list of millions.
            return [(c.pk, str(c)) for c in allowed.order_by("name", "pk")]
        choices = super().field_choices(field, request, model_admin)
        if allowed is None:
            return choices
        pks = {str(pk) for pk in allowed.values_list("pk", flat=True)}
        return [(pk, label) for pk, label in choices if str(pk) in pks]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        wanted = [str(v) for v in (self.lookup_val or [])]
        allowed = {str(pk) for pk, _label in self.lookup_choices}
        if any(v not in allowed for v in wanted):
            return queryset.none()
        return super().queryset(request, queryset)


class JSONFormField(forms.JSONField):
    """Django's JSON form field, with a value nested past Python's recursion limit (3,000 ``[``)
    refused as the invalid JSON it is, not a RecursionError's 500."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except RecursionError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": "…"}
            ) from None

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)  # shown again as typed, with the error

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return super().has_changed(initial, data)
        except RecursionError:
            return True


class BackOfficeAdmin(CommunityScoped, admin.ModelAdmin[Any]):
    """Every propdesk model's admin: scoped by community, every change recorded."""

    formfield_overrides = {
        models.JSONField: {"form_class": JSONFormField},
        # An address typed without a scheme is taken as https (Django 6's default, said now).
        models.URLField: {"assume_scheme": "https"},
    }

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        backoffice_event_write(
            actor=request.user,  # type: ignore[arg-type]
            action=BackOfficeAction.ADD,
            obj=obj,
            changes=message,
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        backoffice_event_write(
            actor=request.user,  # type: ignore[arg-type]
            action=BackOfficeAction.CHANGE,
            obj=obj,
            changes=message,
        )
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        for obj in queryset:
            backoffice_event_write(
                actor=request.user,  # type: ignore[arg-type]
                action=BackOfficeAction.DELETE,
                obj=obj,
                changes=[],
            )
        return super().log_deletions(request, queryset)

    def get_ordering(self, request: HttpRequest) -> Any:
        """The admin's ordering, else the model's, else by id: a list that pages (the
        autocomplete's) is never unordered (Django warns, and a row could show twice)."""
        return super().get_ordering(request) or self.model._meta.ordering or ["pk"]

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A filter by a related row lists only the user's communities' rows (a plain one would
        name every community and company in its sidebar), and filters by those only."""
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        scoped: list[Any] = []
        for f in filters:
            if isinstance(f, str) and get_fields_from_path(self.model, f)[-1].is_relation:
                f = (f, ScopedRelatedFilter)
            elif isinstance(f, tuple) and f[1] is admin.RelatedOnlyFieldListFilter:
                f = (f[0], ScopedRelatedFilter)
            scoped.append(f)
        return scoped


class ReadOnlyAdmin(BackOfficeAdmin):
    """For rows that change only through services (with events) or are written by the system:
    the back office shows them, scoped, and changes nothing."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# A growing list counts its filtered rows up to this many (100 pages of 100); past it the list
# says "10000+" and its last page is the 100th: older rows are found by a filter (a day, a state).
COUNT_CAP = 10_000


class AtLeast(int):
    """A count that stopped at its cap: it reads ``10000+`` wherever the admin writes it (the
    paginator's line, "选择全部 10000+ 个", "已选 10000+ 个"), and is the cap in arithmetic."""

    def __str__(self) -> str:
        return f"{int(self)}+"


class CountedUpTo(Paginator):  # type: ignore[type-arg]
    """Django's paginator, whose count stops at ``COUNT_CAP``: ``COUNT(*)`` over a subquery
    limited to the cap and one more row, so a list of 1,000,000 orders is counted in the rows of
    100 pages (an index's, for the newest first), not in all of them (90-260 ms at 1,000,000)."""

    cap = COUNT_CAP
    capped = False  # True once counted: more rows than the cap match

    @cached_property
    def count(self) -> int:
        n = self.object_list[: self.cap + 1].count()  # type: ignore[attr-defined]  # a QuerySet
        if n > self.cap:
            self.capped = True
            return AtLeast(self.cap)
        return int(n)


class GrowingList:
    """For the admin of a table that grows with the orders (millions of rows at 1,000,000
    orders: clocks, orders, their events, contacts, calls, notifications, sign-ins), put before
    the admin's base class. Its list reads an index, whoever opens it:

    - the newest first by id: a model's ordering by a time of day is, for a user of every
      community, a sort of every row (the orders' list: 0.9-1.4 s);
    - its day as a filter of the list (today, the past 7 days, this month, this year), never
      ``date_hierarchy``: Django's date hierarchy reads every row's day on each page (0.5-3.4 s);
    - the count of the filtered rows only, not that of every row beside it, and no counts
      beside the filters' choices (Django's facets, "显示计数": an aggregate of every row);
    - that count stops at ``COUNT_CAP`` (``CountedUpTo``): the list then says how far it
      counted and that a filter finds older rows (``admin/pagination.html``)."""

    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    paginator: ClassVar[type] = CountedUpTo

    def get_ordering(self, request: HttpRequest) -> Any:
        return ["-id"]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "date_hierarchy", None):
            raise TypeError(f"{cls.__name__}: a growing list filters by day, no date_hierarchy")


class BackOfficeInline(CommunityScoped, admin.TabularInline[Any, Any]):
    """An inline, scoped like its page (its rows and its choices)."""

    extra = 0


class ReadOnlyInline(BackOfficeInline):
    """What hangs off a row and is written by the services only: shown, never edited here."""

    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SuperusersOnly:
    """For a model of no community: a staff member who is not a superuser neither sees nor
    changes it (groups and permissions would let them grant what they do not hold)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


def superusers_only(site: admin.AdminSite) -> None:
    """Re-register every admin registered so far that is not a BackOfficeAdmin (other apps':
    auth's groups, DRF's tokens, axes' records) as superusers-only."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, (BackOfficeAdmin, SuperusersOnly)):
            continue
        cls = type(model_admin)
        site.unregister(model)
        site.register(model, type(f"SuperusersOnly{cls.__name__}", (SuperusersOnly, cls), {}))


class BackOfficeEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_name", "action", "model", "object_repr", "community"]
    list_filter = ["action", "model", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["actor_name", "object_repr", "object_id"]
    date_hierarchy = "at"

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        return None  # never called: nothing is added here


admin.site.register(BackOfficeEvent, BackOfficeEventAdmin)
