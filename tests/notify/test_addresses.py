"""Webhooks never reach the installation's own network (SSRF): an endpoint whose host is, or
resolves to, a loopback, private, link-local, multicast, reserved or unspecified address is
refused when it is saved and again when a message is sent (to the address actually connected
to), redirects are not followed, and what a failure records is ours, not the remote's body.

The internal services here are real HTTP servers on 127.0.0.x; NOTIFY_ALLOWED_PRIVATE_HOSTS is
emptied (the test settings allow 127.0.0.1 for the other notification tests' receivers)."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client

from propdesk.notify.addresses import internal
from propdesk.notify.models import Notification, NotificationEndpoint
from tests.conftest import client_for
from tests.notify.conftest import Receiver
from tests.notify.helpers import deliver, endpoint, notify

pytestmark = pytest.mark.django_db

SECRET_PAGE = "root-password=hunter2 <html>internal admin</html>"


class Service:
    """An internal HTTP service on ``host``: answers every request (any method) with ``status``,
    ``headers`` and ``body``, and records what it was asked."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.status = 200
        self.headers: dict[str, str] = {}
        self.body = SECRET_PAGE.encode()
        self.requests: list[tuple[str, str]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length", "0") or 0)
                self.rfile.read(length)
                service.requests.append((self.command, self.path))
                self.send_response(service.status)
                for name, value in service.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(service.body)))
                self.end_headers()
                self.wfile.write(service.body)

            do_GET = do_POST = do_PUT = do_HEAD = _any

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.host = host
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/internal/admin?x=1", host: str | None = None) -> str:
        return f"http://{host or self.host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service() -> Iterator[Service]:
    s = Service()
    yield s
    s.close()


@pytest.fixture
def no_private(settings: Any) -> None:
    settings.NOTIFY_ALLOWED_PRIVATE_HOSTS = []


def unchecked_endpoint(office: Any, url: str, kind: str = "generic") -> NotificationEndpoint:
    """A row as one saved before the check existed (or by hand): no full_clean."""
    return NotificationEndpoint.objects.create(
        community=office.community, name=f"{kind}-{url}", kind=kind, url=url
    )


# --- what counts as internal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # a cloud's metadata service
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001:db8::1",
    ],
)
def test_internal_addresses(address: str) -> None:
    assert internal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888"])
def test_internet_addresses(address: str) -> None:
    assert not internal(ipaddress.ip_address(address))


# --- at save -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8199/internal/admin?x=1",
        "http://localhost:8199/hook",
        "http://LOCALHOST:8199/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8199/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0:8199/hook",
        "https://224.0.0.1/hook",
    ],
)
def test_an_internal_endpoint_is_refused_when_saved(office, no_private, url: str) -> None:
    with pytest.raises(ValidationError) as raised:
        endpoint(office, "generic", url=url)
    assert raised.value.message_dict["url"] == [
        f"{urlsplit(url).hostname} 属于内部网络：通知只能推送到互联网地址（确需推送到内部网络的，"
        "须由系统管理员在 NOTIFY_ALLOWED_PRIVATE_HOSTS 中放行）。"
    ]
    assert not NotificationEndpoint.objects.exists()


def test_the_back_office_refuses_an_internal_endpoint_with_a_chinese_error(
    office, no_private, service
) -> None:
    head = office.head
    head.is_staff = True
    head.save(update_fields=["is_staff"])
    head.user_permissions.set(Permission.objects.filter(content_type__app_label="notify"))
    c = Client()
    c.force_login(head)
    form = {
        "community": office.community.pk,
        "name": "内部",
        "kind": "generic",
        "url": service.url(),
        "secret": "",
        "body_template": "",
        "kinds": "[]",
        "active": "on",
    }
    r = c.post("/admin/notify/notificationendpoint/add/", form)
    assert r.status_code == 200  # the form again, with its error
    page = r.content.decode()
    assert "127.0.0.1 属于内部网络" in page, page
    assert not NotificationEndpoint.objects.exists()
    assert service.requests == []
    # The same form with an internet address is saved (the name does not resolve here: the
    # send checks it again).
    r = c.post("/admin/notify/notificationendpoint/add/", form | {"url": "https://hook.example/"})
    assert r.status_code == 302
    assert NotificationEndpoint.objects.get().url == "https://hook.example/"


def test_allowed_hosts_and_networks_may_be_internal(office, settings, service) -> None:
    settings.NOTIFY_ALLOWED_PRIVATE_HOSTS = ["localhost", "10.8.0.0/16"]
    endpoint(office, "generic", url=service.url(host="localhost"))
    endpoint(office, "generic", url="http://10.8.1.2/hook")
    with pytest.raises(ValidationError):
        endpoint(office, "generic", url="http://10.9.0.1/hook")
    with pytest.raises(ValidationError):
        endpoint(office, "generic", url=service.url())  # 127.0.0.1: neither a name nor a network


# --- at send -------------------------------------------------------------------------------------


