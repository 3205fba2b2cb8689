"""Writes to the register: households and residents, imported in bulk from Excel or CSV.

The one door for these writes: the back office (admin) and the management commands call the
functions here, and no rule lives in those interfaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from propdesk.community import tabular
from propdesk.community.access import require_roles
from propdesk.community.models import Building, Community, Household, Resident, Unit, User
from propdesk.community.selectors import REGISTER_ROLES
from propdesk.community.tabular import AREA, COLUMNS, NAME, NOTE, PHONE, RELATION, ROOM, SheetRow
from propdesk.core.errors import Conflict, policy_message
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.rooms import InvalidRoom, Room, parse_room

_AREA_UNITS = re.compile(r"\s*(㎡|m²|m2|平方米|平米)\s*$", re.IGNORECASE)
_AREA_MAX = Decimal("99999.99")  # Household.area: 7 digits, 2 after the point
_LOOKS_LIKE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)
# Field of the model → the column its value came from, for Django's own validation messages.
_COLUMN_OF_FIELD = {
    "number": ROOM,
    "room": ROOM,
    "code": ROOM,
    "area": AREA,
    "note": NOTE,
    "name": NAME,
    "relation": RELATION,
    "phone": PHONE,
    "phone_ext": PHONE,
}


def household_hold(household: Household) -> None:
    """Hold ``household``'s row until the transaction ends, so that a cap on what a household
    has open (the portal's reports, reservations and concierge requests) is counted and written
    by one request at a time: two at once both counted under the cap, and both wrote. Inside the
    transaction that counts and writes. On PostgreSQL a row lock (FOR NO KEY UPDATE: rows that
    merely refer to the household are not held up); SQLite's one writer already serialises."""
    Household.objects.select_for_update(no_key=True).filter(pk=household.pk).values_list(
        "pk", flat=True
    ).first()


def require_register_role(user: User, community: Community) -> None:
    """Raise Forbidden unless ``user`` may import or export ``community``'s register: an office
    role there (receptionist, administrator, office head), company leadership, or superuser."""
    require_roles(
        user,
        community.pk,
        REGISTER_ROLES,
        _(
            "Only this community's receptionists, administrators, office head or company "
            "leadership may import and export the household register."
        ),
    )


@dataclass(frozen=True)
class RowError:
    """One problem found in the file. ``row`` is as Excel shows it (the header is row 1);
    ``None`` means the file as a whole. ``column`` is a header of ``tabular.COLUMNS`` or ""."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("Row %(row)s") % {"row": self.row} if self.row is not None else _("File")
        if self.column:
            where = f"{where}【{self.column}】"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    """What an import did, or, when ``errors`` is not empty, why it wrote nothing at all."""

    rows: int = 0
    buildings_created: int = 0
    units_created: int = 0
    households_created: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    residents_created: int = 0
    residents_updated: int = 0
    residents_unchanged: int = 0
    dry_run: bool = False
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One line for a message or a command's output."""
        return _(
            "%(rows)s rows: households %(hc)s new, %(hu)s updated, %(hn)s unchanged; residents "
            "%(rc)s new, %(ru)s updated, %(rn)s unchanged; %(b)s new buildings, %(u)s new units."
        ) % {
            "rows": self.rows,
            "hc": self.households_created,
            "hu": self.households_updated,
            "hn": self.households_unchanged,
            "rc": self.residents_created,
            "ru": self.residents_updated,
            "rn": self.residents_unchanged,
            "b": self.buildings_created,
            "u": self.units_created,
        }


@dataclass(frozen=True)
class _ResidentLine:
    name: str
    relation: str
    phone: str
    phone_ext: str


@dataclass(frozen=True)
class _Line:
    """A row that passed every check, in the register's terms."""

    number: int
    room: Room
    area: Decimal | None  # None: leave as it is
    note: str  # "": leave as it is
    resident: _ResidentLine | None


# --- checking rows (no database) ----------------------------------------------------------------


def _parse_area(text: str, errors: list[str]) -> Decimal | None:
    if not text:
        return None
    cleaned = _AREA_UNITS.sub("", text).replace(",", "").replace("，", "").strip()
    try:
        area = Decimal(cleaned)
    except InvalidOperation:
        errors.append(_("The area must be a number (square metres): %(v)s") % {"v": text})
        return None
    if not area.is_finite():
        errors.append(_("The area must be a number (square metres): %(v)s") % {"v": text})
    elif area < 0:
        errors.append(_("The area cannot be negative: %(v)s") % {"v": text})
    elif area > _AREA_MAX:
        errors.append(_("The area is too large: %(v)s") % {"v": text})
    elif area != area.quantize(Decimal("0.01")):
        errors.append(_("The area may have at most two decimal places: %(v)s") % {"v": text})
    else:
        return area.quantize(Decimal("0.01"))
    return None


def _max_length(model: type[models.Model], name: str) -> int:
    length = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    assert length is not None
    return int(length)


def _parse_relation(text: str) -> str | None:
    if text in tabular.RELATION_BY_LABEL:
        return tabular.RELATION_BY_LABEL[text]
    if text.lower() in tabular.LABEL_BY_RELATION:
        return text.lower()
    return None


def _check_row(row: SheetRow) -> tuple[_Line | None, list[RowError]]:
    """One row on its own: formats and required cells."""
    problems: list[tuple[str, str]] = []

    def bad(column: str, message: str) -> None:
        problems.append((column, message))

    room_text = row.get(ROOM)
    room: Room | None = None
    if not room_text:
        bad(ROOM, _("Write the room number, e.g. 3-2-1502."))
    else:
        try:
            room = parse_room(room_text)
        except InvalidRoom as exc:
            if _LOOKS_LIKE_DATE.match(room_text):
                bad(
                    ROOM,
                    _(
                        "Excel took the room number for a date (%(v)s): format the room number "
                        "column as Text and write it again."
                    )
                    % {"v": room_text},
                )
            else:
                bad(ROOM, policy_message(exc))

    area_errors: list[str] = []
    area = _parse_area(row.get(AREA), area_errors)
    for message in area_errors:
        bad(AREA, message)

    note = row.get(NOTE)
    if len(note) > _max_length(Household, "note"):
        bad(
            NOTE,
            _("The note may have at most %(n)s characters.")
            % {"n": _max_length(Household, "note")},
        )

    name, relation_text, phone_text = row.get(NAME), row.get(RELATION), row.get(PHONE)
    resident: _ResidentLine | None = None
    if name or relation_text or phone_text:
        if not name:
            bad(NAME, _("A relation or phone is given: write the name too."))
        elif len(name) > _max_length(Resident, "name"):
            bad(
                NAME,
                _("The name may have at most %(n)s characters.")
                % {"n": _max_length(Resident, "name")},
            )
        relation = _parse_relation(relation_text)
        if not relation_text:
            bad(RELATION, _("Write the relation: owner, tenant or family member."))
        elif relation is None:
            bad(
                RELATION,
                _("The relation must be owner, tenant or family member: %(v)s")
                % {"v": relation_text},
            )
        number, extension = "", ""
        if phone_text:
            try:
                phone = parse_phone(phone_text)
                number, extension = phone.number, phone.extension
            except InvalidPhone as exc:
                if _SCIENTIFIC.match(phone_text):
                    bad(
                        PHONE,
                        _(
                            "Excel showed the phone in scientific notation (%(v)s) and the number "
                            "is lost: format the phone column as Text and write it again."
                        )
                        % {"v": phone_text},
                    )
                else:
                    bad(PHONE, policy_message(exc))
        resident = _ResidentLine(name, relation or "", number, extension)

    if not problems and room is not None:
        # Django's own field checks: a safety net behind the ones above.
        checks: list[tuple[models.Model, list[str]]] = [
            (
                Household(room=room.room, code=room.code, area=area, note=note),
                ["community", "unit"],
            ),
            (Building(number=room.building), ["community"]),
            (Unit(number=room.unit), ["building"]),
        ]
        if resident is not None:
            checks.append((Resident(**asdict(resident)), ["household"]))
        for instance, exclude in checks:
            try:
                instance.clean_fields(exclude=exclude)
            except ValidationError as exc:
                for field_name, messages in exc.message_dict.items():
                    for message in messages:
                        bad(_COLUMN_OF_FIELD.get(field_name, ""), message)

    errors = [RowError(row.number, column, message) for column, message in problems]
    if errors or room is None:
        return None, errors
    return _Line(row.number, room, area, note, resident), []


def _check_rows(rows: Iterable[SheetRow]) -> tuple[list[_Line], list[RowError]]:
    """Check every row, and the rows against each other, without touching the database.

    Within one file a room's 面积 and 备注 must agree wherever they are given, and a resident
    (room + 姓名 + 电话) may appear once.
    """
    lines: list[_Line] = []
    errors: list[RowError] = []
    area_at: dict[str, tuple[Decimal, int]] = {}
    note_at: dict[str, tuple[str, int]] = {}
    resident_at: dict[tuple[str, str, str], int] = {}
    for row in rows:
        line, row_errors = _check_row(row)
        errors.extend(row_errors)
        if line is None:
            continue
        code = line.room.code
        if line.area is not None:
            seen_area = area_at.setdefault(code, (line.area, line.number))
            if seen_area[0] != line.area:
                errors.append(
                    RowError(
                        line.number,
                        AREA,
                        _("Room %(code)s has a different area on row %(row)s (%(a)s and %(b)s).")
                        % {"code": code, "row": seen_area[1], "a": line.area, "b": seen_area[0]},
                    )
                )
        if line.note:
            seen_note = note_at.setdefault(code, (line.note, line.number))
            if seen_note[0] != line.note:
                errors.append(
                    RowError(
                        line.number,
                        NOTE,
                        _("Room %(code)s has a different note on row %(row)s.")
                        % {"code": code, "row": seen_note[1]},
                    )
                )
        if line.resident is not None:
            key = (code, line.resident.name, line.resident.phone)
            first = resident_at.setdefault(key, line.number)
            if first != line.number:
                errors.append(
                    RowError(
                        line.number,
                        "",
                        _(
                            "Same as row %(row)s: a room number, name and phone may appear only "
                            "once."
                        )
                        % {"row": first},
                    )
                )
        lines.append(line)
    column_order = {c: i for i, c in enumerate(("", *COLUMNS))}
    errors.sort(key=lambda e: (e.row or 0, column_order.get(e.column, 0)))
    return lines, errors


# --- writing ------------------------------------------------------------------------------------


def household_import(
    *,
    community: Community,
    by: User,
    now: datetime,
    rows: Iterable[SheetRow] | None = None,
    file: BinaryIO | bytes | None = None,
    filename: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Import households and residents into ``community`` from ``rows``, or from an .xlsx/.csv
    ``file`` (its format from ``filename``); all or nothing.

    Every row is checked first. If any row (or the file) is bad, nothing is written and the
    report lists every problem with its row number as Excel shows it; bad input never raises.
    Otherwise, in one transaction: buildings and units are created as the room numbers need,
    households are created or their 面积/备注 updated (an empty cell leaves the stored value),
    and residents are matched by household + 姓名 + 电话, so importing a file twice adds no one.
    Residents missing from the file are kept. Phones are stored normalised (digits, extension
    apart) so that the front desk's lookups find them as they are typed (FD-2).

    ``dry_run`` checks and counts without writing. ``now`` is aware; the register keeps no
    timestamps yet, so it is accepted for the common service shape only.

    Raises Forbidden if ``by`` may not import into ``community`` (see require_register_role),
    Conflict if the register changed underneath (a concurrent edit of the same rooms).
    """
    require_register_role(by, community)
    report = ImportReport(dry_run=dry_run)
    if rows is None:
        if file is None:
            raise ValueError("household_import needs rows or a file")
        try:
            rows = tabular.read_rows(file, filename=filename)
        except tabular.TabularError as exc:
            report.errors.append(RowError(exc.row, "", exc.message))
            return report
    sheet_rows = list(rows)
    report.rows = len(sheet_rows)
    if not sheet_rows:
        report.errors.append(RowError(None, "", _("The file has no rows to import.")))
        return report
    lines, errors = _check_rows(sheet_rows)
    if errors:
        report.errors = errors
        return report
    try:
        with transaction.atomic():
            # Imports into one community queue up here (on PostgreSQL; SQLite has one writer).
            # NO KEY: new work orders etc. referencing the community are not held up.
            list(
                Community.objects.select_for_update(no_key=True)
                .filter(pk=community.pk)
                .values_list("pk", flat=True)
            )
            _apply(community, lines, report, write=not dry_run)
    except IntegrityError as exc:
        raise Conflict(
            _("The household register is being changed at the same time: import again in a moment.")
        ) from exc
    return report


def _apply(community: Community, lines: list[_Line], report: ImportReport, *, write: bool) -> None:
    """Compare the checked lines with the register and write the difference."""
    buildings = {b.number: b for b in Building.objects.filter(community=community)}
    units = {
        (u.building.number, u.number): u
        for u in Unit.objects.filter(building__community=community).select_related("building")
    }
    households = {h.code: h for h in Household.objects.filter(community=community)}
    residents: dict[tuple[int, str, str], Resident] = {}
    for existing in Resident.objects.filter(household__community=community).order_by("id"):
        key = (existing.household_id, existing.name, _stored_phone(existing.phone))
        residents.setdefault(key, existing)

    new_buildings = {
        n: Building(community=community, number=n)
        for n in dict.fromkeys(line.room.building for line in lines)
        if n not in buildings
    }
    report.buildings_created = len(new_buildings)
    if write:
        Building.objects.bulk_create(new_buildings.values())
    buildings.update(new_buildings)

    new_units = {
        key: Unit(building=buildings[key[0]], number=key[1])
        for key in dict.fromkeys((line.room.building, line.room.unit) for line in lines)
        if key not in units
    }
    report.units_created = len(new_units)
    if write:
        Unit.objects.bulk_create(new_units.values())
    units.update(new_units)

    new_households: dict[str, Household] = {}
    changed_households: dict[str, Household] = {}
    seen_households: set[str] = set()
    for line in lines:
        code = line.room.code
        seen_households.add(code)
        household = households.get(code) or new_households.get(code)
        if household is None:
            household = new_households[code] = Household(
                community=community,
                unit=units[(line.room.building, line.room.unit)],
                room=line.room.room,
                code=code,
            )
        changed = _set(household, "area", line.area) | _set(household, "note", line.note or None)
        if changed and code not in new_households:
            changed_households[code] = household
    report.households_created = len(new_households)
    report.households_updated = len(changed_households)
    report.households_unchanged = len(seen_households - new_households.keys()) - len(
        changed_households
    )
    if write:
        Household.objects.bulk_create(new_households.values())
        Household.objects.bulk_update(changed_households.values(), ["area", "note"])
    households.update(new_households)

    new_residents: list[Resident] = []
    changed_residents: dict[int, Resident] = {}
    unchanged = 0
    for line in lines:
        if line.resident is None:
            continue
        household = households[line.room.code]
        r = line.resident
        resident = residents.get((household.pk, r.name, r.phone)) if household.pk else None
        if resident is None:
            new_residents.append(
                Resident(
                    household=household,
                    name=r.name,
                    relation=r.relation,
                    phone=r.phone,
                    phone_ext=r.phone_ext,
                )
            )
        elif (
            _set(resident, "relation", r.relation)
            | _set(resident, "phone", r.phone)  # normalises one typed by hand elsewhere
            | _set(resident, "phone_ext", r.phone_ext)
        ):
            changed_residents[resident.pk] = resident
        else:
            unchanged += 1
    report.residents_created = len(new_residents)
    report.residents_updated = len(changed_residents)
    report.residents_unchanged = unchanged
    if write:
        Resident.objects.bulk_create(new_residents)
        Resident.objects.bulk_update(changed_residents.values(), ["relation", "phone", "phone_ext"])


def _stored_phone(phone: str) -> str:
    """A stored phone as the import writes it, so that one typed by hand elsewhere matches."""
    try:
        return parse_phone(phone).number if phone else ""
    except InvalidPhone:
        return phone


def _set(instance: models.Model, name: str, value: object) -> bool:
    """Set ``instance.name`` to ``value`` unless ``value`` is None; True if that changed it."""
    if value is None or getattr(instance, name) == value:
        return False
    setattr(instance, name, value)
    return True
