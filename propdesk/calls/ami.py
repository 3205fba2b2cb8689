"""Asterisk's Manager Interface (AMI) as the calls service hears it.

AMI speaks text over TCP: a banner line, then messages of ``Key: Value`` lines each ended by an
empty line. We log in (``Action: Login``) and read the call events:

- ``Newchannel`` of a call's first channel (``Uniqueid == Linkedid``): the call rings
  (``CallerIDNum`` is the caller, ``Exten`` the line dialled);
- ``DialBegin``: which extension is being rung (kept for the answer);
- ``BridgeEnter`` of another channel of the call: it is answered, by the extension of that
  channel (``PJSIP/801-00000002`` → 801);
- ``Hangup`` of the first channel: the call ends (missed when nobody answered).

The call's id is its ``Linkedid``. With ``timestampevents=yes`` in manager.conf each event
carries ``Timestamp`` (Unix seconds), used as the event's time; otherwise the time it is read.
"""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from propdesk.calls.models import EventKind
from propdesk.calls.services import CallEventInput

_CHANNEL_EXTENSION = re.compile(r"^[A-Za-z0-9]+/([^-@/]+)")


class AmiError(Exception):
    pass


def parse_message(block: str) -> dict[str, str]:
    """One AMI message (its lines without the empty line that ends it) as a mapping."""
    out: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out.setdefault(key.strip(), value.strip())
    return out


def extension_of(channel: str) -> str:
    """``PJSIP/801-00000002`` → ``801``; "" when the channel names none."""
    m = _CHANNEL_EXTENSION.match(channel or "")
    return m.group(1) if m else ""


@dataclass
class AmiTranslator:
    """Turns AMI events into the calls service's events. Keeps, per call, the extension being
    rung and whether it was answered (an AMI call has many channels and bridges)."""

    answered: set[str] = field(default_factory=set)
    dialled: dict[str, str] = field(default_factory=dict)

    def translate(self, msg: dict[str, str], *, now: datetime) -> CallEventInput | None:
        kind = msg.get("Event", "")
        unique, linked = msg.get("Uniqueid", ""), msg.get("Linkedid", "")
        if not linked:
            return None
        at = now
        if msg.get("Timestamp"):
            try:
                at = datetime.fromtimestamp(float(msg["Timestamp"]), tz=UTC)
            except ValueError:
                at = now
        first = unique == linked
        if kind == "Newchannel" and first:
            return CallEventInput(
                event_id=f"ami:{linked}:ringing",
                call_id=linked,
                kind=EventKind.RINGING,
                at=at,
                phone=_number(msg.get("CallerIDNum", "")),
                line=msg.get("Exten", "")[:32],
            )
        if kind == "DialBegin":
            self.dialled[linked] = extension_of(msg.get("DestChannel", "")) or msg.get(
                "DestCallerIDNum", ""
            )
            return None
        if kind == "BridgeEnter" and not first and linked not in self.answered:
            self.answered.add(linked)
            return CallEventInput(
                event_id=f"ami:{linked}:answered",
                call_id=linked,
                kind=EventKind.ANSWERED,
                at=at,
                extension=(extension_of(msg.get("Channel", "")) or self.dialled.get(linked, ""))[
                    :32
                ],
            )
        if kind == "Hangup" and first:
            self.answered.discard(linked)
            self.dialled.pop(linked, None)
            return CallEventInput(
                event_id=f"ami:{linked}:ended", call_id=linked, kind=EventKind.ENDED, at=at
            )
        return None


def _number(text: str) -> str:
    """AMI writes an unknown caller as ``<unknown>``; a withheld number is ""."""
    return "" if not text or text.startswith("<") or not any(c.isdigit() for c in text) else text


class AmiConnection:
    """A logged-in AMI session over TCP: ``messages()`` yields each message as a mapping until
    the server closes the connection."""

    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(None)
        self._buffer = b""
        self.banner = self._line()

    def _line(self) -> str:
        while b"\r\n" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AmiError("the connection closed")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def send(self, **fields: str) -> None:
        text = "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
        self.sock.sendall(text.encode())

    def login(self, username: str, secret: str) -> None:
        self.send(Action="Login", Username=username, Secret=secret, Events="call")
        for msg in self.messages():
            if "Response" in msg:
                if msg["Response"] != "Success":
                    raise AmiError(msg.get("Message", "login refused"))
                return
        raise AmiError("the connection closed before the login was answered")

    def messages(self) -> Iterator[dict[str, str]]:
        while True:
            while b"\r\n\r\n" not in self._buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                self._buffer += chunk
            block, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
            msg = parse_message(block.decode("utf-8", "replace"))
            if msg:
                yield msg

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.send(Action="Logoff")
        self.sock.close()
