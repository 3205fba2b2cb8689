"""A community on the default policy (no overrides: ``{}`` or ``None``) gets the one cached
default policy without its overrides being written out as JSON for the cache key (every create
asks four times); overrides still key their own policy."""

from __future__ import annotations

import pytest

from propdesk.policy import rules
from propdesk.policy.rules import load_policy


def test_no_overrides_is_the_default_policy_without_json(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = rules._cached_policy("{}")

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("json.dumps called for no overrides")

    monkeypatch.setattr(rules.json, "dumps", refuse)
    assert load_policy({}) is expected
    assert load_policy(None) is expected
    assert load_policy() is expected


def test_overrides_still_key_their_own_policy() -> None:
    default = load_policy({})
    changed = load_policy({"dispatch": {"pool": not default.dispatch.pool}})
    assert changed is not default
    assert changed.dispatch.pool is not default.dispatch.pool
    assert load_policy({"dispatch": {"pool": not default.dispatch.pool}}) is changed
