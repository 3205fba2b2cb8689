"""The SMS gateway for residents: one function, ``send_sms(phone, text)``, and pluggable backends.

``settings.SMS_BACKEND`` names the backend class (dotted path); ``settings.SMS_OPTIONS`` its
keyword arguments (credentials come from the environment, never the repository). The default is
the console backend: it writes the message to the log and keeps the last ones in memory, so
development and tests read the code a resident would have received (``console_sent``).

The providers of mainland China send only approved templates with a signature (签名): a message
names its template (``template="sign_in_code"``) and its variables (``params``); the provider's
adapter maps the name to the template code the provider approved (``templates`` option,
``{"sign_in_code": "SMS_123456789", "text": "SMS_987654321"}``). A message without a template
goes out through the ``"text"`` template, whose one variable ``text`` is the whole message.
Adapters: AliyunGateway (Dysmsapi SendSms, RPC signature v1) and TencentGateway (SMS SendSms
2021-01-11, TC3-HMAC-SHA256), both plain HTTPS with the standard library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from propdesk.core.clock import get_clock

log = logging.getLogger("propdesk.sms")


class SmsError(Exception):
    """The gateway refused or could not be reached (the caller decides whether to retry)."""


class Gateway(Protocol):
    def send(
        self, phone: str, text: str, *, template: str = "", params: dict[str, str] | None = None
    ) -> None: ...


_CONSOLE: deque[tuple[str, str]] = deque(maxlen=500)


class ConsoleGateway:
    """Development and tests: the message goes to the log (and to memory), not to a phone."""

    def __init__(self, **_options: Any) -> None:
        pass

    def send(
        self, phone: str, text: str, *, template: str = "", params: dict[str, str] | None = None
    ) -> None:
        log.info("SMS to %s: %s", phone, text)
        _CONSOLE.append((phone, text))


def console_sent(phone: str | None = None) -> list[str]:
    """The texts the console backend sent (to ``phone``), oldest first."""
    return [text for to, text in _CONSOLE if phone is None or to == phone]


def gateway() -> Gateway:
    backend = getattr(settings, "SMS_BACKEND", "propdesk.notify.sms.ConsoleGateway")
    options = getattr(settings, "SMS_OPTIONS", {})
    cls = import_string(backend)
    result: Gateway = cls(**options)
    return result


def send_sms(
    phone: str, text: str, *, template: str = "", params: dict[str, str] | None = None
) -> None:
    """Send ``text`` to ``phone`` through the configured gateway; raises SmsError on failure.
    ``template`` and ``params``: the provider's template for it (see the module's docstring)."""
    gateway().send(phone, text, template=template, params=params)


# --- providers -----------------------------------------------------------------------------------


def _template(
    templates: dict[str, str], name: str, text: str, params: dict[str, str] | None
) -> tuple[str, dict[str, str]]:
    """The provider's template code and variables for a message."""
    if name and name in templates:
        return templates[name], dict(params or {})
    if "text" in templates:
        return templates["text"], {"text": text}
    raise SmsError(f"no SMS template configured for {name or 'text'!r} (SMS_TEMPLATES)")


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> dict[str, Any]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - the provider's https endpoint from settings
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            answer: dict[str, Any] = json.loads(response.read().decode("utf-8"))
            return answer
    except urllib.error.HTTPError as exc:
        raise SmsError(f"SMS provider answered {exc.code}: {exc.read()[:300]!r}") from exc
    except (OSError, ValueError) as exc:
        raise SmsError(f"SMS provider not reached: {exc}") from exc


