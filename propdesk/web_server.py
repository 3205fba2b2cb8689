"""What gunicorn's command line cannot say; ``bin/web`` loads it (``--config
python:propdesk.web_server``), so ``make run`` and every production web process get it.

A sync worker reads its request with a blocking ``recv()``: a connection that is open but says
nothing holds the worker until ``--timeout`` kills it (30 s). Browsers open such connections on
purpose (Chrome's preconnect opens a socket for a request it expects to make), and with ``make
run`` nothing stands in front of gunicorn to absorb them: with three workers, three silent sockets
stop the office's screens for half a minute. So the listening sockets defer ``accept()`` until the
client's first bytes arrive (``TCP_DEFER_ACCEPT``, Linux; nginx's ``listen … deferred`` does the
same): a worker only ever takes a connection that has something to say. Behind nginx (deploy/) it
changes nothing, since nginx sends its request at once.
"""

from __future__ import annotations

import socket
from typing import Any

# How long the kernel keeps a silent connection away from the workers; longer than a browser
# keeps an unused preconnect open. After it the connection is handed over as before.
DEFER_ACCEPT_SECONDS = 30


def when_ready(server: Any) -> None:
    """gunicorn's hook, called once the listening sockets are bound and before any worker
    starts."""
    option = getattr(socket, "TCP_DEFER_ACCEPT", None)
    if option is None:  # not Linux: the platform has no such option
        return
    for listener in server.LISTENERS:
        sock = listener.sock
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, option, DEFER_ACCEPT_SECONDS)
