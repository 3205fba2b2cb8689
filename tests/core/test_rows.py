"""core.rows.RowReader: the hot paths' one-row reads give exactly the instances the ORM's query
gives (every field converted the same way: datetimes, JSON, booleans, decimals; the related object
cached as select_related caches it, None for an empty nullable key), or nothing / DoesNotExist."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from rest_framework.authtoken.models import Token

from propdesk.community.access import COMMUNITY
from propdesk.community.models import Community, Household, Team
from propdesk.community.selectors import HOUSEHOLD
from propdesk.core.rows import RowReader
from propdesk.desk.services._common import TEAM_OF_KIND
from tests import factories as f
from tests.conftest import Office

pytestmark = pytest.mark.django_db


def _fields(obj: models.Model) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


def _same(got: models.Model | None, want: models.Model | None) -> None:
    assert (got is None) == (want is None)
    if got is None or want is None:
        return
    assert type(got) is type(want)
    assert _fields(got) == _fields(want)
    # the same Python types too (a datetime is aware, a JSON field a dict, a bool a bool)
    assert {k: type(v) for k, v in _fields(got).items()} == {
        k: type(v) for k, v in _fields(want).items()
    }
    assert got._state.adding is False and got._state.db == want._state.db
    assert got._state.fields_cache.keys() == want._state.fields_cache.keys()
    for name, related in want._state.fields_cache.items():
        other = got._state.fields_cache[name]
        if related is None:
            assert other is None
        else:
            assert _fields(other) == _fields(related)


def test_token_with_its_user_as_select_related_get(office: Office) -> None:
    user = office.receptionist
    user.password_changed_at = datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=UTC)
    user.save()
    token = Token.objects.create(user=user)
    want = Token.objects.select_related("user").get(key=token.key)
    got = RowReader(Token, by=("key",), related=("user",), unique=True).get(token.key)
    _same(got, want)
    _same(got.user, want.user)
    assert got.user.password_changed_at == user.password_changed_at
    # the one-to-one's other side is cached too, as the ORM caches it
    assert got.user.auth_token is got
    with pytest.raises(Token.DoesNotExist):
        RowReader(Token, by=("key",), related=("user",), unique=True).get("no-such-key")


def test_community_with_its_company_json_policy_and_all(office: Office) -> None:
    Community.objects.filter(pk=office.community.pk).update(
        policy={"dispatch": {"direct": ["repair"]}, "x": [1, 2.5, "三"]}
    )
    want = Community.objects.select_related("company").get(pk=office.community.pk)
    got = COMMUNITY.get(office.community.pk)
    _same(got, want)
    _same(got.company, want.company)
    assert got.policy == {"dispatch": {"direct": ["repair"]}, "x": [1, 2.5, "三"]}
    assert COMMUNITY.first(10**9) is None
    with pytest.raises(ValueError):
        COMMUNITY.get("abc")


def test_household_decimal_area_and_empty_keys(office: Office) -> None:
    Household.objects.filter(pk=office.household.pk).update(area=Decimal("89.50"))
    bare = f.HouseholdFactory(community=office.community, area=None)
    for pk in (office.household.pk, bare.pk):
        _same(HOUSEHOLD.get(pk), Household.objects.get(pk=pk))
    assert HOUSEHOLD.get(office.household.pk).area == Decimal("89.50")


def test_team_of_a_kind_the_first_by_id_and_a_nullable_leader(office: Office) -> None:
    second = f.TeamFactory(community=office.community, kind="repair", leader=None)
    for kind in ("repair", "cleaning", "security"):
        want = Team.objects.filter(community=office.community, kind=kind).order_by("id").first()
        _same(TEAM_OF_KIND.first(office.community.pk, kind), want)
    assert TEAM_OF_KIND.first(office.community.pk, "repair").pk == office.repair.pk
    # a nullable foreign key read along: LEFT OUTER JOIN, None cached when empty
    reader = RowReader(Team, by=("id",), related=("leader",), unique=True)
    for team in (office.repair, second):
        _same(reader.get(team.pk), Team.objects.select_related("leader").get(pk=team.pk))
    assert reader.get(second.pk).leader is None


def test_memberships_as_values_list(office: Office, other_office: Office) -> None:
    from propdesk.community.access import MEMBERSHIPS
    from propdesk.community.models import Membership

    user = office.head
    Membership.objects.create(user=user, community=other_office.community, role="administrator")
    for u in (user, office.receptionist, f.UserFactory(username="nobody")):
        want = list(Membership.objects.filter(user=u).values_list("community_id", "role"))
        assert sorted(MEMBERSHIPS(u.pk)) == sorted(want)
    assert len(MEMBERSHIPS(user.pk)) == 2


def test_values_convert_as_the_orm(office: Office) -> None:
    from propdesk.core.rows import ValuesReader

    Community.objects.filter(pk=office.community.pk).update(policy={"a": [1, "二"]})
    reader = ValuesReader(Community, ("policy", "name"), by=("id",))
    want = list(Community.objects.filter(id=office.community.pk).values_list("policy", "name"))
    assert reader(office.community.pk) == want == [({"a": [1, "二"]}, office.community.name)]
