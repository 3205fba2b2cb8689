"""Room numbers as the office writes them: building-unit-room, e.g. 3-2-1502."""

from __future__ import annotations

import re
from dataclasses import dataclass

_ROOM = re.compile(
    r"^\s*(?P<building>[0-9A-Za-z]{1,6})\s*(?:栋|幢|号楼|-|－|—)\s*"
    r"(?P<unit>[0-9A-Za-z]{1,4})\s*(?:单元|-|－|—)\s*(?P<room>[0-9A-Za-z]{1,6})\s*(?:室|号)?\s*$"
)


class InvalidRoom(ValueError):
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
        raise InvalidRoom(f"房号格式应为 楼栋-单元-房间，例如 3-2-1502：{text}")
    return Room(m["building"].upper(), m["unit"].upper(), m["room"].upper())
