"""bin/web's gunicorn (propdesk/web_server.py): a connection that is open but silent, as a
browser's preconnect leaves one, never holds a sync worker, so with ``make run`` (nothing in front
of gunicorn) the next request is still answered. Real gunicorn, real sockets."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(port: int, timeout: float) -> int:
    """An API call without credentials: answered 401 without touching the database."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/api/work-orders/", headers={"Accept": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_silent_connection_does_not_hold_the_only_web_worker(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "WEB_WORKERS": "1",
        "WEB_TIMEOUT": "30",
        "SECRET_KEY": "tests-web-server-not-a-secret",
        "DJANGO_SETTINGS_MODULE": "propdesk.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("PROPDESK_TESTING", None)
    log = (tmp_path / "web.log").open("wb")
    proc = subprocess.Popen([str(ROOT / "bin" / "web")], cwd=ROOT, env=env, stdout=log, stderr=log)
    silent = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert get(port, timeout=5) == 401
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "web.log").read_text()
                assert time.monotonic() < deadline, "bin/web did not start"
                time.sleep(0.2)
        # A preconnect: the socket is open and nothing is sent on it.
        silent = socket.create_connection(("127.0.0.1", port))
        time.sleep(0.3)
        # The only worker still answers the next request (without the deferred accept it sits
        # in recv() on the silent socket until its 30 s timeout: this read would time out).
        assert get(port, timeout=10) == 401
        # And when the silent socket speaks, it is answered like any other.
        silent.settimeout(10)
        silent.sendall(b"GET /api/work-orders/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        assert silent.recv(12).startswith(b"HTTP/1.")
    finally:
        if silent is not None:
            silent.close()
        proc.terminate()
        proc.wait(30)
        log.close()
