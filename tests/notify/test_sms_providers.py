"""Issue 13: the SMS providers' adapters against a real local HTTP receiver that checks each
request as the provider would: Aliyun's RPC signature v1 (HMAC-SHA1 over the sorted, encoded
form) and Tencent Cloud's TC3-HMAC-SHA256 (canonical request, key chain), both recomputed here
from the providers' documentation, independently of propdesk's code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from propdesk.core.clock import FixedClock, set_clock
from propdesk.notify.sms import AliyunGateway, SmsError, TencentGateway, send_sms
from tests.notify.conftest import free_port

NOW = datetime(2026, 11, 26, 2, 0, 5, tzinfo=UTC)


class Provider:
    """A stand-in for the provider's endpoint: records each request, answers ``answer``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: dict[str, Any] = {}
        self.status = 200
        self.port = free_port()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                provider.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                payload = json.dumps(provider.answer).encode()
                self.send_response(provider.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider() -> Iterator[Provider]:
    set_clock(FixedClock(NOW))
    p = Provider()
    yield p
    p.close()
    set_clock(None)


def aliyun_expected_signature(form: dict[str, str], secret: str) -> str:
    def enc(v: str) -> str:
        return urllib.parse.quote(v, safe="~")  # RFC 3986, as the documentation's example

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(form.items()))
    to_sign = "POST&%2F&" + enc(canonical)
    mac = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def test_aliyun_sends_the_code_template_signed(provider: Provider) -> None:
    provider.answer = {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"}
    gw = AliyunGateway(
        access_key_id="testid",
        access_key_secret="testsecret",
        sign_name="锦绣物业",
        templates={"sign_in_code": "SMS_154950909"},
        endpoint=provider.url,
    )
    gw.send(
        "13812345678", "您的登录验证码为 123456", template="sign_in_code", params={"code": "123456"}
    )
    (req,) = provider.requests
    assert req["headers"]["content-type"].startswith("application/x-www-form-urlencoded")
    form = dict(urllib.parse.parse_qsl(req["body"].decode(), keep_blank_values=True))
    signature = form.pop("Signature")
    assert signature == aliyun_expected_signature(form, "testsecret")
    assert {k: form[k] for k in form if k != "SignatureNonce"} == {
        "AccessKeyId": "testid",
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": "13812345678",
        "RegionId": "cn-hangzhou",
        "SignName": "锦绣物业",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_154950909",
        "TemplateParam": '{"code": "123456"}',
        "Timestamp": "2026-11-26T02:00:05Z",
        "Version": "2017-05-25",
    }
    assert len(form["SignatureNonce"]) == 32


def test_aliyun_refusal_is_an_sms_error(provider: Provider) -> None:
    provider.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控"}
    gw = AliyunGateway(
        access_key_id="id",
        access_key_secret="s",
        sign_name="物业",
        templates={"text": "SMS_1"},
        endpoint=provider.url,
    )
    with pytest.raises(SmsError, match="BUSINESS_LIMIT_CONTROL"):
        gw.send("13812345678", "派单通知")
    form = dict(urllib.parse.parse_qsl(provider.requests[0]["body"].decode()))
    # A message without its own template goes through the one-variable "text" template.
    assert (form["TemplateCode"], json.loads(form["TemplateParam"])) == (
        "SMS_1",
        {"text": "派单通知"},
    )


def test_a_provider_without_its_keys_refuses_before_sending(provider: Provider) -> None:
    with pytest.raises(SmsError, match="SMS_ACCESS_KEY_ID"):
        AliyunGateway(endpoint=provider.url).send("13812345678", "x")
    with pytest.raises(SmsError, match="SMS_SECRET_ID"):
        TencentGateway(endpoint=provider.url).send("13812345678", "x")
    assert provider.requests == []


def tencent_expected_authorization(
    headers: dict[str, str], body: bytes, secret_id: str, secret_key: str
) -> str:
    timestamp = int(headers["x-tc-timestamp"])
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical_headers = f"content-type:{headers['content-type'].lower()}\nhost:{headers['host']}\n"
    canonical_request = (
        f"POST\n/\n\n{canonical_headers}\ncontent-type;host\n{hashlib.sha256(body).hexdigest()}"
    )
    scope = f"{date}/sms/tc3_request"
    string_to_sign = (
        f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n"
        + hashlib.sha256(canonical_request.encode()).hexdigest()
    )

    def h(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    signing = h(h(h(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
    sig = hmac.new(signing, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
        f"Signature={sig}"
    )


def test_tencent_sends_the_code_template_signed(provider: Provider) -> None:
    provider.answer = {
        "Response": {
            "SendStatusSet": [{"SerialNo": "5000:1045710669157053657849499619", "Code": "Ok"}],
            "RequestId": "a0aabda6-cf91-4f3e-a81f-9198114a2279",
        }
    }
    gw = TencentGateway(
        secret_id="AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        secret_key="Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        sdk_app_id="1400006666",
        sign_name="锦绣物业",
        templates={"sign_in_code": "449739"},
        endpoint=provider.url,
    )
    gw.send("13812345678", "验证码 123456", template="sign_in_code", params={"code": "123456"})
    (req,) = provider.requests
    headers = req["headers"]
    assert headers["x-tc-action"] == "SendSms"
    assert headers["x-tc-version"] == "2021-01-11"
    assert headers["x-tc-region"] == "ap-guangzhou"
    assert headers["x-tc-timestamp"] == str(int(NOW.timestamp()))
    assert headers["authorization"] == tencent_expected_authorization(
        headers,
        req["body"],
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
    )
    assert json.loads(req["body"]) == {
        "PhoneNumberSet": ["+8613812345678"],
        "SmsSdkAppId": "1400006666",
        "SignName": "锦绣物业",
        "TemplateId": "449739",
        "TemplateParamSet": ["123456"],
    }


def test_tencent_error_answer_is_an_sms_error(provider: Provider) -> None:
    provider.answer = {
        "Response": {
            "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "签名错误"},
            "RequestId": "x",
        }
    }
    gw = TencentGateway(
        secret_id="a",
        secret_key="b",
        sdk_app_id="1",
        sign_name="物业",
        templates={"text": "1"},
        endpoint=provider.url,
    )
    with pytest.raises(SmsError, match="SignatureFailure"):
        gw.send("13812345678", "完工通知")


def test_an_unreachable_provider_is_an_sms_error() -> None:
    gw = AliyunGateway(
        access_key_id="id",
        access_key_secret="s",
        sign_name="物业",
        templates={"text": "SMS_1"},
        endpoint=f"http://127.0.0.1:{free_port()}/",
        timeout=2,
    )
    with pytest.raises(SmsError, match="not reached"):
        gw.send("13812345678", "x")


def test_settings_choose_the_provider(provider: Provider, settings) -> None:
    provider.answer = {"Code": "OK"}
    settings.SMS_BACKEND = "propdesk.notify.sms.AliyunGateway"
    settings.SMS_OPTIONS = {
        "access_key_id": "id",
        "access_key_secret": "s",
        "sign_name": "物业",
        "templates": {"sign_in_code": "SMS_9"},
        "endpoint": provider.url,
    }
    send_sms("13812345678", "验证码 654321", template="sign_in_code", params={"code": "654321"})
    form = dict(urllib.parse.parse_qsl(provider.requests[0]["body"].decode()))
    assert form["TemplateCode"] == "SMS_9"
