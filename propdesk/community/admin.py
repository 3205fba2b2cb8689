"""The back office for the register. Staff see and pick only the communities they belong to
(leadership: its company's; superusers: all); households and residents are imported and exported
as Excel/CSV through propdesk.community.services and selectors, never written here."""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propdesk.community import tabular, team_hours
from propdesk.community.access import communities_visible, has_role
from propdesk.community.backoffice import (
    BackOfficeAdmin,
    BackOfficeInline,
    backoffice_event_write,
    superusers_only,
)
from propdesk.community.models import (
    BackOfficeAction,
    Building,
    Community,
    Company,
    DutyShift,
    Household,
    Place,
    Resident,
    Team,
    TeamMember,
    Unit,
    User,
)
from propdesk.community.selectors import REGISTER_ROLES, household_export_rows
from propdesk.community.services import household_import
from propdesk.community.signals import team_hours_changed
from propdesk.core.clock import get_clock
from propdesk.core.errors import NotFound, ServiceError, policy_message
from propdesk.policy.phones import InvalidPhone, parse_phone

# Row errors shown on the import page; the rest are counted (the service reports them all).
ERRORS_SHOWN = 500

# --- company and communities --------------------------------------------------------------------


@admin.register(Company)
class CompanyAdmin(BackOfficeAdmin):
    """A company spans communities: a staff member sees their own, a superuser changes them."""

    search_fields = ["name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Community)
class CommunityAdmin(BackOfficeAdmin):
    """A new community is a superuser's to make: its maker would not be a member of it."""

    list_display = ["name", "code", "company", "time_zone", "area_code", "order_prefix"]
    list_filter = [("company", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class UnitInline(BackOfficeInline):
    model = Unit


@admin.register(Building)
class BuildingAdmin(BackOfficeAdmin):
    list_display = ["number", "name", "community"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter)]
    inlines = [UnitInline]


class ResidentForm(forms.ModelForm[Resident]):
    """Phones are stored as the front desk's lookups expect them (FD-2): digits, the extension
    apart; ``0755-8888 1234 转 801`` typed here is kept as 075588881234 + 801."""

    class Meta:
        model = Resident
        fields = ["household", "name", "relation", "phone", "phone_ext"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("phone") or "").strip()
        if text:
            try:
                phone = parse_phone(text)
            except InvalidPhone as exc:
                self.add_error("phone", policy_message(exc))
            else:
                data["phone"] = phone.number
                data["phone_ext"] = phone.extension or data.get("phone_ext") or ""
        return data


class ResidentInline(BackOfficeInline):
    model = Resident
    form = ResidentForm


# --- households: import and export ---------------------------------------------------------------


def register_communities(user: User) -> QuerySet[Community]:
    """The communities whose register ``user`` may import and export (REGISTER_ROLES)."""
    visible = communities_visible(user)
    if user.is_superuser:
        return visible
    return visible.filter(pk__in=[c.pk for c in visible if has_role(user, c.pk, REGISTER_ROLES)])


class CommunityForm(forms.Form):
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(), label=gettext_lazy("Community"), empty_label=None
    )

    def __init__(self, *args: Any, communities: QuerySet[Community], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class HouseholdImportForm(CommunityForm):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An Excel (.xlsx) or CSV file whose row 1 names the columns, as in the blank template."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class HouseholdExportForm(CommunityForm):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")],
        initial="xlsx",
    )


@admin.register(Household)
class HouseholdAdmin(BackOfficeAdmin):
    """Households, searchable by room number and by a resident's phone or name, the lookups the
    front desk makes while a caller talks (FD-2). The list has 导入/导出 buttons: the whole
    register to and from Excel or CSV, all or nothing."""

    list_display = ["code", "community", "area", "note"]
    list_filter = [
        ("community", admin.RelatedOnlyFieldListFilter),
        ("unit__building", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "residents__phone", "residents__name"]
    list_select_related = ["community"]
    raw_id_fields = ["unit"]
    inlines = [ResidentInline]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="community_household_import"),
            path("export/", view(self.export_view), name="community_household_export"),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "can_import": self._may_import(request),
            "can_export": self.has_view_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _may_import(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def _page(
        self, request: HttpRequest, template: str, title: str, **context: Any
    ) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/community/household/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                **context,
            },
        )

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a file: every bad row is listed and nothing is written, or all is imported."""
        if not self._may_import(request):
            raise PermissionDenied
        user: User = request.user  # type: ignore[assignment]
        communities = register_communities(user)
        report = None
        if request.method == "POST":
            form = HouseholdImportForm(request.POST, request.FILES, communities=communities)
            if form.is_valid():
                community = form.cleaned_data["community"]
                upload = form.cleaned_data["file"]
                try:
                    report = household_import(
                        community=community,
                        by=user,
                        now=get_clock().now(),
                        file=upload,
                        filename=upload.name or "",
                    )
                except ServiceError as exc:
                    form.add_error(None, exc.message)
                else:
                    if report.ok:
                        backoffice_event_write(
                            actor=user,
                            action=BackOfficeAction.ADD,
                            obj=community,
                            changes=[
                                {"imported": {"file": upload.name, "summary": report.summary()}}
                            ],
                            object_repr=_("Import the household register"),
                        )
                        messages.success(
                            request, _("Import done. %(summary)s") % {"summary": report.summary()}
                        )
                        url = reverse("admin:community_household_changelist")
                        return HttpResponseRedirect(f"{url}?community__id__exact={community.pk}")
        else:
            form = HouseholdImportForm(communities=communities)
        errors = report.errors if report else []
        return self._page(
            request,
            "import.html",
            _("Import the household register"),
            form=form,
            errors=errors[:ERRORS_SHOWN],
            errors_total=len(errors),
            errors_hidden=max(0, len(errors) - ERRORS_SHOWN),
            columns=tabular.COLUMNS,
            relations="、".join(tabular.RELATION_BY_LABEL),
        )

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """Download a community's register (``?community=ID&format=xlsx|csv``), or, with
        ``?template=1``, an empty file with just the header row."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        user: User = request.user  # type: ignore[assignment]
        if request.GET.get("template"):
            return _download(tabular.household_file([], fmt="xlsx"), "住户名册模板.xlsx")
        communities = register_communities(user)
        form = HouseholdExportForm(request.GET or None, communities=communities)
        if form.is_bound and form.is_valid():
            community: Community = form.cleaned_data["community"]
            fmt = form.cleaned_data["format"]
            try:
                rows = household_export_rows(user, community.pk)
            except NotFound:
                form.add_error("community", _("This community was not found."))
            except ServiceError as exc:
                form.add_error("community", exc.message)
            else:
                day = get_clock().now().astimezone(ZoneInfo(community.time_zone)).date()
                name = f"{community.name}-住户名册-{day:%Y%m%d}.{fmt}"
                return _download(tabular.household_file(rows, fmt=fmt), name)
        return self._page(request, "export.html", _("Export the household register"), form=form)


