"""The front desk's household lookup (FD-2): a household found however the owner says it — a phone
in any common form, a room as the office or the owner writes it, or part of a resident's name —
always within what the user may see (``households_visible``, ``resident_community_ids``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q, QuerySet

from propdesk.community.access import owner_phone_community_ids, scope
from propdesk.community.models import Community, Household, Resident, User
from propdesk.community.selectors import (
    household_by_room,
    households_visible,
    resident_community_ids,
)
from propdesk.policy.phones import Phone, PhoneQuery, phone_query
from propdesk.policy.rooms import RoomQuery, parse_room_query

# Matches shown at most; one more is read to know there are more.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LIMIT = 8
# Longer than anything a lookup can match (a resident's name, 50; a room's code, 20; a phone as
# written, with its extension): such a text finds nothing, and is not sent to the database (where
# SQLite refuses a LIKE pattern over 50,000 bytes: a 500).
LONGEST = 100


class LookupField(StrEnum):
    """Which field the text was typed in: it decides how the text is read. ``ANY`` (the API's
    ``q``) reads it by its shape alone."""

    ROOM = "room"
    PHONE = "phone"
    NAME = "name"
    ANY = ""


class LookupNote(StrEnum):
    """Why a lookup lists candidates instead of one household, or finds none."""

    NONE = ""
    UNIT_AMBIGUOUS = "unit_ambiguous"  # 4-901 where building 4 has that room in several units
    CHOOSE_BUILDING = "choose_building"  # 901 with no building chosen, in several buildings
    NO_AREA_CODE = "no_area_code"  # a local number, and the community has no area code set
    MORE = "more"  # more matches than shown: type more


@dataclass(frozen=True)
class Match:
    """One line of the list: a household and the resident whose name and phone choosing it fills
    in (``None`` when the household has no resident the user may read)."""

    household: Household
    resident: Resident | None

    @property
    def phone(self) -> str:
        """The resident's phone as the office writes it (``0755-88881234 转 801``): what the
        form takes back unchanged."""
        r = self.resident
        return Phone(r.phone, r.phone_ext).display() if r is not None and r.phone else ""


@dataclass(frozen=True)
class HouseholdLookup:
    """What a lookup found. ``how`` is what the text was read as ("room", "phone", "name"; ""
    when it was too short, too long (over LONGEST) or empty); ``households`` in room-number order,
    at most LIMIT."""

    how: str = ""
    households: list[Household] = field(default_factory=list)
    note: LookupNote = LookupNote.NONE
    phone: PhoneQuery | None = None
    name: str = ""
    # Found by a whole room or a whole number, not by what is still being typed (a prefix): a
    # form takes the household only then (4-1-90 lists 4-1-901, but does not name it).
    exact: bool = False

    @property
    def household(self) -> Household | None:
        """The household, when exactly one matches."""
        return self.households[0] if len(self.households) == 1 else None

    @property
    def named(self) -> Household | None:
        """The household the text names: exactly one, found by a whole room or number."""
        return self.household if self.exact else None

    @property
    def matches(self) -> list[Match]:
        """One line per matching resident (the one whose phone or name matched; every resident
        of a household found by its room), or per household without residents."""
        lines: list[Match] = []
        for h in self.households:
            everyone = list(h.residents.all())
            residents = [r for r in everyone if self._resident_matches(r)] or everyone
            lines.extend(Match(h, r) for r in residents)
            if not residents:
                lines.append(Match(h, None))
        return lines

    def _resident_matches(self, r: Resident) -> bool:
        if self.how == "phone" and self.phone is not None:
            q = self.phone
            if q.exact:
                return r.phone == q.exact
            if q.prefix:
                return r.phone.startswith(q.prefix)
            return r.phone.startswith("0") and r.phone.endswith(q.local)
        if self.how == "name":
            return self.name in r.name
        return True


def household_lookup(
    user: User,
    text: str,
    *,
    field: LookupField | str = LookupField.ANY,
    community: Community | None = None,
    building_id: int | None = None,
    limit: int = LIMIT,
    residents: bool = True,
) -> HouseholdLookup:
    """Find households by what was typed in ``field`` (see LookupField), in ``community`` (all the
    user's communities when ``None``), at most ``limit``.

    The room field is read as a room (``4-1-901``, ``4/1/901``, ``4栋1单元901``, ``4号楼1单元901``,
    ``4-901`` with the unit inferred, ``901`` within ``building_id``), or as a name when it has no
    digit: never as a phone, so 1502 there is a room, not the start of a number. The phone field
    is read as a phone (``phone_query`` with the community's area code), or as a name when it
    has no digit. A whole room or number matches exactly; one still being typed, by prefix.
    Residents' names are searched only where the user reads them, their phones only where the
    user reads them whole (the office). At most four
    queries (an exact try, then a prefix one, each with its residents).

    ``residents=False``: the households alone, without their residents, building and community
    (for a caller that only wants the household the text names, ``named``); a name is then
    still searched among the residents, but none are loaded. A whole room in one community is
    then read by its key (``household_by_room``), the way a submit names its room."""
    # Control characters (NUL among them, which PostgreSQL refuses in text) are never typed.
    text = _CONTROL.sub("", text or "").strip()
    if not text or len(text) > LONGEST:
        return HouseholdLookup()
    kind = LookupField(field)
    has_digit = bool(re.search(r"\d", text))
    by_name = kind == LookupField.NAME or not has_digit
    room = None if by_name else parse_room_query(text)
    if kind == LookupField.ROOM and room and room.complete and community and not residents:
        # A whole room in one community: one household or none, its code is unique there.
        named = household_by_room(user, community.pk, room.code)
        if named is not None:
            return _result("room", [named], False, LookupNote.NONE, exact=True)
    qs = households_visible(user) if residents else scope(Household.objects.all(), user)
    if community is not None:
        qs = qs.filter(community_id=community.pk)
    area_code = community.area_code if community is not None else ""
    if by_name:
        return _by_name(user, qs, text, limit)
    if kind == LookupField.ROOM:
        return _by_room(qs, room, building_id, limit) if room else HouseholdLookup(how="room")
    if kind == LookupField.PHONE:
        return _by_phone(user, qs, phone_query(text, area_code=area_code), limit)
    # ANY (no field said): a room, a phone, or both where the text could be either (1502,
    # 0755 8888): the room's matches first.
    by_room = _by_room(qs, room, building_id, limit) if room else HouseholdLookup()
    if room and not re.fullmatch(r"[\d\s\-+()]+", text):
        return by_room
    by_phone = _by_phone(user, qs, phone_query(text, area_code=area_code), limit)
    if not by_room.households:
        return by_phone
    rows = by_room.households + [h for h in by_phone.households if h not in by_room.households]
    return _result("room", rows[:limit], len(rows) > limit, by_room.note)


def _first(qs: QuerySet[Household], limit: int) -> tuple[list[Household], bool]:
    rows = list(qs.order_by("code")[: limit + 1])
    return rows[:limit], len(rows) > limit


def _result(
    how: str,
    rows: list[Household],
    more: bool,
    note: LookupNote,
    *,
    phone: PhoneQuery | None = None,
    name: str = "",
    exact: bool = False,
) -> HouseholdLookup:
    if more and note == LookupNote.NONE:
        note = LookupNote.MORE
    return HouseholdLookup(how=how, households=rows, note=note, phone=phone, name=name, exact=exact)


def _by_room(
    qs: QuerySet[Household], q: RoomQuery, building_id: int | None, limit: int
) -> HouseholdLookup:
    b, u, r = q.building, q.unit, q.room
    if q.complete:
        exact, prefix, note = Q(code=q.code), Q(code__startswith=q.code), LookupNote.NONE
    elif b and r:  # 4-901: the unit to infer; 4-1 while typing 4-1-901 is also unit 1
        exact = Q(code__startswith=f"{b}-", room=r)
        prefix = Q(code__startswith=f"{b}-{r}-") | Q(code__startswith=f"{b}-", room__startswith=r)
        note = LookupNote.UNIT_AMBIGUOUS
    elif b:  # 4- / 4栋 / 4-1- / 4栋1单元: that building's or unit's households
        exact, note = None, LookupNote.NONE
        prefix = Q(code__startswith=f"{b}-{u}-" if u else f"{b}-")
    else:  # 901: within the chosen building, or in every building
        where = Q(unit__building_id=building_id) if building_id else Q()
        exact = where & Q(room=r)
        prefix = where & Q(room__startswith=r)
        note = LookupNote.NONE if building_id else LookupNote.CHOOSE_BUILDING
    if exact is not None:
        rows, more = _first(qs.filter(exact), limit)
        if rows:
            note = note if len(rows) > 1 else LookupNote.NONE
            return _result("room", rows, more, note, exact=True)
    rows, more = _first(qs.filter(prefix), limit)
    if note == LookupNote.UNIT_AMBIGUOUS:
        note = LookupNote.NONE  # a prefix list is typing, not an ambiguity
    return _result("room", rows, more, note if len(rows) > 1 else LookupNote.NONE)


def _with_residents(cond: Q) -> Q:
    """Households with a resident matching ``cond``: a subquery, so that the residents' phone
    index answers it (a join would walk the community's households) and no row comes twice."""
    return Q(pk__in=Resident.objects.filter(cond).values("household_id"))


def _readable(user: User) -> Q:
    """Households whose residents' names the user reads."""
    ids = resident_community_ids(user)
    return Q() if ids is None else Q(community_id__in=ids)


def _phones_readable(user: User) -> Q:
    """Households whose residents' whole phone numbers the user reads (the office: company
    leadership reads residents' names but their phones masked, so it finds no one by a phone,
    whole or in part, which would confirm the masked digits one guess at a time)."""
    ids = owner_phone_community_ids(user)
    return Q() if ids is None else Q(community_id__in=ids)


def _by_phone(user: User, qs: QuerySet[Household], q: PhoneQuery, limit: int) -> HouseholdLookup:
    if q.exact:
        cond = Q(phone=q.exact)
    elif q.prefix:
        cond = Q(phone__startswith=q.prefix)
    elif q.local:
        cond = Q(phone__startswith="0", phone__endswith=q.local)
    else:
        return HouseholdLookup(how="phone", phone=q)
    rows, more = _first(qs.filter(_with_residents(cond) & _phones_readable(user)), limit)
    note = LookupNote.NO_AREA_CODE if q.local else LookupNote.NONE
    return _result("phone", rows, more, note, phone=q, exact=bool(q.exact))


def _by_name(user: User, qs: QuerySet[Household], text: str, limit: int) -> HouseholdLookup:
    rows, more = _first(qs.filter(_with_residents(Q(name__contains=text)) & _readable(user)), limit)
    return _result("name", rows, more, LookupNote.NONE, name=text)
