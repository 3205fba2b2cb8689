"""A request's user is read with its roles in one statement (the API's token and the console's
session alike), and what the checks decide is what they decided when the roles were read apart:
every role in every community, none for a user who has none, and a role taken away is gone at
the next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from propdesk.community.access import MEMBERSHIPS, user_roles
from propdesk.community.models import Membership
from propdesk.policy.workflow import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def _memberships_read_apart(queries: CaptureQueriesContext) -> list[str]:
    """The statements that read only memberships (the roles read on their own)."""
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "community_membership".')
    ]


def test_a_tokens_user_comes_with_its_roles_in_every_community(office, other_office) -> None:
    user = office.administrator
    Membership.objects.create(user=user, community=office.community, role="office_head")
    Membership.objects.create(user=user, community=other_office.community, role="receptionist")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    with CaptureQueriesContext(connection) as queries:
        r = api.get(f"/api/work-orders/?community={office.community.pk}")
    assert r.status_code == 200
    assert _memberships_read_apart(queries) == []
    user = r.wsgi_request.user
    assert user_roles(user, office.community.pk) == {Role.ADMINISTRATOR, Role.OFFICE_HEAD}
    assert user_roles(user, other_office.community.pk) == {Role.RECEPTIONIST}
    # the same as the memberships read apart
    assert sorted(MEMBERSHIPS(user.pk)) == sorted(
        (cid, role) for cid, roles in user._propdesk_roles.items() for role in roles
    )


def test_a_role_taken_away_is_gone_at_the_next_request(office) -> None:
    user = office.receptionist
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    url = f"/api/communities/{office.community.pk}/"
    assert api.get(url).status_code == 200
    Membership.objects.filter(user=user).delete()
    r = api.get(url)
    assert r.status_code == 404, r.content
    assert user_roles(r.wsgi_request.user, office.community.pk) == frozenset()


def test_a_user_without_roles_reads_none_and_is_refused(office) -> None:
    nobody = f.UserFactory(username="no-roles")
    api = APIClient(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=nobody).key}")
    r = api.get(f"/api/communities/{office.community.pk}/")
    assert r.status_code == 404, r.content
    assert r.wsgi_request.user._propdesk_roles == {}


def test_a_sessions_user_comes_with_its_roles(office) -> None:
    browser = Client()
    browser.force_login(office.receptionist)
    with CaptureQueriesContext(connection) as queries:
        r = browser.get(reverse("desk-board", args=[office.community.pk]))
    assert r.status_code == 200
    assert _memberships_read_apart(queries) == []
    assert user_roles(r.wsgi_request.user, office.community.pk) == {Role.RECEPTIONIST}
    # a role taken away: the board is not there for it at the next request
    Membership.objects.filter(user=office.receptionist).delete()
    assert browser.get(reverse("desk-board", args=[office.community.pk])).status_code == 404