def _download(data: bytes, filename: str) -> FileResponse:
    content_type = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if filename.endswith(".xlsx")
        else "text/csv; charset=utf-8"
    )
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type
    )


@admin.register(Resident)
class ResidentAdmin(BackOfficeAdmin):
    """Residents, searchable by phone and room number (FD-2)."""

    form = ResidentForm
    list_display = ["name", "household", "relation", "phone", "phone_ext"]
    list_filter = ["relation", ("household__community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "phone", "household__code"]
    list_select_related = ["household"]
    raw_id_fields = ["household"]


@admin.register(Place)
class PlaceAdmin(BackOfficeAdmin):
    """The places where the office puts QR stickers. Clearing 启用 revokes the place's stickers;
    the stickers are printed from the console (/desk/<community>/places/)."""

    list_display = ["name", "kind", "building", "community", "active"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter), "kind", "active"]
    search_fields = ["name"]
    list_select_related = ["community", "building"]
    fields = ["community", "building", "kind", "name", "active"]


# --- staff, teams and rosters -------------------------------------------------------------------


class TeamMemberInline(BackOfficeInline):
    model = TeamMember


@admin.register(Team)
class TeamAdmin(BackOfficeAdmin):
    """A team, its members and its working hours (班组工作时间, issue 16): one line per weekday
    and one for holidays; the week is shown as a table once saved."""

    form = team_hours.TeamForm
    list_display = ["name", "kind", "community", "leader", "hours_per_week"]
    list_select_related = ["community", "leader"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter), "kind"]
    inlines = [TeamMemberInline]
    readonly_fields = ["week"]
    fieldsets = [
        (None, {"fields": ["community", "kind", "name", "leader"]}),
        (
            gettext_lazy("Working hours"),
            {
                "fields": [*team_hours.HOURS_FIELDS, "week"],
                "description": gettext_lazy(
                    "Clocks that the policy marks as counting team hours count only these hours, "
                    "on the office's calendar. Leave every line empty to count the wall clock."
                ),
            },
        ),
    ]

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        before = (
            Team.objects.filter(pk=obj.pk).values_list("working_hours", flat=True).first()
            if change
            else None
        )
        super().save_model(request, obj, form, change)
        if change and (before or {}) != (obj.working_hours or {}):
            # The running clocks counted in the team's hours follow the new week.
            team_hours_changed.send(sender=Team, team=obj, now=get_clock().now())

    @admin.display(description=gettext_lazy("Working hours"))
    def week(self, obj: Team) -> str:
        return team_hours.week_table(obj)

    @admin.display(description=gettext_lazy("Working hours per week"))
    def hours_per_week(self, obj: Team) -> str:
        week = team_hours.week_of(obj)
        if week is None:
            return "—"
        return _("%(hours)s h") % {"hours": f"{week.weekly_minutes() / 60:g}"}


@admin.register(DutyShift)
class DutyShiftAdmin(BackOfficeAdmin):
    list_display = ["team", "user", "starts_at", "ends_at"]
    list_select_related = ["team__community", "user"]  # a team is named with its community
    list_filter = [
        ("team__community", admin.RelatedOnlyFieldListFilter),
        ("team", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "starts_at"


from propdesk.community import users_admin  # noqa: E402,F401 - registers the staff admin

# Admins registered before this app's (auth's groups, DRF's tokens, axes' records) know no
# community: superusers only. propdesk's own all derive from BackOfficeAdmin (tests/community/
# test_backoffice.py checks every registered model).
superusers_only(admin.site)
