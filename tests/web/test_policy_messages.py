"""The policy engine's refusals (a phone, a room) reach each person in their own language
(issue 11): English msgids marked in propdesk.policy, translated where they become a form or API
error. FD-2: a number the desk cannot dial is refused, saying what to type."""

from __future__ import annotations

import json

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from propdesk.desk.models import Contact
from tests.conftest import client_for
from tests.web.conftest import browser_for
from tests.web.test_forms_plain import errors_of

ENGLISH = "The phone number is not valid: 12345. Write a mobile (e.g. 13812345678)"
CHINESE = "电话号码格式不正确：12345。请填写手机号（例如 13812345678）"


def intake(user, office):
    return browser_for(user).post(
        reverse("desk-intake", args=[office.community.pk]),
        {
            "channel": "phone",
            "caller_phone": "12345",
            "room": "4-1-901",
            "intent": "repair",
            "content": "楼道灯不亮",
            "outcome": "resolved",
        },
    )


def test_fd2_an_english_user_reads_the_phone_error_in_english(office, clock) -> None:
    user = office.receptionist
    user.language = "en"
    user.save(update_fields=["language"])
    r = intake(user, office)
    assert r.status_code == 400
    errs = errors_of(r.content.decode())
    assert any(ENGLISH in e for e in errs), errs
    assert not any("电话号码" in e for e in errs)
    assert Contact.objects.count() == 0


def test_fd2_a_chinese_user_reads_the_same_error_in_chinese(office, clock) -> None:
    user = office.receptionist
    assert user.language in ("", "zh-hans")  # Chinese unless chosen otherwise
    r = intake(user, office)
    assert r.status_code == 400
    errs = errors_of(r.content.decode())
    assert any(CHINESE in e for e in errs), errs
    assert not any("not valid" in e for e in errs)
    assert Contact.objects.count() == 0


def test_fd2_the_api_answers_in_the_users_language(office, clock) -> None:
    user = office.receptionist
    body = {
        "community": office.community.pk,
        "channel": "phone",
        "caller_phone": "12345",
        "room_text": "4-1-901",
        "intent": "repair",
        "content": "楼道灯不亮",
        "outcome": "resolved",
    }
    r = client_for(user).post("/api/contacts/", body, format="json")
    assert r.status_code == 400
    assert CHINESE in " ".join(r.json()["error"]["fields"]["caller_phone"])
    user.language = "en"
    user.save(update_fields=["language"])
    r = browser_for(user).post(  # signed in to the console: the session's user
        "/api/contacts/", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 400
    assert ENGLISH in " ".join(r.json()["error"]["fields"]["caller_phone"])
    token = Token.objects.create(user=user)
    by_token = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    r = by_token.post("/api/contacts/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400
    assert r["Content-Language"] == "en"
    assert ENGLISH in " ".join(r.json()["error"]["fields"]["caller_phone"])
    assert Contact.objects.count() == 0
