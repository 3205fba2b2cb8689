"""Staff in the back office. Nobody grants what they do not hold: a staff member who is not a
superuser sees staff of their own communities only, never sets is_superuser, is_staff,
is_leadership, groups or permissions, gives roles only where they are the office head (or company
leadership) and never leadership itself, and changes the account or password only of someone
whose every community is such a one (propdesk.community.access.may_manage_user)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propdesk.community.access import (
    community_ids_with_roles,
    may_grant_role,
    may_manage_user,
)
from propdesk.community.backoffice import BackOfficeAdmin, BackOfficeInline
from propdesk.community.models import Community, Membership, RoleChoices, User
from propdesk.policy.workflow import Role

GRANTING_ROLES = {Role.OFFICE_HEAD, Role.LEADERSHIP}
# Fields only a superuser sets; the rest of the back office does not even show the first three.
SUPERUSER_FIELDS = ("is_superuser", "groups", "user_permissions")
SUPERUSER_READONLY = ("is_staff", "is_leadership", "company", "last_login", "date_joined")


def _grantable_ids(user: User) -> list[int] | None:
    return community_ids_with_roles(user, GRANTING_ROLES)


class MembershipFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    actor: User
    adding: bool = False

    def clean(self) -> None:
        super().clean()
        kept = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data:
                continue
            deleted = data.get("DELETE", False)
            community, role = data.get("community"), data.get("role")
            touched = bool(role) and (form.has_changed() or deleted)
            if (
                community is not None
                and touched
                and not may_grant_role(self.actor, community.pk, str(role))
            ):
                raise forms.ValidationError(
                    _("You may not give or take this role in this community.")
                )
            if not deleted and community is not None:
                kept += 1
        if self.adding and not self.actor.is_superuser and kept == 0:
            raise forms.ValidationError(_("Give the new staff member a role in your community."))


class MembershipInline(BackOfficeInline):
    model = Membership
    formset = MembershipFormSet

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        ids = _grantable_ids(request.user)  # type: ignore[arg-type]
        if ids is None:
            return qs
        return qs.filter(community_id__in=ids).exclude(role=Role.LEADERSHIP)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        ids = _grantable_ids(request.user)  # type: ignore[arg-type]
        if db_field.name == "community" and ids is not None:
            kwargs["queryset"] = Community.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [
                c for c in RoleChoices.choices if c[0] != RoleChoices.LEADERSHIP.value
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(
            "ActorMembershipFormSet",
            (formset,),
            {"actor": request.user, "adding": obj is None},
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request, obj) and super().has_delete_permission(request, obj)

    def _may(self, request: HttpRequest, obj: Any) -> bool:
        actor: User = request.user  # type: ignore[assignment]
        return obj is None or may_manage_user(actor, obj)


class UserAdmin(BackOfficeAdmin, BaseUserAdmin[User]):
    list_display = ["username", "name", "phone", "company", "is_leadership", "is_active"]
    list_select_related = ["company"]
    list_filter = ["company", "is_leadership", "memberships__role", "memberships__community"]
    search_fields = ["username", "name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            gettext_lazy("propdesk"),
            {"fields": ("name", "phone", "company", "is_leadership", "language")},
        ),
    )
    inlines = [MembershipInline]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in SUPERUSER_FIELDS]})
            for name, opts in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in SUPERUSER_READONLY if f not in fields]
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        actor: User = request.user  # type: ignore[assignment]
        return super().has_add_permission(request) and (
            actor.is_superuser or bool(_grantable_ids(actor))
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        actor: User = request.user  # type: ignore[assignment]
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_manage_user(actor, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        actor: User = request.user  # type: ignore[assignment]
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or (obj.pk != actor.pk and may_manage_user(actor, obj)))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor: User = request.user  # type: ignore[assignment]
        if not actor.is_superuser and not change:
            # A new staff member is of the company of the one who adds them, and nothing more.
            obj.company_id = actor.company_id
            obj.is_staff = obj.is_superuser = obj.is_leadership = False
        super().save_model(request, obj, form, change)


admin.site.register(User, UserAdmin)
