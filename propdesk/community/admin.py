from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from propdesk.community.models import (
    Building,
    Community,
    Company,
    DutyShift,
    Household,
    Membership,
    Resident,
    Team,
    TeamMember,
    Unit,
    User,
)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin[Company]):
    search_fields = ["name"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin[Community]):
    list_display = ["name", "code", "company", "time_zone", "order_prefix"]
    list_filter = ["company"]
    search_fields = ["name", "code"]


class UnitInline(admin.TabularInline[Unit, Building]):
    model = Unit
    extra = 0


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin[Building]):
    list_display = ["number", "name", "community"]
    list_filter = ["community"]
    inlines = [UnitInline]


class ResidentInline(admin.TabularInline[Resident, Household]):
    model = Resident
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin[Household]):
    list_display = ["code", "community", "area", "note"]
    list_filter = ["community", "unit__building"]
    search_fields = ["code", "residents__phone", "residents__name"]
    list_select_related = ["community"]
    raw_id_fields = ["unit"]
    inlines = [ResidentInline]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin[Resident]):
    list_display = ["name", "household", "relation", "phone", "phone_ext"]
    list_filter = ["relation", "household__community"]
    search_fields = ["name", "phone", "household__code"]
    list_select_related = ["household"]
    raw_id_fields = ["household"]


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "phone", "company", "is_leadership", "is_active"]
    list_filter = ["company", "is_leadership", "memberships__role", "memberships__community"]
    search_fields = ["username", "name", "phone"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("propdesk"), {"fields": ("name", "phone", "company", "is_leadership")}),
    )
    inlines = [MembershipInline]


class TeamMemberInline(admin.TabularInline[TeamMember, Team]):
    model = TeamMember
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "kind", "community", "leader"]
    list_filter = ["community", "kind"]
    inlines = [TeamMemberInline]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin[DutyShift]):
    list_display = ["team", "user", "starts_at", "ends_at"]
    list_filter = ["team__community", "team"]
    date_hierarchy = "starts_at"