def _quote(value: str) -> str:
    """Aliyun's percent-encoding (RFC 3986: only A-Z a-z 0-9 - _ . ~ left as they are)."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature v1 (HMAC-SHA1): the documented string to sign is
    ``METHOD&%2F&quote(sorted, encoded query)``, keyed with ``secret + "&"``."""
    query = "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_quote('/')}&{_quote(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunGateway:
    """Aliyun SMS (阿里云短信服务, Dysmsapi 2017-05-25 SendSms). Options: access_key_id,
    access_key_secret, sign_name (签名), templates, endpoint (default
    https://dysmsapi.aliyuncs.com/), region (cn-hangzhou), timeout (seconds)."""

    def __init__(
        self,
        *,
        access_key_id: str = "",
        access_key_secret: str = "",
        sign_name: str = "",
        templates: dict[str, str] | None = None,
        endpoint: str = "https://dysmsapi.aliyuncs.com/",
        region: str = "cn-hangzhou",
        timeout: float = 10,
        **_other: Any,
    ) -> None:
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.sign_name = sign_name
        self.templates = templates or {}
        self.endpoint = endpoint
        self.region = region
        self.timeout = timeout

    def send(
        self, phone: str, text: str, *, template: str = "", params: dict[str, str] | None = None
    ) -> None:
        if not (self.access_key_id and self.access_key_secret and self.sign_name):
            raise SmsError(
                "Aliyun SMS needs SMS_ACCESS_KEY_ID, SMS_ACCESS_KEY_SECRET, SMS_SIGN_NAME"
            )
        code, variables = _template(self.templates, template, text, params)
        query = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": code,
            "TemplateParam": json.dumps(variables, ensure_ascii=False),
            "Timestamp": get_clock().now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        query["Signature"] = aliyun_signature(query, self.access_key_secret)
        body = urllib.parse.urlencode(query, quote_via=urllib.parse.quote).encode()
        answer = _post(
            self.endpoint,
            body,
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            self.timeout,
        )
        if answer.get("Code") != "OK":
            raise SmsError(f"Aliyun SMS refused: {answer.get('Code')} {answer.get('Message')}")
        log.info("SMS to %s sent by Aliyun (%s)", phone, answer.get("BizId", ""))


def tencent_authorization(
    *,
    secret_id: str,
    secret_key: str,
    host: str,
    body: bytes,
    timestamp: int,
    service: str = "sms",
) -> str:
    """Tencent Cloud API 3.0 TC3-HMAC-SHA256: the documented canonical request (POST, JSON
    body, signed headers content-type;host), the string to sign, and the derived key chain
    TC3+key → date → service → tc3_request."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = sign(sign(sign(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


class TencentGateway:
    """Tencent Cloud SMS (腾讯云短信, SendSms 2021-01-11). Options: secret_id, secret_key,
    sdk_app_id (SmsSdkAppId), sign_name (签名), templates (name → TemplateId; the variables
    are sent in the order of ``params``), endpoint (default https://sms.tencentcloudapi.com/),
    region (ap-guangzhou), timeout (seconds)."""

    def __init__(
        self,
        *,
        secret_id: str = "",
        secret_key: str = "",
        sdk_app_id: str = "",
        sign_name: str = "",
        templates: dict[str, str] | None = None,
        endpoint: str = "https://sms.tencentcloudapi.com/",
        region: str = "ap-guangzhou",
        timeout: float = 10,
        **_other: Any,
    ) -> None:
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.sdk_app_id = sdk_app_id
        self.sign_name = sign_name
        self.templates = templates or {}
        self.endpoint = endpoint
        self.region = region
        self.timeout = timeout

    def send(
        self, phone: str, text: str, *, template: str = "", params: dict[str, str] | None = None
    ) -> None:
        if not (self.secret_id and self.secret_key and self.sdk_app_id and self.sign_name):
            raise SmsError(
                "Tencent SMS needs SMS_SECRET_ID, SMS_SECRET_KEY, SMS_SDK_APP_ID, SMS_SIGN_NAME"
            )
        code, variables = _template(self.templates, template, text, params)
        body = json.dumps(
            {
                "PhoneNumberSet": [phone if phone.startswith("+") else f"+86{phone}"],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": code,
                "TemplateParamSet": list(variables.values()),
            },
            ensure_ascii=False,
        ).encode()
        # The signed host is the service's name (sms.tencentcloudapi.com) even when the endpoint
        # is a proxy or a test receiver.
        host = "sms.tencentcloudapi.com"
        timestamp = int(get_clock().now().timestamp())
        headers = {
            "Authorization": tencent_authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                host=host,
                body=body,
                timestamp=timestamp,
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }
        answer = _post(self.endpoint, body, headers, self.timeout).get("Response", {})
        if "Error" in answer:
            error = answer["Error"]
            raise SmsError(f"Tencent SMS refused: {error.get('Code')} {error.get('Message')}")
        statuses = answer.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise SmsError(
                f"Tencent SMS refused: {statuses[0].get('Code')} {statuses[0].get('Message')}"
            )
        log.info("SMS to %s sent by Tencent (%s)", phone, statuses[0].get("SerialNo", ""))
