"""A console view works with the signed-in user itself, not Django's lazy proxy of it: the
``Desk`` and ``request.user`` hold the ``User`` row read once, so the roles check, the rows and
the clocks a submit hands it to read its fields directly (each read through the proxy was a
call through ``LazyObject.__getattribute__``, some 200 on one submit of the front desk)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from propdesk.community.models import User
from propdesk.core.auth import AuthenticationMiddleware, signed_in_user
from tests.web.conftest import browser_for


def test_a_console_views_desk_and_request_hold_the_user_itself(office, clock) -> None:
    page = browser_for(office.receptionist)
    r = page.get(reverse("desk-intake", args=[office.community.pk]))
    assert r.status_code == 200
    desk = r.context["desk"]
    assert type(desk.user) is User and desk.user.pk == office.receptionist.pk
    assert type(r.wsgi_request.user) is User and r.wsgi_request.user is desk.user


def test_a_submit_hands_the_user_itself_to_the_service(office, clock) -> None:
    page = browser_for(office.receptionist)
    r = page.post(
        reverse("desk-intake", args=[office.community.pk]),
        {
            "channel": "phone",
            "caller_phone": "13812345678",
            "intent": "repair",
            "content": "厨房水龙头漏水",
            "outcome": "work_order",
        },
    )
    assert r.status_code == 302
    assert type(r.wsgi_request.user) is User  # the request the service ran in


def test_a_user_set_otherwise_is_left_as_it_is(office) -> None:
    # login() and logout() put the user (or an AnonymousUser) in request.user themselves.
    request = RequestFactory().get("/")
    request.user = office.receptionist
    assert signed_in_user(request) is office.receptionist
    request.user = anonymous = AnonymousUser()
    assert signed_in_user(request) is anonymous


def test_the_middlewares_lazy_user_becomes_the_user_it_reads(office) -> None:
    page = browser_for(office.receptionist)
    request = RequestFactory().get("/")
    request.session = page.session
    AuthenticationMiddleware(lambda r: HttpResponse()).process_request(request)
    assert type(request.user) is SimpleLazyObject
    user = signed_in_user(request)
    assert type(user) is User and user.pk == office.receptionist.pk
    assert request.user is user and signed_in_user(request) is user