def test_the_worker_never_posts_to_an_internal_address(
    office, no_private, clock, service, django_assert_max_num_queries
) -> None:
    """The tester's case: an endpoint on 127.0.0.1 (saved before the check), a message, a retry
    through the API: nothing reaches the internal service, and its page is shown nowhere."""
    e = unchecked_endpoint(office, service.url())
    notify(office, [office.head], clock)
    report = deliver(clock)
    assert (report.sent, report.failed) == (0, 1)
    assert service.requests == []
    row = Notification.objects.get(endpoint=e)
    assert row.state == "failed"
    assert row.last_error == "推送地址 127.0.0.1 属于内部网络，未发送。"
    c = client_for(office.head)
    r = c.get(f"/api/notifications/failed/?community={office.community.pk}")
    [item] = r.json()["results"]
    assert item["last_error"] == row.last_error
    assert c.post(f"/api/notifications/failed/{row.pk}/retry/").status_code == 200
    clock.advance(minutes=1)
    deliver(clock)
    row.refresh_from_db()
    assert (row.state, row.last_error) == ("failed", "推送地址 127.0.0.1 属于内部网络，未发送。")
    assert service.requests == []


@pytest.mark.parametrize("host", ["localhost", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]"])
def test_a_name_that_resolves_to_an_internal_address_is_not_posted_to(
    office, no_private, clock, service, host: str
) -> None:
    e = unchecked_endpoint(office, service.url(host=host))
    notify(office, [office.head], clock)
    assert deliver(clock).failed == 1
    assert service.requests == []
    row = Notification.objects.get(endpoint=e)
    assert row.last_error == f"推送地址 {host.strip('[]')} 属于内部网络，未发送。"


def test_dns_rebinding_cannot_get_round_the_check_at_save(
    office, no_private, clock, service, monkeypatch
) -> None:
    """The name resolves to an internet address when the endpoint is saved, and to 127.0.0.1
    when the worker sends (the resolver is the system's; the test stands in for a DNS server
    with a short TTL)."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "hook.rebind.example":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return real(address, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    e = endpoint(office, "generic", url=service.url("/hook", host="hook.rebind.example"))
    notify(office, [office.head], clock)
    assert deliver(clock).failed == 1
    assert service.requests == []
    row = Notification.objects.get(endpoint=e)
    assert row.last_error == "推送地址 hook.rebind.example 属于内部网络，未发送。"


def test_a_redirect_is_not_followed(office, settings, clock, service) -> None:
    """The endpoint (allowed) answers 302 to another internal service: it is not asked."""
    settings.NOTIFY_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    inner = Service("127.0.0.2")
    try:
        service.status = 302
        service.headers = {"Location": inner.url()}
        e = endpoint(office, "generic", url=service.url("/hook"))
        notify(office, [office.head], clock)
        assert deliver(clock).retried == 1
        assert service.requests == [("POST", "/hook")]
        assert inner.requests == []
        row = Notification.objects.get(endpoint=e)
        assert row.last_error == "HTTP 302：接收方要求转到别的地址，未跟随。"
    finally:
        inner.close()


# --- what a failure records ----------------------------------------------------------------------


def test_a_failure_records_the_status_not_the_remote_body(office, clock, service) -> None:
    """An allowed endpoint (the test settings allow 127.0.0.1) answering 500 with a page."""
    service.status = 500
    e = endpoint(office, "generic", url=service.url("/hook"))
    notify(office, [office.head], clock)
    assert deliver(clock).retried == 1
    row = Notification.objects.get(endpoint=e)
    assert row.last_error == "HTTP 500：接收方未接受此消息。"


@pytest.mark.parametrize(
    ("errmsg", "shown"),
    [
        (
            "invalid webhook url, hint: [1733123456_8_abc], from ip: 10.0.0.7, more info at "
            "https://open.work.weixin.qq.com/devtool/query?e=93000",
            "errcode 93000: invalid webhook url",
        ),
        (
            "keywords not in content, more: [https://ding-doc.dingtalk.com/]",
            "errcode 93000: keywords not in content",
        ),
        (
            SECRET_PAGE + "x" * 500,
            "errcode 93000: root-password hunter2 html internal admin html xxxxxxxxxxxxx",
        ),
        ("<>{}", "errcode 93000"),
        (["not", "text"], "errcode 93000"),
    ],
)
def test_a_robots_errmsg_is_kept_short_and_plain(office, clock, errmsg: Any, shown: str) -> None:
    receiver = Receiver(secret="")
    try:
        receiver.answer = {"errcode": 93000, "errmsg": errmsg}
        e = endpoint(office, "wecom", url=receiver.url)
        notify(office, [office.head], clock)
        assert deliver(clock).retried == 1
        row = Notification.objects.get(endpoint=e)
        assert row.last_error == shown
        assert len(row.last_error) <= len("errcode 93000: ") + 60
    finally:
        receiver.close()


def test_a_robots_errcode_that_is_not_a_number_is_not_shown(office, clock) -> None:
    receiver = Receiver(secret="")
    try:
        receiver.answer = {"errcode": SECRET_PAGE, "errmsg": "ok"}
        e = endpoint(office, "dingtalk", url=receiver.url)
        notify(office, [office.head], clock)
        deliver(clock)
        assert Notification.objects.get(endpoint=e).last_error == "errcode ?: ok"
    finally:
        receiver.close()


def test_the_internal_page_is_not_in_the_failed_list(office, clock, service) -> None:
    service.status = 404
    endpoint(office, "generic", url=service.url())
    notify(office, [office.head], clock)
    deliver(clock)
    Notification.objects.update(state="failed")
    r = client_for(office.head).get(f"/api/notifications/failed/?community={office.community.pk}")
    assert "hunter2" not in json.dumps(r.json(), ensure_ascii=False)
    assert r.json()["results"][0]["last_error"] == "HTTP 404：接收方未接受此消息。"
