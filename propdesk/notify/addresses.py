"""Where a webhook may go: never to the installation's own network (SSRF).

An office head types an endpoint's URL in the back office; the worker then POSTs from inside the
installation. Without a check that URL could name the database, Redis, a cloud's metadata service
or the app's own admin on 127.0.0.1, and the worker would reach them. So a host that is, or
resolves to, a loopback, private, link-local, multicast, reserved or unspecified address
(``internal``) is refused twice:

- when the endpoint is saved (``check_url``: a literal address, or a name as it resolves now);
- when a message is sent (``guarded_connection``): the name is resolved once, each address is
  checked, and the socket connects to a checked address itself, so a name that resolves elsewhere
  by then (DNS rebinding) cannot get round the first check.

``NOTIFY_ALLOWED_PRIVATE_HOSTS`` names the exceptions an installation really needs (an internal
webhook): host names (as written in the URL, any case) and addresses or networks
(``10.1.2.3``, ``10.8.0.0/16``).
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from propdesk.notify.conf import conf

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The endpoint's host is (or resolves to) an internal address and is not allowed."""

    def __init__(self, host: str) -> None:
        super().__init__(host)
        self.host = host


def internal(ip: Address) -> bool:
    """Whether ``ip`` is not an address on the public internet."""
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address written as IPv6 (::ffff:127.0.0.1, 6to4 2002:7f00:1::) reaches the
        # IPv4 host: judge that one.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return internal(embedded)
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _allowed() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for entry in conf("NOTIFY_ALLOWED_PRIVATE_HOSTS"):
        entry = str(entry).strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def permitted(host: str, ip: Address) -> bool:
    """Whether a connection for ``host`` may go to ``ip``."""
    if not internal(ip):
        return True
    names, networks = _allowed()
    if host.lower().rstrip(".") in names:
        return True
    return any(ip.version == net.version and ip in net for net in networks)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    """getaddrinfo for a TCP connection to ``host``: (family, type, proto, _, sockaddr)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def check_host(host: str, port: int) -> None:
    """Raise AddressRefused when ``host`` is, or now resolves to, an address it may not reach.
    A name that does not resolve passes: it reaches nothing, and the send checks again."""
    ip = _literal(host)
    if ip is not None:
        if not permitted(host, ip):
            raise AddressRefused(host)
        return
    try:
        infos = resolve(host, port)
    except (OSError, UnicodeError):
        return
    for info in infos:
        ip = _literal(str(info[4][0]))
        if ip is None or not permitted(host, ip):
            raise AddressRefused(host)


def guarded_connection(
    address: tuple[str, int],
    timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
    source_address: tuple[str, int] | None = None,
) -> socket.socket:
    """socket.create_connection that connects only to permitted addresses: the name is resolved
    here, once, and the socket connects to the address that was checked (then checked again as
    the peer it is connected to). Raises AddressRefused when no address may be reached."""
    host, port = address
    refused = False
    error: OSError | None = None
    for family, kind, proto, _name, sockaddr in resolve(host, port):
        ip = _literal(str(sockaddr[0]))
        if ip is None or not permitted(host, ip):
            refused = True
            continue
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:  # type: ignore[attr-defined]
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            peer = _literal(str(sock.getpeername()[0]))
            if peer is None or not permitted(host, peer):
                raise AddressRefused(host)
        except AddressRefused:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    if refused:
        raise AddressRefused(host)
    if error is not None:
        raise error
    raise OSError(f"getaddrinfo returned nothing for {host}")
