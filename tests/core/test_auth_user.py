"""Who a request is signed in as: ``core.auth`` reads the session's user with SQL built once and
``core.sessions`` the session itself, and both decide exactly as Django does
(``django.contrib.auth.get_user``, ``django.contrib.sessions.backends.db``): a password changed
elsewhere, a tampered or missing hash, an inactive or deleted user, a backend no longer
configured all sign the session out; a session signed under a retired SECRET_KEY (in
SECRET_KEY_FALLBACKS) stays signed in under a new key; sessions made before keep working."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends import db as django_db_sessions
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from propdesk.core import auth as core_auth
from propdesk.core.sessions import SessionStore
from tests import factories as f

pytestmark = pytest.mark.django_db

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PASSWORD = "pw-123456!"  # tests/factories.py


def _signed_in(user: Any, backend: str = MODEL_BACKEND) -> str:
    """A session as auth.login leaves it, stored: its key."""
    store = SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def _outcome(get_user: Callable[[Any], Any], key: str) -> tuple[Any, ...]:
    """Who ``get_user`` says the stored session ``key`` is, and what became of the session."""
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=key)
    user = get_user(request)
    session = request.session
    return (
        None if user.is_anonymous else (type(user), user.pk, user.username),
        session.session_key is None,  # flushed
        session.session_key not in (None, key),  # cycled to a new key
        session.get(HASH_SESSION_KEY),
    )


def _both(make: Callable[[], str]) -> tuple[Any, ...]:
    """Django's ``get_user`` and ours on two copies of the same session: the same outcome."""
    theirs = _outcome(auth.get_user, make())
    ours = _outcome(core_auth.get_user, make())
    assert ours == theirs
    return ours


def test_a_signed_in_session_gives_its_user() -> None:
    user = f.UserFactory()
    who, flushed, cycled, hashed = _both(lambda: _signed_in(user))
    assert who == (type(user), user.pk, user.username)
    assert (flushed, cycled, hashed) == (False, False, user.get_session_auth_hash())
    # every field as the ORM reads it
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key=_signed_in(user))
    got = core_auth.get_user(request)
    want = type(user).objects.get(pk=user.pk)
    # (and the roles, read in the same statement: community.access.roles_read_with)
    assert {k: v for k, v in got.__dict__.items() if k not in ("_state", "_propdesk_roles")} == {
        k: v for k, v in want.__dict__.items() if k != "_state"
    }
    assert got._state.adding is False and got._state.db == "default"


def test_a_password_changed_elsewhere_signs_the_session_out() -> None:
    user = f.UserFactory()
    keys = [_signed_in(user), _signed_in(user)]
    user.set_password("another-pw-9876!")
    user.save()
    who, flushed, _cycled, _hash = _both(keys.pop)
    assert (who, flushed) == (None, True)


@pytest.mark.parametrize("tampered", ["", "x" * 64, None])
def test_a_tampered_or_missing_hash_signs_the_session_out(tampered: str | None) -> None:
    user = f.UserFactory()

    def make() -> str:
        store = SessionStore(session_key=_signed_in(user))
        if tampered is None:
            del store[HASH_SESSION_KEY]
        else:
            store[HASH_SESSION_KEY] = tampered
        store.save()
        return str(store.session_key)

    who, flushed, _cycled, _hash = _both(make)
    assert (who, flushed) == (None, True)


def test_an_inactive_or_deleted_user_is_no_one() -> None:
    inactive = f.UserFactory(is_active=False)
    assert _both(lambda: _signed_in(inactive))[0] is None
    gone = f.UserFactory()
    keys = [_signed_in(gone), _signed_in(gone)]
    gone.delete()
    assert _both(keys.pop)[0] is None


def test_a_backend_no_longer_configured_or_one_that_signs_no_one_in(settings) -> None:  # type: ignore[no-untyped-def]
    user = f.UserFactory()
    removed = "django.contrib.auth.backends.RemoteUserBackend"
    assert _both(lambda: _signed_in(user, removed))[0] is None
    # axes's backend signs no one in, and has no get_user: such a session is an error to
    # Django as to us (it cannot be made by logging in)
    for get_user in (auth.get_user, core_auth.get_user):
        with pytest.raises(AttributeError, match="get_user"):
            _outcome(get_user, _signed_in(user, "axes.backends.AxesStandaloneBackend"))
    # Django's ModelBackend taken out of the settings: its sessions end
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend"]
    assert _both(lambda: _signed_in(user))[0] is None


def test_a_session_signed_under_a_retired_secret_key_is_renewed_under_the_new(settings) -> None:  # type: ignore[no-untyped-def]
    user = f.UserFactory()
    old = settings.SECRET_KEY
    keys = [_signed_in(user), _signed_in(user)]
    settings.SECRET_KEY = "a-new-secret-key-for-the-office-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    # (the session data itself is signed with the secret too: the fallback opens it)
    who, flushed, cycled, hashed = _both(keys.pop)
    assert (who, flushed, cycled) == ((type(user), user.pk, user.username), False, True)
    assert hashed == user.get_session_auth_hash()  # under the new key
    # once the old key is dropped from the fallbacks, such a session is no one's
    keys = [_signed_in_with(user, old), _signed_in_with(user, old)]
    settings.SECRET_KEY_FALLBACKS = []
    assert _both(keys.pop)[0] is None


def _signed_in_with(user: Any, secret: str) -> str:
    from django.test import override_settings

    with override_settings(SECRET_KEY=secret):
        return _signed_in(user)


def test_no_session_or_an_expired_one_is_anonymous() -> None:
    user = f.UserFactory()
    assert _both(lambda: "no-such-session-key-0123456789ab")[0] is None
    key = _signed_in(user)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert _outcome(core_auth.get_user, key)[0] is None
    assert SessionStore(session_key=key).load() == {}


def test_sessions_of_djangos_store_open_in_ours_and_back() -> None:
    theirs = django_db_sessions.SessionStore()
    theirs["said"] = "你好"
    theirs.create()
    assert SessionStore(session_key=theirs.session_key).load() == {"said": "你好"}
    ours = SessionStore()
    ours["said"] = "再见"
    ours.create()
    assert django_db_sessions.SessionStore(session_key=ours.session_key).load() == {"said": "再见"}
    # the same row as Django's read gives
    want = Session.objects.get(pk=ours.session_key)
    got = ours._get_session_from_db()
    assert (got.session_key, got.session_data, got.expire_date) == (
        want.session_key,
        want.session_data,
        want.expire_date,
    )


def test_the_console_signs_in_and_out_through_the_middleware() -> None:
    user = f.UserFactory()
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = c.post("/desk/login/", {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302 and c.session[BACKEND_SESSION_KEY] == MODEL_BACKEND
    assert c.get("/desk/").wsgi_request.user.pk == user.pk
    # a password change on another device signs this one out
    user.set_password("another-pw-9876!")
    user.save()
    r = c.get("/desk/")
    assert r.wsgi_request.user.is_anonymous
    assert r.status_code == 302 and "/login/" in r["Location"]
