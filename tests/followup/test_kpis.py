"""RV-2 KPIs, RV-3 complaint rate, RV-1 pace and sample, RV-7 figures: hand-computed months,
an empty month, the 基本满意 switch, local-month boundaries and query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from propdesk.followup.selectors import (
    common_issue_figures,
    complaint_return_visit_figures,
    monthly_quota_pace,
    quota_sample,
    satisfaction_breakdown,
    satisfaction_figures,
    satisfaction_trend,
    suggestion_queue,
)
from propdesk.followup.services import ItemDraft, suggestion_reply
from tests import factories as f
from tests.followup.conftest import sh

T0 = sh(2026, 11, 26, 10, 0)


def _november(loop, office):
    """Four repair visits and one housekeeping visit answered, one no-answer, one refused."""
    loop.at(T0)
    orders = [loop.resolved("repair") for _ in range(4)] + [loop.resolved("housekeeping")]
    for order, level in zip(
        orders,
        ["very_satisfied", "satisfied", "fairly_satisfied", "dissatisfied", "satisfied"],
        strict=True,
    ):
        loop.visit(order=order, level=level)
    extra = loop.resolved("repair")
    loop.visit(order=extra, outcome="no_answer")
    loop.visit(order=extra, outcome="refused")
    return orders


def test_rv2_month_by_hand(loop, office):
    _november(loop, office)
    fig = satisfaction_figures(office.community, 2026, 11)
    # 5 answered: 1 很满意, 2 满意, 1 基本满意, 1 不满意.
    # rate = 3/5 = 60.0 %; degree = (100 + 160 + 60 + 0) / 5 = 64.0
    assert fig.levels.answered == 5
    assert (fig.levels.rate, fig.levels.degree) == (Decimal("60.0"), Decimal("64.0"))
    assert (fig.attempts, fig.no_answer, fig.refused) == (7, 1, 1)
    # Return-visit rate: 6 orders resolved, 5 with an answered visit: 83.3 %.
    assert (fig.due, fig.due_visited, fig.return_visit_rate) == (6, 5, Decimal("83.3"))
    assert (fig.rate_met, fig.degree_met) == (False, False)


def test_rv2_basic_satisfied_switch_from_community_policy(loop, office):
    _november(loop, office)
    office.community.policy = {"satisfaction": {"fairly_satisfied_counts": True}}
    office.community.save()
    fig = satisfaction_figures(office.community, 2026, 11)
    assert (fig.levels.satisfied, fig.levels.rate) == (4, Decimal("80.0"))


def test_rv2_empty_month_is_none_not_zero(loop, office):
    fig = satisfaction_figures(office.community, 2026, 10)
    assert (fig.levels.answered, fig.levels.rate, fig.levels.degree) == (0, None, None)
    assert (fig.due, fig.return_visit_rate, fig.rate_met) == (0, None, None)


def test_rv2_months_are_the_communitys_local_months(loop, office):
    order = loop.at(sh(2026, 11, 30, 23, 0)).resolved("repair")
    loop.visit(order=order, at=sh(2026, 11, 30, 23, 59, 59))  # 15:59:59 UTC, still November
    order2 = loop.resolved("repair")
    loop.visit(order=order2, at=sh(2026, 12, 1, 0, 0))  # 16:00 UTC on 30 Nov: December there
    assert satisfaction_figures(office.community, 2026, 11).levels.answered == 1
    assert satisfaction_figures(office.community, 2026, 12).levels.answered == 1


def test_rv2_breakdowns_by_team_kind_and_building(loop, office):
    _november(loop, office)
    by_team = {
        r.label: r.figures for r in satisfaction_breakdown(office.community, 2026, 11, by="team")
    }
    assert by_team["维修班"].answered == 4
    assert by_team["维修班"].rate == Decimal("50.0")  # 很满意 + 满意 of 4
    assert by_team["清洁班"].rate == Decimal("100.0")
    by_kind = {
        r.key: r.figures.answered
        for r in satisfaction_breakdown(office.community, 2026, 11, by="kind")
    }
    assert by_kind == {"repair": 4, "housekeeping": 1}
    [building] = satisfaction_breakdown(office.community, 2026, 11, by="building")
    assert (building.label, building.figures.answered) == ("3栋", 5)


def test_rv2_trend_has_twelve_months_with_none_for_empty_ones(loop, office):
    _november(loop, office)
    order = loop.at(sh(2026, 9, 10, 10, 0)).resolved("repair")
    loop.visit(order=order, level="very_satisfied")
    trend = satisfaction_trend(office.community, 2026, 11)
    assert [(p.year, p.month) for p in trend][:2] == [(2025, 12), (2026, 1)]
    assert len(trend) == 12
    by = {(p.year, p.month): p.figures for p in trend}
    assert by[(2026, 9)].rate == Decimal("100.0")
    assert (by[(2026, 10)].answered, by[(2026, 10)].rate) == (0, None)
    assert by[(2026, 11)].answered == 5


def test_rv2_kpis_take_a_fixed_number_of_queries(loop, office, django_assert_max_num_queries):
    _november(loop, office)
    community = office.community
    satisfaction_figures(community, 2026, 11)  # warms the policy cache
    with django_assert_max_num_queries(3):
        satisfaction_figures(community, 2026, 11)
    with django_assert_max_num_queries(3):
        satisfaction_breakdown(community, 2026, 11, by="team")
    with django_assert_max_num_queries(2):
        satisfaction_trend(community, 2026, 11)
    with django_assert_max_num_queries(3):
        complaint_return_visit_figures(community, 2026, 11)


def test_rv3_complaint_visit_rate_with_the_missing_list(loop, office):
    loop.at(T0)
    visited = loop.resolved("complaint")
    missing = loop.resolved("complaint", is_important=True)
    loop.resolved("complaint", complaint_type="emergency")  # not counted
    loop.visit("complaint", order=visited, by=office.administrator)
    fig = complaint_return_visit_figures(office.community, 2026, 11)
    assert (fig.resolved, fig.visited, fig.rate, fig.target) == (2, 1, Decimal("50.0"), 100)
    assert [(m.order_id, m.is_important) for m in fig.missing] == [(missing.pk, True)]
    empty = complaint_return_visit_figures(office.community, 2026, 10)
    assert (empty.resolved, empty.rate, empty.missing) == (0, None, ())


def test_rv1_pace_against_days_elapsed(loop, office):
    households = [loop.household(f"5-1-{100 + i}", building="5") for i in range(5)]
    loop.at(sh(2026, 11, 10, 10, 0))
    for h in households:
        loop.visit("monthly", household=h)
    pace = monthly_quota_pace(office.community, 2026, 11, sh(2026, 11, 15, 12, 0))
    # 20 × 15/30 = 10 expected by the 15th; 5 visited: behind.
    assert (pace.visited, pace.target, pace.days_elapsed, pace.expected_by_now) == (5, 20, 15, 10)
    assert pace.behind is True
    early = monthly_quota_pace(office.community, 2026, 11, sh(2026, 11, 3, 12, 0))
    assert (early.expected_by_now, early.behind) == (2, False)


def test_rv1_sample_spreads_over_buildings_and_puts_complainers_first(loop, office):
    a = [loop.household(f"7-1-{100 + i}", building="7") for i in range(6)]
    _b = [loop.household(f"8-1-{100 + i}", building="8") for i in range(2)]
    loop.at(sh(2026, 10, 5, 10, 0))
    loop.visit("monthly", household=a[0])  # visited last month: after the never-visited
    loop.at(sh(2026, 11, 2, 10, 0))
    loop.visit("monthly", household=a[1])  # visited this month: not proposed
    loop.open_for("complaint", household=a[5])
    sample = quota_sample(office.community, 2026, 11, loop.clock.now(), size=5)
    codes = [s.code for s in sample]
    assert codes[0] == "7-1-105" and sample[0].complained
    assert "7-1-101" not in codes
    assert set(codes) >= {"8-1-100", "8-1-101"}  # the small building gets its turn
    assert "7-1-100" not in codes  # visited in October, the others never were


def test_rv5_queue_ages_open_items_and_replied_ones_leave_it(loop, office):
    order = loop.at(T0).resolved("repair")
    visit = loop.visit(order=order, items=(ItemDraft("suggestion", "增加儿童游乐设施"),))
    item = visit.items.get()
    [row] = suggestion_queue(office.community, T0 + timedelta(days=2, hours=5))
    assert (row.item.pk, row.age_days, row.age_hours) == (item.pk, 2, 53)
    suggestion_reply(
        item_id=item.pk,
        by=office.administrator,
        now=T0 + timedelta(days=3),
        reply="已列入明年计划",
        channel="phone",
    )
    assert suggestion_queue(office.community, T0 + timedelta(days=4)) == []
    [done] = suggestion_queue(office.community, T0 + timedelta(days=4), open_only=False)
    assert (done.item.reply_channel, done.age_days) == ("phone", 3)


def test_rv7_figures_empty_month(loop, office):
    fig = common_issue_figures(office.community, 2026, 11)
    assert (fig.opened, fig.in_time_rate) == (0, None)


def test_kpis_of_another_community_do_not_mix(loop, office, other_office):
    _november(loop, office)
    assert satisfaction_figures(other_office.community, 2026, 11).levels.answered == 0
    f.HouseholdFactory(community=other_office.community)
