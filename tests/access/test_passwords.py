"""Issue 12, the password policy: at least 10 characters, not like the username, name or phone,
not a common password, not all digits; refused in Chinese wherever a password is set (the back
office's add and change-password pages, /admin/password_change/), changing nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from propdesk.community.models import User
from tests import factories as f

GOOD = "Correct-horse-42"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab3-xyz-9", "密码太短：至少要有 10 个字符。"),  # 9 characters
        ("password1234", "这个密码太常见了。"),
        ("4938271650123", "密码只包含数字。"),
        ("zhangwei88!", "密码跟 用户名 太相似了。"),
        ("13812345678x", "密码跟 电话 太相似了。"),
    ],
)
def test_the_policy_refuses_in_chinese(password: str, message: str) -> None:
    user = User(username="zhangwei88", name="张伟", phone="13812345678")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert message in exc.value.messages


def test_ten_characters_unlike_the_user_pass() -> None:
    user = User(username="zhangwei88", name="张伟", phone="13812345678")
    validate_password("Ab3-xyz-9q", user)  # exactly 10
    validate_password(GOOD, user)


@pytest.fixture
def superuser_client(db: None) -> Client:
    su = User.objects.create_superuser("root", "root@example.com", GOOD)
    c = Client()
    c.force_login(su)
    return c


def test_the_back_office_refuses_a_weak_password_for_a_new_user(superuser_client) -> None:
    r = superuser_client.post(
        "/admin/community/user/add/",
        {
            "username": "newbie",
            "usable_password": "true",
            "password1": "12345678",
            "password2": "12345678",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "密码太短：至少要有 10 个字符。" in body and "密码只包含数字。" in body
    assert not User.objects.filter(username="newbie").exists()


def test_the_back_office_refuses_a_weak_password_change(superuser_client) -> None:
    user = f.UserFactory(username="wangfang", name="王芳")
    before = user.password
    r = superuser_client.post(
        f"/admin/community/user/{user.pk}/password/",
        {"usable_password": "true", "password1": "wangfang1", "password2": "wangfang1"},
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert "密码太短" in body and "太相似了" in body
    user.refresh_from_db()
    assert user.password == before
    r = superuser_client.post(
        f"/admin/community/user/{user.pk}/password/",
        {"usable_password": "true", "password1": GOOD, "password2": GOOD},
    )
    assert r.status_code == 302
    user.refresh_from_db()
    assert user.check_password(GOOD)


def test_ones_own_password_change_follows_the_policy(superuser_client) -> None:
    r = superuser_client.post(
        "/admin/password_change/",
        {"old_password": GOOD, "new_password1": "short-1", "new_password2": "short-1"},
    )
    assert r.status_code == 200 and "密码太短" in r.content.decode()
    assert User.objects.get(username="root").check_password(GOOD)
