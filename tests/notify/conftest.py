"""Real receivers for real deliveries: a local HTTP server that checks each message's signature
and dedupes by its idempotency id, and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

SECRET = "s3cret-用于签名"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """A webhook receiver on 127.0.0.1. ``status`` other than 200 answers that (a receiver in
    trouble); ``close()`` and ``open()`` take the port down and back; ``hold`` keeps each request
    open until released (a slow receiver, to kill a worker in the middle of a delivery)."""

    def __init__(self, secret: str = SECRET, delay: float = 0.0) -> None:
        self.secret = secret
        self.delay = delay
        self.status = 200
        self.answer: dict[str, Any] = {"ok": True}
        self.lock = threading.Lock()
        self.received: list[dict[str, Any]] = []  # accepted messages, duplicates included
        self.requests: list[dict[str, Any]] = []  # every request: path, headers, body
        self.attempts = 0
        self.bad_signatures = 0
        self.hold: threading.Event | None = None
        self.holding = threading.Event()
        self.port = free_port()
        self.server: ThreadingHTTPServer | None = None
        self.open()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def open(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.handle(self, body)

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self.lock:
            self.attempts += 1
            self.requests.append({"path": request.path, "headers": headers, "body": body})
        if self.hold is not None:
            self.holding.set()
            self.hold.wait(30)
        if self.delay:
            threading.Event().wait(self.delay)
        if self.secret and "x-propdesk-signature" in headers:
            ts = headers.get("x-propdesk-timestamp", "")
            expected = hmac.new(
                self.secret.encode(), ts.encode() + b"." + body, hashlib.sha256
            ).hexdigest()
            if not hmac.compare_digest(expected, headers["x-propdesk-signature"]):
                with self.lock:
                    self.bad_signatures += 1
                self._reply(request, 401, {"error": "bad signature"})
                return
        if self.status != 200:
            self._reply(request, self.status, {"error": "unavailable"})
            return
        with self.lock:
            self.received.append(
                {"id": headers.get("x-propdesk-id"), "headers": headers, "json": json.loads(body)}
            )
        self._reply(request, 200, self.answer)

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, data: dict[str, Any]) -> None:
        out = json.dumps(data).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(out)))
            request.end_headers()
            request.wfile.write(out)
        except OSError:
            pass  # the sender is gone (a worker killed while we held its request)

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(m["id"] for m in self.received)

    def unique(self) -> dict[str, dict[str, Any]]:
        """What the receiver keeps after dropping duplicates by idempotency id."""
        with self.lock:
            return {m["id"]: m for m in self.received}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    if r.hold is not None:
        r.hold.set()
    r.close()


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on a free localhost port, and Django's mail pointed at it."""
    box = Mailbox(host="127.0.0.1", port=free_port())
    controller = Controller(box, hostname=box.host, port=box.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = box.host
    settings.EMAIL_PORT = box.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "wuye@jinxiu.example"
    yield box
    controller.stop()
