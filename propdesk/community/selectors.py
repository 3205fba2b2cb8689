"""Reads of the register, always scoped to what the user may see."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

# Access is decided in propdesk.community.access; these names are re-exported so that
# ``from propdesk.community.selectors import scope`` keeps working everywhere.
from propdesk.community.access import (
    ALL_ROLES,
    access_community,
    access_community_with_roles,
    communities_visible,
    community_ids_visible,
    community_ids_visible_query,
    community_ids_with_roles,
    has_role,
    may_call_owners,
    may_read_residents,
    phone_as_seen,
    require_roles,
    resident_community_ids,
    scope,
    staff_with_roles,
    user_roles,
    user_team_ids,
)
from propdesk.community.models import (
    Community,
    DutyShift,
    Household,
    Resident,
    Team,
    TeamMember,
    User,
)
from propdesk.core.errors import Forbidden, NotFound
from propdesk.core.rows import RowReader
from propdesk.policy.phones import Phone
from propdesk.policy.workflow import RESIDENT_ROLES, Role


def members_with_role(community_id: int, *roles: Role) -> list[int]:
    """Ids of the active staff who hold one of ``roles`` in the community, in id order."""
    return list(staff_with_roles(community_id, roles).order_by("id").values_list("id", flat=True))


def office_heads(community_id: int) -> list[int]:
    """Ids of the community's active office heads (管理处主任)."""
    return members_with_role(community_id, Role.OFFICE_HEAD)


def on_duty(
    community_id: int,
    at: datetime,
    team_ids: Iterable[int] | None = None,
    *,
    members_of: int | None = None,
) -> list[Any]:
    """(team id, user id) of every shift running at ``at`` (``starts_at <= at < ends_at``): a
    night shift 20:00–08:00 is one row crossing midnight, so it counts on both days. Only active
    staff; ``team_ids`` narrows to those teams, ``members_of`` to the members of that team (in
    the same query)."""
    qs = DutyShift.objects.filter(
        team__community_id=community_id, starts_at__lte=at, ends_at__gt=at, user__is_active=True
    )
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    if members_of is not None:
        qs = qs.filter(user_id__in=TeamMember.objects.filter(team_id=members_of).values("user_id"))
    return list(qs.order_by("starts_at", "id").values_list("team_id", "user_id"))


def residents_visible(user: User) -> QuerySet[Resident]:
    """The residents (names, phones) of the communities where ``user`` holds a role in
    RESIDENT_ROLES. Forbidden when the user holds one in none of the communities they see (a
    team member, a concierge): the register is the office's."""
    ids = resident_community_ids(user)
    qs = Resident.objects.select_related("household")
    if ids is None:
        return qs
    if not ids:
        raise Forbidden(_("Only the office and company leadership may read residents' details."))
    return qs.filter(household__community_id__in=ids)


def households_visible(user: User) -> QuerySet[Household]:
    """The households of the communities the user may see. Their residents come along only
    where the user reads them (resident_community_ids); elsewhere a household has none."""
    ids = resident_community_ids(user)
    residents_qs = Resident.objects.order_by("id")
    if ids is not None:
        residents_qs = residents_qs.filter(household__community_id__in=ids)
    residents = Prefetch("residents", queryset=residents_qs)
    return scope(
        Household.objects.select_related("community", "unit__building").prefetch_related(residents),
        user,
    )


def household_search(
    user: User, text: str, *, community_id: int | None = None, field: str = "", limit: int = 50
) -> QuerySet[Household]:
    """The households the front desk's lookup finds for ``text`` typed in ``field`` (``"room"``,
    ``"phone"``, ``"name"``; ``""`` reads it by its shape), as a queryset of at most ``limit``:
    see ``community.lookup.household_lookup``, which this wraps for the API and the forms."""
    from propdesk.community.lookup import household_lookup

    community = None
    if community_id is not None:
        community = scope(Community.objects.all(), user, "id").filter(pk=community_id).first()
        if community is None:
            return Household.objects.none()
    found = household_lookup(user, text, field=field, community=community, limit=limit)
    return households_visible(user).filter(pk__in=[h.pk for h in found.households])


# A household by id (a form's or a request's reference to one), its SQL built once (core.rows).
HOUSEHOLD = RowReader(Household, by=("id",), unique=True)


