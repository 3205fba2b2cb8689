"""A JSON value nested past Python's recursion limit (3,000 ``[`` then 3,000 ``]``), typed in
the back office, is invalid JSON like any other: the form again with its error, never a 500,
and nothing saved (the rule-change preview, and every JSON field of a back-office form)."""

from __future__ import annotations

from propdesk.community.models import Community
from tests.clocks.test_policy_preview import _form, _staff

DEEP = "[" * 3000 + "]" * 3000


def test_the_rule_preview_refuses_a_deeply_nested_policy(office, clock) -> None:
    c = _staff(office, perms=True)
    community = office.community
    url = f"/admin/community/community/{community.pk}/preview/"
    r = c.post(url, {**_form(community, {}), "policy": DEEP})
    assert r.status_code == 200
    assert "规则调整不是有效的 JSON" in r.content.decode()
    community.refresh_from_db()
    assert community.policy == {}


def test_a_back_office_json_field_refuses_a_deeply_nested_value(office, clock) -> None:
    c = _staff(office, perms=True)
    community = office.community
    form = {**_form(community, {}), "policy": DEEP}
    del form["_preview"]
    r = c.post(f"/admin/community/community/{community.pk}/change/", form)
    assert r.status_code == 200  # the form again
    assert "输入一个有效的JSON。" in r.content.decode()
    assert Community.objects.get(pk=community.pk).policy == {}
