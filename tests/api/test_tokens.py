"""Issue 12, API tokens: they expire (API_TOKEN_TTL_HOURS), a password change retires them, the
owner revokes theirs (DELETE /api/auth/token/) and the office head a staff member's; another
community's head cannot. ``Authorization: Token …`` stays as it was.

``clock`` comes before the staff fixtures: their passwords are then set on the injected clock,
as the tokens are issued."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f
from tests.conftest import Office, client_for

PASSWORD = "pw-123456!"  # tests/factories.py


def login(user) -> str:
    r = APIClient().post(
        "/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert r.status_code == 200, r.json()
    return r.json()["token"]


def with_token(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def refused(c: APIClient, code: str) -> None:
    r = c.get("/api/work-orders/")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == code
    assert "results" not in r.json()


def test_a_token_expires_after_its_lifetime(clock, office: Office, settings) -> None:
    settings.API_TOKEN_TTL_HOURS = 720
    key = login(office.receptionist)
    c = with_token(key)
    clock.advance(hours=719, minutes=59)
    assert c.get("/api/work-orders/").status_code == 200
    clock.advance(minutes=1)
    refused(c, "token_expired")
    # Logging in again gives a new token that works.
    fresh = login(office.receptionist)
    assert fresh != key and not Token.objects.filter(key=key).exists()
    assert with_token(fresh).get("/api/work-orders/").status_code == 200


def test_a_token_from_before_a_password_change_is_refused(clock, office: Office) -> None:
    key = login(office.receptionist)
    assert login(office.receptionist) == key  # while good, logging in again gives the same
    clock.advance(hours=1)
    user = office.receptionist
    user.set_password("a-new-pass-2026!")
    user.save()
    refused(with_token(key), "password_changed")
    r = APIClient().post(
        "/api/auth/token/",
        {"username": user.username, "password": "a-new-pass-2026!"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["token"] != key
    assert with_token(r.json()["token"]).get("/api/work-orders/").status_code == 200


def test_the_owner_revokes_their_token(clock, office: Office) -> None:
    key = login(office.repair_member)
    c = with_token(key)
    assert c.delete("/api/auth/token/").status_code == 204
    assert not Token.objects.filter(user=office.repair_member).exists()
    refused(c, "authentication_failed")
    assert APIClient().delete("/api/auth/token/").status_code == 401


def test_the_office_head_revokes_a_members_tokens(clock, office: Office) -> None:
    key = login(office.repair_member)
    own = login(office.head)
    r = with_token(own).post(f"/api/staff/{office.repair_member.pk}/revoke-tokens/")
    assert r.status_code == 200
    assert r.json() == {"user": office.repair_member.pk, "revoked": 1}
    refused(with_token(key), "authentication_failed")
    assert with_token(own).get("/api/work-orders/").status_code == 200


def test_no_one_else_revokes_and_nothing_changes(
    clock, office: Office, other_office: Office
) -> None:
    key = login(office.repair_member)
    path = f"/api/staff/{office.repair_member.pk}/revoke-tokens/"
    r = client_for(other_office.head).post(path)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    for user in (office.receptionist, office.administrator, office.repair_leader):
        r = client_for(user).post(path)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    boss = f.UserFactory(username="boss", company=office.community.company, is_leadership=True)
    assert client_for(boss).post(path).status_code == 403
    for bad in ("999999", "99999999999999999999"):
        r = client_for(office.head).post(f"/api/staff/{bad}/revoke-tokens/")
        assert r.status_code == 404
    assert list(Token.objects.filter(user=office.repair_member).values_list("key", flat=True)) == [
        key
    ]
    assert with_token(key).get("/api/work-orders/").status_code == 200


def test_a_token_made_before_this_change_still_opens_the_api(clock, office: Office) -> None:
    """A DRF token created directly (as clients' tokens were) works until its lifetime ends;
    a user whose password change was never recorded keeps theirs too."""
    clock.advance(hours=1)
    token = Token.objects.create(user=office.receptionist)
    Token.objects.filter(pk=token.pk).update(created=clock.now())
    assert with_token(token.key).get("/api/work-orders/").status_code == 200
    type(office.receptionist).objects.filter(pk=office.receptionist.pk).update(
        password_changed_at=None
    )
    clock.advance(hours=700)
    assert with_token(token.key).get("/api/work-orders/").status_code == 200
    clock.advance(hours=20)
    refused(with_token(token.key), "token_expired")


def test_an_unknown_token_or_an_inactive_users_is_refused_in_drfs_words(
    clock, office: Office
) -> None:
    # The token's read is propdesk's own (core.rows); the refusals stay TokenAuthentication's.
    r = with_token("0" * 40).get("/api/work-orders/")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "authentication_failed"
    assert r.json()["error"]["message"] == "认证令牌无效。"
    key = login(office.receptionist)
    office.receptionist.is_active = False
    office.receptionist.save()
    r = with_token(key).get("/api/work-orders/")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "authentication_failed"
    assert r.json()["error"]["message"] == "用户未激活或者已删除。"