def access_household(
    user: User, household_id: int | str, *, with_residents: bool = True
) -> Household:
    """One household the user may see; NotFound otherwise. ``with_residents=False`` skips
    loading the residents (for a reference on a form, not a page about the household)."""
    try:
        if with_residents:
            return households_visible(user).get(pk=int(household_id))
        # scope(Household.objects.all(), user).get(pk=…), the community checked against the
        # ids already loaded and the row read without compiling a query (core.rows).
        ids = community_ids_visible(user)
        household = HOUSEHOLD.get(int(household_id))
        if ids is not None and household.community_id not in ids:
            raise Household.DoesNotExist
        return household
    except (Household.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise NotFound("Household not found") from exc


# A household by its room in a community (unique there), its SQL built once (core.rows).
HOUSEHOLD_BY_ROOM = RowReader(Household, by=("community", "code"), unique=True)


def household_by_room(user: User, community_id: int, code: str) -> Household | None:
    """The household whose room is ``code`` (a whole ``4-1-901``) in the community, if the user
    may see the community; None otherwise, hidden or missing alike. What
    ``scope(Household.objects.all(), user).filter(community_id=…, code=…).first()`` gives, the
    community checked against the ids already loaded and the row read without compiling a
    query (core.rows): the room a front-desk submit names."""
    ids = community_ids_visible(user)
    if ids is not None and community_id not in ids:
        return None
    return HOUSEHOLD_BY_ROOM.first(community_id, code)


def teams_visible(user: User) -> QuerySet[Team]:
    return scope(Team.objects.select_related("community", "leader"), user)


def staff_in_community(community_id: int) -> QuerySet[User]:
    return User.objects.filter(memberships__community_id=community_id, is_active=True).distinct()


# --- the register as a table (import/export) ----------------------------------------------------

# Who may import or export a community's register of households and residents (personal data).
REGISTER_ROLES = RESIDENT_ROLES


@dataclass(frozen=True)
class HouseholdExportRow:
    """One row of the exported register: a resident, or a household that has none
    (``name`` is "" then). ``phone`` is as the office writes it (``0755-88881234 转 801``), or
    masked (``138****1234``) for someone who does not call owners (company leadership)."""

    code: str
    area: Decimal | None
    note: str
    name: str
    relation: str  # a Relation value, "" when no resident
    phone: str


def _natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for building/unit/room numbers: 2 before 10, 2A after 2."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.findall(r"\d+|\D+", text))


def household_export_rows(user: User, community_id: int | str) -> list[HouseholdExportRow]:
    """Every household of a community with its residents, one row per resident, in building,
    unit and room order (natural: 2-1-301 before 10-1-101), residents in the order entered.

    One query for the rows (a LEFT JOIN, no query per household), after the user's communities
    (cached on the user object). Raises NotFound if the community is hidden from or unknown to
    ``user``, Forbidden if visible but ``user`` holds no role in REGISTER_ROLES there.
    """
    try:
        cid = int(community_id)
    except (TypeError, ValueError) as exc:
        raise NotFound("Community not found") from exc
    visible = community_ids_visible(user)
    if visible is None:
        if not Community.objects.filter(pk=cid).exists():
            raise NotFound("Community not found")
    elif cid not in visible:
        raise NotFound("Community not found")
    if not has_role(user, cid, REGISTER_ROLES):
        raise Forbidden("只有本小区的前台、管理员、管理处主任或公司领导可以导出住户名册。")
    # Company leadership exports the register as it reads it in the API: phones masked
    # (community.access.phone_as_seen); whole for the roles that call owners.
    whole = may_call_owners(user, cid)
    # LEFT JOIN: a household without residents still gives one row, with None for them.
    values = Household.objects.filter(community_id=cid).values_list(
        "code",
        "area",
        "note",
        "residents__id",
        "residents__name",
        "residents__relation",
        "residents__phone",
        "residents__phone_ext",
    )
    rows = sorted(
        values,
        key=lambda v: (*(_natural_key(p) for p in v[0].split("-")), v[3] is not None, v[3] or 0),
    )
    return [
        HouseholdExportRow(
            code=code,
            area=area,
            note=note,
            name=name or "",
            relation=relation or "",
            phone=(Phone(phone, ext or "").display() if whole else phone_as_seen(user, cid, phone))
            if phone
            else "",
        )
        for code, area, note, _id, name, relation, phone, ext in rows
    ]


__all__ = [
    "ALL_ROLES",
    "REGISTER_ROLES",
    "access_community",
    "access_community_with_roles",
    "access_household",
    "communities_visible",
    "community_ids_visible",
    "community_ids_visible_query",
    "community_ids_with_roles",
    "has_role",
    "may_read_residents",
    "require_roles",
    "resident_community_ids",
    "scope",
    "staff_with_roles",
    "user_roles",
    "user_team_ids",
]
