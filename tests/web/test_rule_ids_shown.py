"""Every rule of the shipped policy as a person reads it on the monthly report and on an order's
timeline: its name, and at most the rule's ID (RULES.md's numbered rule: DS-1, never the clock key
DS-1-take) small beside it in the ID tag; no rule ID anywhere else on the page (GLOSSARY.md), in
the chart's tooltips neither."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import translation

from propdesk.clocks.models import Clock, ClockLog
from propdesk.core.rule_names import rule_name
from propdesk.policy.rules import load_policy
from tests.web.conftest import browser_for
from tests.words import visible_text

ID_TAG = re.compile(r'<small class="rule-id">(.*?)</small>', re.S)
# A rule ID (DS-1, WT-3, DS-1-take), not an order number (GD-20261126-0001).
RULE_ID = re.compile(r"(?<![A-Za-z])[A-Z]{2}-\d{1,2}(?!\d)")


def _every_rule_breached(order, now):
    """One breached clock of every rule of the default policy on ``order``, each in its log."""
    version = Clock.objects.filter(order=order).values_list("policy_version_id", flat=True)[0]
    for rule_id, spec in load_policy().clocks.items():
        c = Clock.objects.create(
            policy_version_id=version,
            community=order.community,
            order=order,
            rule_id=rule_id,
            title=spec.title,
            state="breached",
            started_at=now - timedelta(hours=2),
            due_at=now - timedelta(hours=1),
            breached_at=now - timedelta(hours=1),
        )
        ClockLog.objects.create(
            clock=c,
            order=order,
            at=now - timedelta(hours=1),
            what="breached",
            data={"rule": rule_id},
        )


def _ids_outside_the_tag(html: str) -> tuple[list[str], list[str]]:
    tags = ID_TAG.findall(html)
    rest = visible_text(ID_TAG.sub("", html))
    return tags, [ln for ln in rest.splitlines() if RULE_ID.search(ln)]


def test_every_rule_by_name_ids_only_in_the_tag(office, open_order, clock):
    order = open_order()
    _every_rule_breached(order, clock.now())
    head = browser_for(office.head)
    with translation.override("zh-hans"):
        pages = {
            "report": head.get(
                reverse("desk-report", args=[office.community.pk]) + "?month=2026-11",
                HTTP_ACCEPT_LANGUAGE="zh-hans",
            ),
            "timeline": head.get(
                reverse("desk-order", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
            ),
        }
        names = {r: rule_name(r, s.title) for r, s in load_policy().clocks.items()}
    for page, response in pages.items():
        assert response.status_code == 200, page
        html = response.content.decode()
        tags, stray = _ids_outside_the_tag(html)
        assert stray == [], (page, stray)
        assert tags and all(re.fullmatch(r"[A-Z]{2}-\d+", t) for t in tags), (page, tags)
        for rule_id, name in names.items():
            assert name in html, (page, rule_id, name)
            numbered = re.match(r"[A-Z]{2}-\d+", rule_id)
            assert numbered and numbered.group() in tags, (page, rule_id)


def test_the_report_offers_no_arrow_to_a_month_not_begun(office, clock):
    """The month arrows: back to any month, forward only up to the current one."""
    head = browser_for(office.head)
    url = reverse("desk-report", args=[office.community.pk])
    now_page = head.get(url + "?month=2026-11").content.decode()
    assert "?month=2026-12" not in now_page and "?month=2026-10" in now_page
    past = head.get(url + "?month=2026-10").content.decode()
    assert "?month=2026-11" in past
