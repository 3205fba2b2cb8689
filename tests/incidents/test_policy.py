"""EM-1 policy: the emergency kinds and their departments are data, checked without a database."""

from __future__ import annotations

import pytest

from propdesk.policy.rules import PolicyError, load_policy


def test_em1_default_kinds_call_their_departments() -> None:
    em = load_policy().emergencies
    assert em.repeat_seconds == 60
    assert {"fire", "injury", "death", "flooding", "gas_leak", "lift_entrapment"} <= set(em.kinds)
    assert em.kinds["fire"].title == "火警"
    assert em.kinds["lift_entrapment"].departments == ["repair", "security"]


def test_em1_a_community_adds_a_kind_and_changes_the_interval() -> None:
    em = load_policy(
        {
            "emergencies": {
                "repeat_seconds": 30,
                "kinds": {"typhoon": {"title": "台风", "departments": ["greening"]}},
            }
        }
    ).emergencies
    assert em.repeat_seconds == 30
    assert em.kinds["typhoon"].departments == ["greening"]
    assert "fire" in em.kinds


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"kinds": {"x": {"title": "甲", "departments": ["army"]}}}, "unknown department army"),
        ({"kinds": {"x": {"title": "甲", "departments": []}}}, "departments"),
        ({"repeat_seconds": 1}, "repeat_seconds"),
        ({"office_head_deputies": ["janitor"]}, "unknown role janitor"),
    ],
)
def test_em1_bad_emergency_policy_names_the_key(override: dict, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy({"emergencies": override})
