"""``request.user`` as Django's ``AuthenticationMiddleware`` gives it, with the signed-in user's
row read by a ``RowReader`` (its SQL built once) instead of the ORM's ``get(pk=…)``, compiled
anew on every request.

``get_user`` is ``django.contrib.auth.get_user`` of Django 5.2, step for step: the user id and
the backend's path from the session; a path no longer in ``AUTHENTICATION_BACKENDS`` signs out;
the backend that path names is loaded and asked, except that when it is Django's own
``ModelBackend`` (what every session of the console and the back office names; axes's backend
signs no one in) its ``get_user`` is done here the same way: the row by primary key, then the
backend's ``user_can_authenticate`` (an inactive user is no one). Then the session's hash of the
password is checked as Django checks it: a password changed elsewhere, a hash tampered with or
missing sign the session out; a hash made under one of ``SECRET_KEY_FALLBACKS`` is renewed under
the current key, the session's key cycled. Sessions keep naming Django's backend: nothing
changes for them. ``tests/core/test_auth_user.py`` holds it to ``django.contrib.auth.get_user``
case by case.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware as _DjangoMiddleware
from django.contrib.auth.middleware import auser
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, router
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from propdesk.core.rows import RowReader

_readers: dict[Any, RowReader[Any]] = {}
# What is read with the signed-in user in the same statement (``read_with_user``).
_with_user: dict[str, tuple[Callable[[Any, str], str], Callable[[Any, Any], None]]] = {}


def read_with_user(
    name: str, column: Callable[[Any, str], str], keep: Callable[[Any, Any], None]
) -> None:
    """Read ``column`` (``core.rows``' ``also``: a function of the connection and the user
    table's quoted name) with every session's user, and give its value to ``keep(user,
    value)``: an app above core (the community's access, its roles) saves a statement per
    request. Called from an app's ``ready()``."""
    _with_user[name] = (column, keep)  # once per name, however often ready() runs
    _readers.clear()


def _model_backend_user(backend: ModelBackend, user_id: Any) -> Any:
    """``ModelBackend.get_user(user_id)``: the user by primary key if it can sign in, else None."""
    model = auth.get_user_model()
    if router.db_for_read(model) != DEFAULT_DB_ALIAS:  # only ever inside replica_reads
        return backend.get_user(user_id)
    reader = _readers.get(model)
    if reader is None:
        reader = _readers[model] = RowReader(
            model,
            by=(model._meta.pk.name,),
            unique=True,
            also=[column for column, _keep in _with_user.values()],
        )
    user, also = reader.first_also(user_id)
    if user is not None:
        for (_column, keep), value in zip(_with_user.values(), also, strict=True):
            keep(user, value)
    return user if user is not None and backend.user_can_authenticate(user) else None


def get_user(request: HttpRequest) -> Any:
    """The session's user, or an ``AnonymousUser``: ``django.contrib.auth.get_user``."""
    user: Any = None
    try:
        # (auth._get_user_session_key: the id is stored as a string)
        user_id = auth.get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = load_backend(backend_path)
            if type(backend) is ModelBackend:
                user = _model_backend_user(backend, user_id)
            else:
                user = backend.get_user(user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the fallback
                    # secrets and stop when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def _cached_user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


def signed_in_user(request: HttpRequest) -> Any:
    """``request.user`` as the user itself (or the ``AnonymousUser``), put back in
    ``request.user`` in place of the middleware's lazy proxy: every read through the proxy is a
    call to ``LazyObject.__getattribute__``, some 200 on one submit of the front desk, which
    hands its user to the roles check, the rows and the clocks. The same object the proxy
    wraps (``_cached_user``); a ``request.user`` set otherwise (``login()``, ``logout()``, a
    test's) is returned as it is."""
    user: Any = request.user
    if type(user) is SimpleLazyObject:
        user = request.user = _cached_user(request)
    return user


class AuthenticationMiddleware(_DjangoMiddleware):
    """Django's, its ``request.user`` from ``get_user`` above (``request.auser`` is Django's)."""

    def process_request(self, request: HttpRequest) -> None:
        if not hasattr(request, "session"):
            super().process_request(request)  # Django's ImproperlyConfigured: no session middleware
        request.user = SimpleLazyObject(lambda: _cached_user(request))  # type: ignore[assignment]
        request.auser = partial(auser, request)
