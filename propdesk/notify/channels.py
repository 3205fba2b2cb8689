"""How each channel says a notification: the e-mail, the signed JSON webhook, the WeCom and
DingTalk group-robot messages and the SMS gateway's templated body, and the sending of them.

Nothing here touches the database: the worker reads a row into an ``Outgoing`` inside its claim
transaction and sends it afterwards. Every message carries the row's dedupe key as its
idempotency id (``X-Propdesk-Id`` header, the generic body's ``id``, the e-mail's Message-ID), so
a receiver can drop the duplicate that a retry after a crash may bring (at-least-once delivery).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import translation
from django.utils.translation import gettext as _

from propdesk.notify import addresses
from propdesk.notify.conf import conf
from propdesk.notify.models import EndpointKind

USER_AGENT = "propdesk-notify/1"
MAX_RESPONSE_BYTES = 64 * 1024


class Permanent(Exception):
    """A delivery that no retry can mend (no address, endpoint removed): failed at once."""


@dataclass(frozen=True)
class Endpoint:
    id: int
    kind: str
    url: str
    secret: str = ""
    body_template: str = ""
    active: bool = True


@dataclass(frozen=True)
class Outgoing:
    """One row to deliver, detached from the ORM."""

    id: int
    dedupe_key: str
    channel: str
    kind: str
    cause: str
    title: str
    created_at: datetime
    community_id: int
    community_name: str
    time_zone: str = "Asia/Shanghai"
    payload: dict[str, Any] = field(default_factory=dict)
    recipient_id: int | None = None
    recipient_name: str = ""
    email: str = ""
    phone: str = ""
    endpoint: Endpoint | None = None
    attempt: int = 1  # which attempt this delivery is (1: the first)


def _local(out: Outgoing) -> str:
    return out.created_at.astimezone(ZoneInfo(out.time_zone)).strftime("%Y-%m-%d %H:%M")


def _lines(out: Outgoing) -> list[str]:
    return [
        _("Community: %(name)s") % {"name": out.community_name},
        _("Time: %(time)s") % {"time": _local(out)},
    ]


def message_text(out: Outgoing) -> str:
    """Plain text: the title, the community and the time (in the community's time zone)."""
    with translation.override(settings.LANGUAGE_CODE):
        return "\n".join([out.title, *_lines(out)])


# --- e-mail --------------------------------------------------------------------------------------


def email_message(out: Outgoing) -> EmailMessage:
    if not out.email:
        raise Permanent(_("The recipient has no e-mail address."))
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"{conf('NOTIFY_EMAIL_SUBJECT_PREFIX')}{out.title}"
        body = "\n".join(
            [
                _("Dear %(name)s,") % {"name": out.recipient_name},
                "",
                out.title,
                *_lines(out),
                "",
                _("Notification reference: %(id)s") % {"id": out.dedupe_key},
                _("This message was sent by the property service desk; please do not reply."),
            ]
        )
    digest = hashlib.sha256(out.dedupe_key.encode()).hexdigest()[:32]
    return EmailMessage(
        subject=subject.replace("\n", " "),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[out.email],
        # The same Message-ID on a retry lets mail systems drop the duplicate.
        headers={"Message-ID": f"<{digest}@propdesk.notify>", "X-Propdesk-Id": out.dedupe_key},
    )


def send_emails(outs: Sequence[Outgoing]) -> dict[int, Exception | None]:
    """Send each e-mail over one SMTP connection; per row None (sent) or the error."""
    results: dict[int, Exception | None] = {}
    messages: list[tuple[Outgoing, EmailMessage]] = []
    for out in outs:
        try:
            messages.append((out, email_message(out)))
        except Permanent as exc:
            results[out.id] = exc
    if not messages:
        return results
    connection = get_connection(fail_silently=False, timeout=conf("NOTIFY_SEND_TIMEOUT_SECONDS"))
    try:
        connection.open()
    except Exception as exc:
        return results | {out.id: exc for out, _m in messages}
    try:
        for out, message in messages:
            try:
                connection.send_messages([message])
                results[out.id] = None
            except Exception as exc:
                results[out.id] = exc
    finally:
        # The messages are already sent or failed: closing is tidy-up.
        with contextlib.suppress(Exception):
            connection.close()
    return results


# --- webhooks ------------------------------------------------------------------------------------


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """X-Propdesk-Signature: hex HMAC-SHA256 with the endpoint's secret over
    ``timestamp + "." + body`` (the body's exact bytes)."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def generic_body(out: Outgoing) -> dict[str, Any]:
    return {
        "id": out.dedupe_key,
        "kind": out.kind,
        "cause": out.cause,
        "title": out.title,
        "text": message_text(out),
        "community": {"id": out.community_id, "name": out.community_name},
        "recipient": (
            {"id": out.recipient_id, "name": out.recipient_name} if out.recipient_id else None
        ),
        "payload": out.payload,
        "created_at": out.created_at.isoformat(),
    }


# Markdown's link, image, HTML (<font>, <a>), emphasis and code characters, as their full-width
# forms: a title carries text an owner typed (the order's description, from the portal), which
# must read as written in the staff's group chat, never become a disguised link there.
_MARKDOWN_PLAIN = str.maketrans(
    {"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "`": "｀", "_": "＿", "~": "～"}
)


def markdown_text(text: str) -> str:
    """``text`` for one line of a robot's markdown: what it says, no markup; line breaks (which
    would end the bold title or the quote) as spaces."""
    return " ".join(str(text).split("\n")).replace("\r", " ").translate(_MARKDOWN_PLAIN)


def wecom_body(out: Outgoing) -> dict[str, Any]:
    """企业微信 group robot, markdown message."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [markdown_text(line) for line in _lines(out)]
    title = markdown_text(out.title)
    content = "\n".join([f"**{title}**", *(f"> {line}" for line in lines)])
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_body(out: Outgoing) -> dict[str, Any]:
    """钉钉 group robot, markdown message."""
    with translation.override(settings.LANGUAGE_CODE):
        lines = [markdown_text(line) for line in _lines(out)]
    title = markdown_text(out.title)
    text = "\n\n".join([f"#### {title}", *(f"> {line}" for line in lines)])
    return {"msgtype": "markdown", "markdown": {"title": out.title, "text": text}}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), not yet
    URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def dingtalk_url(url: str, secret: str, now: datetime) -> str:
    """The robot URL with ``timestamp`` (ms) and ``sign`` appended, when the robot signs."""
    if not secret:
        return url
    ts = int(now.timestamp() * 1000)
    query = urllib.parse.urlencode({"timestamp": ts, "sign": dingtalk_sign(secret, ts)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def sms_body(out: Outgoing, template: str) -> Any:
    """The gateway's JSON template with ``{phone}`` and ``{text}`` replaced in every string (the
    values go in as JSON strings, so quotes or braces in the text cannot break the body)."""
    if not out.phone:
        raise Permanent(_("The recipient has no phone number."))
    try:
        shape = json.loads(template)
    except ValueError as exc:
        raise Permanent(_("The SMS gateway's body template is not JSON.")) from exc
    with translation.override(settings.LANGUAGE_CODE):
        text = f"{out.title}（{out.community_name}）"

    def fill(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace("{phone}", out.phone).replace("{text}", text)
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    return fill(shape)


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: dict[str, str]


def webhook_request(out: Outgoing, now: datetime) -> WebhookRequest:
    """The HTTP POST for a webhook row, signed at ``now``."""
    endpoint = out.endpoint
    if endpoint is None or not endpoint.active:
        raise Permanent(_("The endpoint was removed or turned off."))
    url = endpoint.url
    if endpoint.kind == EndpointKind.WECOM:
        data: Any = wecom_body(out)
    elif endpoint.kind == EndpointKind.DINGTALK:
        data = dingtalk_body(out)
        url = dingtalk_url(url, endpoint.secret, now)
    elif endpoint.kind == EndpointKind.SMS_TEMPLATE:
        data = sms_body(out, endpoint.body_template)
    else:
        data = generic_body(out)
    body = _dumps(data)
    ts = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Propdesk-Id": out.dedupe_key,
        "X-Propdesk-Timestamp": ts,
        "X-Propdesk-Attempt": str(out.attempt),
    }
    if endpoint.secret and endpoint.kind in (EndpointKind.GENERIC, EndpointKind.SMS_TEMPLATE):
        headers["X-Propdesk-Signature"] = signature(endpoint.secret, ts, body)
    return WebhookRequest(url=url, body=body, headers=headers)


class DeliveryError(Exception):
    pass


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = addresses.guarded_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = addresses.guarded_connection


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook is the URL the office entered: a redirect is an answer (a failure), never
    followed (it could lead anywhere, and urllib would turn the POST into a GET)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    """urllib without the environment's proxies (the address check must see where the socket
    goes), without redirects, and connecting only to permitted addresses (notify.addresses)."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _GuardedHTTPHandler, _GuardedHTTPSHandler, _NoRedirect
    )


def _refused(host: str) -> Permanent:
    return Permanent(
        _("The endpoint's host %(host)s is on an internal network: nothing was sent.")
        % {"host": host}
    )


def post(request: WebhookRequest, timeout: float) -> bytes:
    """POST and return the response body; any answer but 2xx raises DeliveryError, an address
    on the installation's own network Permanent. What either says is ours (the status, the
    reason a connection failed), never the remote's body: that could be a page of an internal
    service the URL was pointed at, shown to whoever reads the failures."""
    if urllib.parse.urlsplit(request.url).scheme not in ("http", "https"):
        raise Permanent(_("Only http and https endpoints are allowed."))
    req = urllib.request.Request(  # noqa: S310 - scheme checked above
        request.url, data=request.body, headers=request.headers, method="POST"
    )
    try:
        with _opener().open(req, timeout=timeout) as response:
            return bytes(response.read(MAX_RESPONSE_BYTES))
    except addresses.AddressRefused as exc:
        raise _refused(exc.host) from exc
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            message = _("HTTP %(status)s: the endpoint redirects elsewhere; not followed.")
        else:
            message = _("HTTP %(status)s: the endpoint did not accept the message.")
        raise DeliveryError(message % {"status": exc.code}) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, addresses.AddressRefused):
            raise _refused(exc.reason.host) from exc
        raise DeliveryError(_unreached(exc.reason)) from exc
    except (TimeoutError, OSError) as exc:
        raise DeliveryError(_unreached(exc)) from exc


def _unreached(reason: object) -> str:
    text = str(reason)
    if isinstance(reason, BaseException):
        text = f"{type(reason).__name__}: {text}" if text else type(reason).__name__
    return _("The endpoint could not be reached: %(reason)s") % {"reason": text[:200]}


# The robots' errmsg names the cause before its first comma ("sign not match", "keywords not in
# content", "invalid webhook url"), then hints and links. That cause is what the office needs to
# mend the robot's settings; only it is kept, in plain ASCII words, at most ROBOT_MESSAGE_CHARS.
ROBOT_MESSAGE_CHARS = 60
_ROBOT_MESSAGE = re.compile(r"[^A-Za-z0-9 .:'_-]")


def robot_message(errmsg: object) -> str:
    """The short, plain part of a WeCom or DingTalk robot's errmsg (see ROBOT_MESSAGE_CHARS)."""
    if not isinstance(errmsg, str):
        return ""
    cause = _ROBOT_MESSAGE.sub(" ", errmsg.split(",", 1)[0])
    return " ".join(cause.split())[:ROBOT_MESSAGE_CHARS].strip()


def robot_code(errcode: object) -> str:
    if isinstance(errcode, int) and not isinstance(errcode, bool):
        return str(errcode)
    return "?"


def send_webhook(out: Outgoing, now: datetime) -> None:
    """Deliver one webhook row; raises Permanent or DeliveryError."""
    request = webhook_request(out, now)
    answer = post(request, timeout=conf("NOTIFY_SEND_TIMEOUT_SECONDS"))
    assert out.endpoint is not None
    if out.endpoint.kind in (EndpointKind.WECOM, EndpointKind.DINGTALK):
        # The robots answer 200 with {"errcode": n, "errmsg": …}; anything but 0 is a failure.
        try:
            result = json.loads(answer or b"{}")
        except ValueError:
            result = {}
        if isinstance(result, dict) and result.get("errcode", 0) != 0:
            code = robot_code(result.get("errcode"))
            message = robot_message(result.get("errmsg"))
            raise DeliveryError(f"errcode {code}: {message}" if message else f"errcode {code}")
