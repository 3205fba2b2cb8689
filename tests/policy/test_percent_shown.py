"""RV-2, RV-3, RV-7, FD-1 and the time rules' compliance: a figure shown to one decimal never
reads as a whole-percent target it misses (propdesk.policy.percent). Pure: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from propdesk.policy.percent import shown_percent, shown_points


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (237, 247, Decimal("95.9")),  # RV-2: 95.95… % is below 96: not 96.0
        (24, 25, Decimal("96.0")),  # exactly 96
        (240, 250, Decimal("96.0")),
        (1999, 2000, Decimal("99.9")),  # RV-3/RV-7/FD-1: 99.95 % is below 100: not 100.0
        (2000, 2000, Decimal("100.0")),
        (19199, 20000, Decimal("95.9")),  # 95.995 %
        (1919, 2000, Decimal("95.9")),  # 95.95 % exactly: half up would read 96.0
        (2, 3, Decimal("66.7")),  # elsewhere the usual rounding, half up
        (1, 8, Decimal("12.5")),
        (1, 16, Decimal("6.3")),  # 6.25 half up
        (0, 5, Decimal("0.0")),
    ],
)
def test_rv2_a_share_never_reads_as_a_whole_percent_it_is_below(part, whole, shown) -> None:
    assert shown_percent(part, whole) == shown
    # The promise: a whole figure shown is never above the true share.
    figure = shown_percent(part, whole)
    assert figure is not None
    if figure == figure.to_integral_value():
        assert figure * whole <= 100 * part


def test_rv2_no_whole_no_figure() -> None:
    assert shown_percent(0, 0) is None


def test_rv2_the_degree_74_97_reads_74_9_not_75() -> None:
    """RV-2's 满意度: 199 answers weighing 14,920 is 74.97…, below 75: shown 74.9."""
    assert shown_points(14920, 199) == Decimal("74.9")
    assert shown_points(1500, 20) == Decimal("75.0")
