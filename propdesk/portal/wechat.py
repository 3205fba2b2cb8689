"""WeChat official account (公众号) silent login: snsapi_base OAuth. In WeChat's browser the portal
sends the resident to WeChat's authorize page, WeChat sends them back with a code, and the code is
exchanged for the openid (GET {WECHAT_API_BASE}/sns/oauth2/access_token). An openid bound to a
phone (after one SMS sign-in in WeChat) signs in without a code. Off unless settings.WECHAT_LOGIN.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.http import HttpRequest


class WechatError(Exception):
    """WeChat refused the code or could not be reached."""


def enabled(request: HttpRequest) -> bool:
    """Silent login applies: switched on, configured, and the page is open in WeChat."""
    return bool(
        settings.WECHAT_LOGIN
        and settings.WECHAT_APP_ID
        and "MicroMessenger" in request.META.get("HTTP_USER_AGENT", "")
    )


def authorize_url(*, redirect_uri: str, state: str) -> str:
    query = urllib.parse.urlencode(
        {
            "appid": settings.WECHAT_APP_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
        }
    )
    return f"{settings.WECHAT_AUTHORIZE_URL}?{query}#wechat_redirect"


def openid_for_code(code: str, *, timeout: float = 5) -> str:
    """Exchange the OAuth ``code`` for the resident's openid; raises WechatError."""
    query = urllib.parse.urlencode(
        {
            "appid": settings.WECHAT_APP_ID,
            "secret": settings.WECHAT_APP_SECRET,
            "code": code,
            "grant_type": "authorization_code",
        }
    )
    url = f"{settings.WECHAT_API_BASE.rstrip('/')}/sns/oauth2/access_token?{query}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - settings' https URL
            answer = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise WechatError(f"WeChat not reached: {exc}") from exc
    openid = answer.get("openid") if isinstance(answer, dict) else None
    if not openid:
        raise WechatError(f"WeChat refused the code: {answer}")
    return str(openid)
