"""Issue 13: WeChat 公众号 silent login (snsapi_base), behind settings.WECHAT_LOGIN (off by
default). A local HTTP server stands in for api.weixin.qq.com and answers the code exchange as
WeChat documents it; it refuses a wrong appid, secret or code."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from propdesk.portal.access import SESSION_KEY
from propdesk.portal.models import SignIn, WechatBinding
from tests.notify.conftest import free_port
from tests.portal.helpers import ask_code, last_code, send_code

pytestmark = pytest.mark.django_db

OWNER = "13812345678"
WECHAT_UA = "Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0.47.2560 NetType/WIFI"


class FakeWeixin:
    """GET /sns/oauth2/access_token?appid&secret&code&grant_type=authorization_code."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}  # code → openid
        self.asked: list[dict[str, str]] = []
        self.port = free_port()
        weixin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                q = dict(urllib.parse.parse_qsl(url.query))
                weixin.asked.append({"path": url.path, **q})
                ok = (
                    url.path == "/sns/oauth2/access_token"
                    and q.get("appid") == "wx-test-app"
                    and q.get("secret") == "wx-test-secret"
                    and q.get("grant_type") == "authorization_code"
                    and q.get("code") in weixin.codes
                )
                if ok:
                    openid = weixin.codes.pop(q["code"])  # a code works once
                    answer: dict[str, Any] = {
                        "access_token": "ACCESS",
                        "expires_in": 7200,
                        "refresh_token": "REFRESH",
                        "openid": openid,
                        "scope": "snsapi_base",
                    }
                else:
                    answer = {"errcode": 40029, "errmsg": "invalid code"}
                body = json.dumps(answer).encode()
                self.send_response(200)  # WeChat answers errors with 200 and errcode
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def weixin(settings) -> Iterator[FakeWeixin]:
    w = FakeWeixin()
    settings.WECHAT_LOGIN = True
    settings.WECHAT_APP_ID = "wx-test-app"
    settings.WECHAT_APP_SECRET = "wx-test-secret"
    settings.WECHAT_API_BASE = f"http://127.0.0.1:{w.port}"
    yield w
    w.close()


def enter_from_wechat(client: Client, weixin: FakeWeixin, code: str, openid: str) -> Any:
    """Open the portal in WeChat; WeChat comes back with ``code`` (for ``openid``)."""
    r = client.get("/portal/login/?next=/portal/me/", HTTP_USER_AGENT=WECHAT_UA)
    assert r.status_code == 302
    target = urllib.parse.urlsplit(r["Location"])
    assert target.netloc == "open.weixin.qq.com"
    assert target.fragment == "wechat_redirect"
    q = dict(urllib.parse.parse_qsl(target.query))
    assert q["appid"] == "wx-test-app"
    assert q["scope"] == "snsapi_base"
    assert q["response_type"] == "code"
    assert q["redirect_uri"] == "http://testserver/portal/login/wechat/"
    weixin.codes[code] = openid
    return client.get(
        "/portal/login/wechat/", {"code": code, "state": q["state"]}, HTTP_USER_AGENT=WECHAT_UA
    )


def test_silent_login_is_off_by_default(office, clock, settings) -> None:
    assert settings.WECHAT_LOGIN is False
    r = Client().get("/portal/login/", HTTP_USER_AGENT=WECHAT_UA)
    assert r.status_code == 200


def test_first_time_an_sms_sign_in_binds_the_openid_then_wechat_signs_in_silently(
    office, clock, weixin
) -> None:
    first = Client()
    r = enter_from_wechat(first, weixin, "CODE-1", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
    assert r["Location"] == "/portal/login/?next=%2Fportal%2Fme%2F"
    assert first.session.get(SESSION_KEY) is None  # not yet: the openid is bound to nobody
    ask_code(first, OWNER, HTTP_USER_AGENT=WECHAT_UA)
    send_code(first, last_code(OWNER), next="/portal/me/")
    assert first.session[SESSION_KEY] == OWNER
    assert WechatBinding.objects.get().phone == OWNER

    later = Client()  # another day, the same WeChat: no code
    clock.advance(days=1)
    r = enter_from_wechat(later, weixin, "CODE-2", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M")
    assert r["Location"] == "/portal/me/"
    assert later.session[SESSION_KEY] == OWNER
    assert SignIn.objects.filter(method="wechat").count() == 1
    assert weixin.asked[-1]["code"] == "CODE-2"


def test_a_wrong_state_is_not_exchanged(office, clock, weixin) -> None:
    c = Client()
    c.get("/portal/login/", HTTP_USER_AGENT=WECHAT_UA)
    weixin.codes["CODE-X"] = "openid-x"
    r = c.get("/portal/login/wechat/", {"code": "CODE-X", "state": "forged"})
    assert r["Location"].startswith("/portal/login/")
    assert weixin.asked == [] and c.session.get(SESSION_KEY) is None


def test_a_code_wechat_refuses_leaves_the_sms_sign_in(office, clock, weixin) -> None:
    c = Client()
    r = c.get("/portal/login/", HTTP_USER_AGENT=WECHAT_UA)
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r["Location"]).query))["state"]
    r = c.get("/portal/login/wechat/", {"code": "NOT-ISSUED", "state": state})
    assert r["Location"].startswith("/portal/login/")
    assert c.session.get(SESSION_KEY) is None
    # Back on the login page in WeChat, no second trip to WeChat: the SMS form.
    page = c.get(r["Location"], HTTP_USER_AGENT=WECHAT_UA)
    assert page.status_code == 200 and "获取验证码" in page.content.decode()


def test_a_bound_openid_whose_number_left_the_register_signs_in_nobody(
    office, clock, weixin
) -> None:
    WechatBinding.objects.create(openid="gone", phone="13700009999", bound_at=clock.now())
    c = Client()
    r = enter_from_wechat(c, weixin, "CODE-3", "gone")
    assert r["Location"].startswith("/portal/login/")
    assert c.session.get(SESSION_KEY) is None
