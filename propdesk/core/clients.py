"""Where a request comes from, as the limits count it: the staff logins' lockout (django-axes,
propdesk.web.lockout) and the residents' sign-in codes (propdesk.portal.signin) take the same
address, and count an IPv6 client by its /64, the block one subscriber line or host holds (it may
draw a new address from it for every try)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: settings.CLIENT_IP_HEADER when set (behind a reverse proxy that
    always sets it), else the connection's address; "" when there is none."""
    header: str = settings.CLIENT_IP_HEADER
    if header:
        value = str(request.META.get(header, "")).split(",")[0].strip()
        if value:
            return value[:45]
    return str(request.META.get("REMOTE_ADDR") or "")[:45]


def limit_address(ip: str) -> str:
    """The address a per-address limit counts (``ip`` as client_ip gives it): an IPv6 client by
    its /64 network's first address (2001:db8:1:2::, itself an address, so it is stored where an
    address goes); an IPv4 address written as IPv6 (``::ffff:10.0.0.1``) as that IPv4 address;
    anything else as it is."""
    try:
        parsed = ipaddress.ip_address(ip.strip().split("%", 1)[0])
    except ValueError:
        return ip
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False).network_address)
    return str(parsed)
