"""Every rule of the shipped policy has a Chinese name a person reads (GLOSSARY.md, "The rules'
names"): the glossary's where it has one, else the policy's title — never the ID alone, and in
plain text (a message, a paper form) the name without its ID."""

from __future__ import annotations

import re

from django.utils import translation

from propdesk.core.rule_names import rule_name, rule_text
from propdesk.policy.rules import load_policy
from tests.words import GLOSSARY_NAMES

LATIN = re.compile(r"[A-Za-z]")


def test_every_rule_of_the_policy_has_one_chinese_name() -> None:
    policy = load_policy()
    with translation.override("zh-hans"):
        for rule_id, spec in policy.clocks.items():
            name = rule_name(rule_id)
            assert name != rule_id and not LATIN.search(name), (rule_id, name)
            # One name per rule: the glossary's where it has one, else the policy's title.
            assert name == GLOSSARY_NAMES.get(rule_id, spec.title), (rule_id, name)
            # A community's own title is its name for a rule the glossary does not name.
            own = rule_name(rule_id, "本处自定名称")
            assert own == GLOSSARY_NAMES.get(rule_id, "本处自定名称"), (rule_id, own)
            assert rule_text(rule_id) == name  # plain text: no ID


def test_WT_3_is_named_by_its_title() -> None:
    with translation.override("zh-hans"):
        assert rule_name("WT-3") == "待料，等待不超过3天"
        assert rule_name("FD-1-callback") == "未接来电10分钟内回拨"
        assert rule_text("FD-1-callback") == "未接来电10分钟内回拨"
