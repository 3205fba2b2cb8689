"""The Asterisk adapter (FD-1): ``manage.py ami_listen`` against a real local TCP server that
speaks AMI's text protocol (banner, Login, then Newchannel / DialBegin / BridgeEnter / Hangup)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from propdesk.calls.models import Call, CallState, Extension

# 10:00:00 and on, 2026-11-26 Shanghai, as Unix seconds.
T = 1795658400.0


def msg(**fields: object) -> bytes:
    return ("".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n").encode()


ANSWERED_CALL = [
    msg(
        Event="Newchannel",
        Channel="PJSIP/trunk-00000001",
        CallerIDNum="13812345678",
        Exten="88881234",
        Uniqueid="1795665600.1",
        Linkedid="1795665600.1",
        Timestamp=T,
    ),
    msg(
        Event="DialBegin",
        Channel="PJSIP/trunk-00000001",
        DestChannel="PJSIP/801-00000002",
        Uniqueid="1795665600.1",
        Linkedid="1795665600.1",
        Timestamp=T + 0.2,
    ),
    msg(
        Event="Newchannel",
        Channel="PJSIP/801-00000002",
        CallerIDNum="801",
        Uniqueid="1795665600.2",
        Linkedid="1795665600.1",
        Timestamp=T + 0.2,
    ),
    msg(
        Event="BridgeEnter",
        Channel="PJSIP/trunk-00000001",
        Uniqueid="1795665600.1",
        Linkedid="1795665600.1",
        Timestamp=T + 12,
    ),
    msg(
        Event="BridgeEnter",
        Channel="PJSIP/801-00000002",
        Uniqueid="1795665600.2",
        Linkedid="1795665600.1",
        Timestamp=T + 12,
    ),
    msg(
        Event="Hangup",
        Channel="PJSIP/801-00000002",
        Uniqueid="1795665600.2",
        Linkedid="1795665600.1",
        Timestamp=T + 90,
    ),
    msg(
        Event="Hangup",
        Channel="PJSIP/trunk-00000001",
        Uniqueid="1795665600.1",
        Linkedid="1795665600.1",
        Timestamp=T + 90,
    ),
]
MISSED_CALL = [
    msg(
        Event="Newchannel",
        Channel="PJSIP/trunk-00000003",
        CallerIDNum="13900000000",
        Exten="88881234",
        Uniqueid="1795665700.3",
        Linkedid="1795665700.3",
        Timestamp=T + 100,
    ),
    msg(
        Event="Hangup",
        Channel="PJSIP/trunk-00000003",
        Uniqueid="1795665700.3",
        Linkedid="1795665700.3",
        Timestamp=T + 140,
    ),
]


class Ami(socketserver.StreamRequestHandler):
    """One AMI session: the banner, a Login that must carry the right secret, then the events."""

    events: list[bytes] = []
    logins: list[dict[str, str]] = []

    def handle(self) -> None:
        self.wfile.write(b"Asterisk Call Manager/7.0.3\r\n")
        login: dict[str, str] = {}
        while True:
            line = self.rfile.readline().decode().strip()
            if not line:
                break
            key, _sep, value = line.partition(":")
            login[key.strip()] = value.strip()
        self.logins.append(login)
        if login.get("Action") != "Login" or login.get("Secret") != "amipass":
            self.wfile.write(msg(Response="Error", Message="Authentication failed"))
            return
        self.wfile.write(msg(Response="Success", Message="Authentication accepted"))
        self.wfile.write(msg(Event="FullyBooted", Privilege="system,all", Status="Fully Booted"))
        for event in self.events:
            self.wfile.write(event)


@pytest.fixture
def ami_server() -> Iterator[tuple[str, int]]:
    Ami.events = ANSWERED_CALL + MISSED_CALL
    Ami.logins = []
    server = socketserver.TCPServer(("127.0.0.1", 0), Ami)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address  # type: ignore[misc]
    server.shutdown()
    server.server_close()


def test_fd1_asterisk_events_become_calls_with_their_ring_time(office, clock, ami_server) -> None:  # type: ignore[no-untyped-def]
    Extension.objects.create(community=office.community, number="801", user=office.receptionist)
    host, port = ami_server
    call_command(
        "ami_listen",
        community=office.community.code,
        host=host,
        port=port,
        username="propdesk",
        secret="amipass",
    )
    assert Ami.logins[0]["Username"] == "propdesk"
    calls = {c.call_id: c for c in Call.objects.all()}
    answered = calls["1795665600.1"]
    assert (answered.phone, answered.line, answered.state) == (
        "13812345678",
        "88881234",
        CallState.ENDED,
    )
    assert (answered.ring_ms, answered.extension, answered.answered_by) == (
        12_000,
        "801",
        office.receptionist,
    )
    missed = calls["1795665700.3"]
    assert missed.state == CallState.MISSED and missed.callback is not None


def test_ami_a_refused_login_stops_with_an_error(office, clock, ami_server) -> None:  # type: ignore[no-untyped-def]
    host, port = ami_server
    with pytest.raises(CommandError, match="Authentication failed"):
        call_command(
            "ami_listen",
            community=office.community.code,
            host=host,
            port=port,
            username="propdesk",
            secret="wrong",
        )
    assert not Call.objects.exists()
