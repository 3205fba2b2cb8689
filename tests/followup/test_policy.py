"""The follow-up policy without a database: CP-2 excludes emergencies, subject-scoped cancels,
the RV-2 arithmetic and the Chinese text similarity of RV-7."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from propdesk.followup.selectors import level_figures
from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.engine import Cancel, Facts, Running, Start, react
from propdesk.policy.rules import PolicyError, load_policy
from propdesk.policy.similarity import Text, group_similar, text_similarity

T = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)


def _starts(policy, **order) -> set[str]:
    facts = Facts(event="resolve", at=T, order=order)
    return {c.rule_id for c in react(policy, WorkingCalendar(), facts, []) if isinstance(c, Start)}


@pytest.mark.parametrize(
    ("complaint_type", "starts_cp2"),
    [("general", True), ("written", True), ("attitude", True), ("emergency", False)],
)
def test_cp2_resolving_an_emergency_starts_no_follow_up_clock(complaint_type, starts_cp2) -> None:
    policy = load_policy()
    started = _starts(policy, kind="complaint", complaint_type=complaint_type)
    assert ("CP-2" in started) is starts_cp2


def test_cp2_unless_is_validated_like_when() -> None:
    with pytest.raises(PolicyError, match="unknown fact"):
        load_policy({"clocks": {"CP-2": {"start": [{"event": "resolve", "unless": {"x": 1}}]}}})


def test_rv7_dropping_one_issue_cancels_only_its_clock() -> None:
    policy = load_policy()
    rule = policy.clocks["RV-7"]
    running = [
        Running(1, "RV-7", rule, subject="common_issue:1"),
        Running(2, "RV-7", rule, subject="common_issue:2"),
    ]
    facts = Facts(event="common_issue_dropped", at=T, subject="common_issue:1")
    assert react(policy, WorkingCalendar(), facts, running) == [
        Cancel(1, "RV-7", "common_issue_dropped")
    ]


def test_rv1_the_next_month_start_closes_last_months_quota() -> None:
    policy = load_policy()
    running = [Running(7, "RV-1", policy.clocks["RV-1"], progress=frozenset({"h1"}))]
    commands = react(policy, WorkingCalendar(), Facts(event="month_start", at=T), running)
    assert commands[0] == Cancel(7, "RV-1", "month_start")
    assert isinstance(commands[1], Start) and commands[1].rule_id == "RV-1"


# --- RV-2 arithmetic ------------------------------------------------------------------------


def test_rv2_rate_and_degree_by_hand() -> None:
    # 10 answers: 4 很满意, 4 满意, 1 基本满意, 1 不满意.
    counts = {"very_satisfied": 4, "satisfied": 4, "fairly_satisfied": 1, "dissatisfied": 1}
    fig = level_figures(counts, load_policy().satisfaction)
    # rate = 8/10 = 80.0 %; degree = (400 + 320 + 60 + 0) / 10 = 78.0
    assert (fig.answered, fig.satisfied, fig.rate, fig.degree) == (
        10,
        8,
        Decimal("80.0"),
        Decimal("78.0"),
    )


def test_rv2_fairly_satisfied_counts_when_the_policy_says_so() -> None:
    counts = {"very_satisfied": 4, "satisfied": 4, "fairly_satisfied": 1, "dissatisfied": 1}
    policy = load_policy({"satisfaction": {"fairly_satisfied_counts": True}})
    fig = level_figures(counts, policy.satisfaction)
    assert (fig.satisfied, fig.rate, fig.degree) == (9, Decimal("90.0"), Decimal("78.0"))


def test_rv2_no_answers_is_none_not_zero_division() -> None:
    fig = level_figures({}, load_policy().satisfaction)
    assert (fig.answered, fig.rate, fig.degree) == (0, None, None)


def test_rv2_weights_are_policy_and_validated() -> None:
    with pytest.raises(PolicyError, match="weight for each level"):
        load_policy({"satisfaction": {"weights": {"content": 80}}})
    policy = load_policy()
    assert (policy.satisfaction.rate_target, policy.satisfaction.degree_target) == (96, 75)


# --- RV-7 similarity --------------------------------------------------------------------------

LIFT = [
    "电梯经常停运",
    "电梯又坏了停运",
    "3栋电梯停运好几次了，出行很不方便",
    "电梯老是停运！",
    "电梯故障停运，希望尽快修好",
]
OTHER = ["楼道灯不亮了", "小区绿化带垃圾太多", "楼下噪音太大影响休息", "停车位不够用", "水压太低"]


def test_rv7_variants_of_the_lift_complaint_are_similar() -> None:
    assert text_similarity(LIFT[0], LIFT[1]) >= 0.4
    for other in OTHER:
        assert text_similarity(LIFT[0], other) < 0.2


def test_rv7_five_households_of_building_3_on_the_lift_are_grouped() -> None:
    texts = [Text(("item", i), f"h{i}", 3, t) for i, t in enumerate(LIFT)]
    texts += [Text(("item", 10 + i), f"x{i}", 3, t) for i, t in enumerate(OTHER)]
    groups = group_similar(texts, threshold=0.4, min_households=5)
    assert len(groups) == 1
    assert set(groups[0].keys) == {("item", i) for i in range(5)}
    assert len(groups[0].households) == 5


def test_rv7_four_households_or_another_building_are_not_enough() -> None:
    four = [Text(i, f"h{i}", 3, t) for i, t in enumerate(LIFT[:4])]
    assert group_similar(four, threshold=0.4, min_households=5) == []
    split = [Text(i, f"h{i}", 3 if i < 3 else 4, t) for i, t in enumerate(LIFT)]
    assert group_similar(split, threshold=0.4, min_households=5) == []
    same_household = [Text(i, "h1", 3, t) for i, t in enumerate(LIFT)]
    assert group_similar(same_household, threshold=0.4, min_households=5) == []


def test_rv7_unrelated_texts_are_not_grouped() -> None:
    texts = [Text(i, f"h{i}", 3, t) for i, t in enumerate(OTHER)]
    assert group_similar(texts, threshold=0.4, min_households=2) == []


@pytest.mark.parametrize(
    ("satisfied", "answered", "shown", "met"),
    [
        (24, 25, Decimal("96.0"), True),  # exactly 96 %: 以上 includes it
        (23, 25, Decimal("92.0"), False),
        (237, 247, Decimal("95.9"), False),  # 95.95… % is below 96 %: never shown 96.0
        (240, 250, Decimal("96.0"), True),
    ],
)
def test_rv2_satisfaction_rate_at_96_percent_is_judged_on_the_counts(
    satisfied, answered, shown, met
) -> None:
    """RV-2: 满意率 "96%以上" is met at exactly 96 % and not one answer below it, even where
    the figure rounded half up would read 96.0: it is shown 95.9 (policy.percent)."""
    counts = {"very_satisfied": satisfied, "dissatisfied": answered - satisfied}
    fig = level_figures(counts, load_policy().satisfaction)
    assert (fig.answered, fig.rate) == (answered, shown)
    assert fig.rate_meets(96) is met


@pytest.mark.parametrize(
    ("levels", "shown", "met"),
    [
        # 20 answers, 15 × 100 + 5 × 0: the mean is exactly 75.
        ({"very_satisfied": 15, "dissatisfied": 5}, Decimal("75.0"), True),
        # 199 answers weighing 14,920: 74.97… is below 75: shown 74.9, never 75.0.
        (
            {"very_satisfied": 148, "not_very_satisfied": 4, "dissatisfied": 47},
            Decimal("74.9"),
            False,
        ),
    ],
)
def test_rv2_satisfaction_degree_at_75_is_judged_on_the_weights(levels, shown, met) -> None:
    """RV-2: 满意度 "75%以上": the mean of the weights, at least 75, not its rounded figure."""
    fig = level_figures(levels, load_policy().satisfaction)
    assert fig.degree == shown
    assert fig.degree_meets(75) is met
    assert level_figures({}, load_policy().satisfaction).degree_meets(75) is None


def test_rv3_rv7_fd1_a_100_percent_target_is_missed_by_one_in_two_thousand() -> None:
    """RV-3 (complaint return visits 100 %), RV-7 (notices in time), FD-1 and the time rules:
    1,999 of 2,000 shows as 100.0 % (one decimal) but is not 100 %; the report says missed."""
    from propdesk.reports.selectors import _share_status

    assert _share_status(1999, 2000, 100) == "missed"
    assert _share_status(2000, 2000, 100) == "met"
    assert _share_status(24, 25, 96) == "met"
    assert _share_status(0, 0, 100) == "no_data"
