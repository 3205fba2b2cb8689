"""How each channel says a notification: payload shapes and signatures (no database)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from propdesk.notify import channels
from propdesk.notify.channels import Endpoint, Outgoing, Permanent
from propdesk.notify.services import retry_delay

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def outgoing(endpoint: Endpoint | None = None, **kw) -> Outgoing:
    base = dict(
        id=1,
        dedupe_key="clock:7:L1:e3:webhook",
        channel="webhook",
        kind="clock_escalation",
        cause="clock:7:L1",
        title="CP-1 投诉10分钟内安排管理员处理: GD-20261126-0001 is overdue (level 1)",
        created_at=NOW,
        community_id=5,
        community_name="锦绣花园",
        payload={"clock": 7, "rule": "CP-1"},
        endpoint=endpoint,
    )
    base.update(kw)
    return Outgoing(**base)


def test_generic_webhook_is_signed_over_timestamp_and_body() -> None:
    ep = Endpoint(id=3, kind="generic", url="http://127.0.0.1:9/hook", secret="k")
    req = channels.webhook_request(outgoing(ep), NOW)
    ts = req.headers["X-Propdesk-Timestamp"]
    assert ts == str(int(NOW.timestamp()))
    expected = hmac.new(b"k", f"{ts}.".encode() + req.body, hashlib.sha256).hexdigest()
    assert req.headers["X-Propdesk-Signature"] == expected
    assert req.headers["X-Propdesk-Id"] == "clock:7:L1:e3:webhook"
    body = json.loads(req.body)
    assert body["id"] == "clock:7:L1:e3:webhook"
    assert body["community"] == {"id": 5, "name": "锦绣花园"}
    assert body["payload"] == {"clock": 7, "rule": "CP-1"}
    assert body["text"].splitlines()[0] == body["title"]
    assert "2026-11-26 10:00" in body["text"]  # the community's time zone, not UTC


def test_unsigned_generic_webhook_has_no_signature_header() -> None:
    req = channels.webhook_request(outgoing(Endpoint(id=3, kind="generic", url="http://x/")), NOW)
    assert "X-Propdesk-Signature" not in req.headers


def test_wecom_group_robot_markdown() -> None:
    ep = Endpoint(id=3, kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K")
    req = channels.webhook_request(outgoing(ep), NOW)
    body = json.loads(req.body)
    assert set(body) == {"msgtype", "markdown"}
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**CP-1 投诉10分钟内安排管理员处理")
    assert "锦绣花园" in content and "2026-11-26 10:00" in content
    assert req.url == ep.url  # the key is in the URL; WeCom robots do not sign


def test_dingtalk_group_robot_markdown_and_signed_url() -> None:
    ep = Endpoint(
        id=3,
        kind="dingtalk",
        url="https://oapi.dingtalk.com/robot/send?access_token=T",
        secret="SECabc",
    )
    req = channels.webhook_request(outgoing(ep), NOW)
    body = json.loads(req.body)
    assert body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"].startswith("CP-1")
    assert body["markdown"]["text"].startswith("#### CP-1")
    url = urllib.parse.urlsplit(req.url)
    query = urllib.parse.parse_qs(url.query)
    assert query["access_token"] == ["T"]
    ts = int(NOW.timestamp() * 1000)
    assert query["timestamp"] == [str(ts)]
    # DingTalk's documented recipe, step by step.
    string_to_sign = f"{ts}\nSECabc"
    digest = hmac.new(b"SECabc", string_to_sign.encode(), hashlib.sha256).digest()
    assert query["sign"] == [base64.b64encode(digest).decode()]
    assert urllib.parse.quote_plus(base64.b64encode(digest).decode()) in req.url


def test_sms_gateway_template_fills_phone_and_text_as_json_strings() -> None:
    template = '{"to": "{phone}", "sign": "锦绣物业", "params": ["{text}"], "n": 1}'
    ep = Endpoint(id=4, kind="sms_template", url="http://sms/", secret="k", body_template=template)
    out = outgoing(ep, recipient_id=9, phone="13812345678", title='水管"爆裂" {紧急}')
    body = json.loads(channels.webhook_request(out, NOW).body)
    assert body == {
        "to": "13812345678",
        "sign": "锦绣物业",
        "params": ['水管"爆裂" {紧急}（锦绣花园）'],
        "n": 1,
    }


def test_sms_without_phone_or_removed_endpoint_is_permanent() -> None:
    ep = Endpoint(id=4, kind="sms_template", url="http://sms/", body_template='{"to":"{phone}"}')
    with pytest.raises(Permanent):
        channels.webhook_request(outgoing(ep, phone=""), NOW)
    off = Endpoint(id=3, kind="generic", url="http://x/", active=False)
    with pytest.raises(Permanent):
        channels.webhook_request(outgoing(off), NOW)
    with pytest.raises(Permanent):
        channels.webhook_request(outgoing(None), NOW)


def test_backoff_doubles_from_30_seconds_up_to_the_cap(settings) -> None:
    settings.NOTIFY_RETRY_JITTER = 0
    assert [retry_delay(n, "k").total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]
    settings.NOTIFY_RETRY_JITTER = 0.1
    d = retry_delay(3, "k")
    assert timedelta(seconds=120) <= d <= timedelta(seconds=132)
    assert d == retry_delay(3, "k")  # reproducible: derived from the key, not a random source
    assert len({retry_delay(3, f"k{i}") for i in range(20)}) > 1  # yet spread over rows


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_group_robot_shows_what_an_owner_typed_as_text_never_as_a_link(kind: str) -> None:
    """A title carries the order's description, which an owner types in the portal: a markdown
    link (or <font>, or a line break ending the bold title) must not reach the staff's group chat
    as markup, where it would be a disguised link under the property office's robot."""
    typed = '漏水 [点此查看](http://evil.example/login)\n**<font color="warning">急</font>**'
    ep = Endpoint(id=3, kind=kind, url="https://example.com/robot?key=K")
    req = channels.webhook_request(outgoing(ep, title=f"张三派单给您：{typed}"), NOW)
    markdown = json.loads(req.body)["markdown"]
    text = markdown["content"] if kind == "wecom" else markdown["text"]
    shown = (
        "张三派单给您：漏水 ［点此查看］(http://evil.example/login)"
        ' ＊＊＜font color="warning"＞急＜/font＞＊＊'
    )
    assert text.splitlines()[0] == (f"**{shown}**" if kind == "wecom" else f"#### {shown}")
    assert not any(c in text for c in "[]<`"), text
