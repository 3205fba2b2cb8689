"""Room numbers as the office writes them: building-unit-room, e.g. 3-2-1502."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from propdesk.policy.messages import PolicyError, gettext_noop

_ROOM = re.compile(
    r"^\s*(?P<building>[0-9A-Za-z]{1,6})\s*(?:栋|幢|座|号楼|-|－|—|/|／)\s*"
    r"(?P<unit>[0-9A-Za-z]{1,4})\s*(?:单元|-|－|—|/|／)\s*(?P<room>[0-9A-Za-z]{1,6})\s*(?:室|号)?\s*$"
)


class InvalidRoom(PolicyError):
    """The text is not a room number of the form building-unit-room."""


@dataclass(frozen=True)
class Room:
    building: str
    unit: str
    room: str

    @property
    def code(self) -> str:
        return f"{self.building}-{self.unit}-{self.room}"


def parse_room(text: str) -> Room:
    """Parse ``3-2-1502`` or ``3栋2单元1502室`` into its parts. Raises InvalidRoom."""
    m = _ROOM.match(text or "")
    if not m:
        raise InvalidRoom(
            gettext_noop("Write the room number as building-unit-room, e.g. 3-2-1502: %(text)s"),
            text=text,
        )
    return Room(m["building"].upper(), m["unit"].upper(), m["room"].upper())


# --- reading a room as it is said, whole or in part (the front desk's lookup) ------------------

_PART = r"[0-9A-Za-z]{1,6}"
_BUILDING_MARK = r"(?:栋|幢|座|号楼)"
_SEP = r"(?:\s*[-/]\s*|\s+)"
_QUERY_SHAPES = [
    # 4-1-901, 4/1/901, 4 1 901, 4栋1单元901室, 4号楼1单元901; also 4-1- and 4栋1单元 (typing).
    re.compile(
        rf"^(?P<building>{_PART})(?:\s*{_BUILDING_MARK}\s*|{_SEP})(?P<unit>{_PART})"
        rf"(?:\s*单元\s*|{_SEP})(?P<room>{_PART})?\s*(?:室|号)?$"
    ),
    re.compile(rf"^(?P<building>{_PART})\s*{_BUILDING_MARK}\s*(?P<unit>{_PART})\s*单元$"),
    # 4-901, 4/901, 4栋901: building and room, the unit to infer; 4- and 4栋 (typing).
    re.compile(
        rf"^(?P<building>{_PART})(?:\s*{_BUILDING_MARK}\s*|{_SEP})(?P<room>{_PART})?\s*(?:室|号)?$"
    ),
    # 901, 901室: the room alone (within a chosen building).
    re.compile(rf"^(?P<room>{_PART})\s*(?:室|号)?$"),
]


@dataclass(frozen=True)
class RoomQuery:
    """A room number as typed so far: any part may be missing ("" then). ``4-901`` gives a
    building and a room, no unit; ``4-1-`` a building and a unit, no room; ``901`` a room."""

    building: str = ""
    unit: str = ""
    room: str = ""

    @property
    def code(self) -> str:
        """The household's code when all three parts are there, else ""."""
        return f"{self.building}-{self.unit}-{self.room}" if self.complete else ""

    @property
    def complete(self) -> bool:
        return bool(self.building and self.unit and self.room)


def parse_room_query(text: str) -> RoomQuery | None:
    """Read a room number as an owner says it, whole or in part: ``4-1-901``, ``4/1/901``,
    ``4栋1单元901``, ``4号楼1单元901``, ``4-901`` (no unit), ``901`` (the room alone), and what
    is typed on the way (``4-1-``, ``4栋``). Full-width characters count as their ASCII twins;
    letters are upper-cased. ``None`` when the text is not shaped like a room (a name, say)."""
    norm = unicodedata.normalize("NFKC", text or "").strip().upper()
    norm = re.sub(r"[－—–]", "-", norm)
    for shape in _QUERY_SHAPES:
        m = shape.match(norm)
        if m:
            parts = m.groupdict()
            return RoomQuery(
                building=parts.get("building") or "",
                unit=parts.get("unit") or "",
                room=parts.get("room") or "",
            )
    return None
