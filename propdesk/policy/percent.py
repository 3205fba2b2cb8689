"""Figures shown in percent, to one decimal, that never read as a target they miss.

Every KPI target is a whole percent (RV-2's 96 and 75, RV-3's and RV-7's 100, FD-1's and the
time rules' 100) and is judged on the counts. Rounded half up, a share just below a whole
number reads as it (237 of 247 = 95.95…% as 96.0, 1,999 of 2,000 as 100.0) beside the word
missed. So a figure rounds half up as usual, except that it never rounds up to a whole number
it is below: then it is cut to the decimal (95.9, 99.9). No figure reads higher than the truth
across a whole percent; any other figure is the usual rounding (2 of 3: 66.7).
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

ONE_DECIMAL = Decimal("0.1")


def shown_points(numerator: int, denominator: int) -> Decimal:
    """``numerator / denominator`` (already in percent points, e.g. the sum of 满意度 weights
    over the answers) to one decimal, never rounded up to a whole number it is below.
    ``denominator`` must be positive."""
    if denominator <= 0:
        raise ValueError("the denominator must be positive")
    exact = Fraction(numerator, denominator)
    value = Decimal(numerator) / Decimal(denominator)
    rounded = value.quantize(ONE_DECIMAL, ROUND_HALF_UP)
    if rounded == rounded.to_integral_value() and Fraction(rounded) > exact:
        return value.quantize(ONE_DECIMAL, ROUND_FLOOR)
    return rounded


def figure_text(figure: Decimal | int) -> str:
    """A figure as printed: to its one decimal, a whole number without it (96, 95.9, 20)."""
    if isinstance(figure, Decimal):
        return f"{figure:.1f}".rstrip("0").rstrip(".")
    return str(figure)


def shown_percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent to one decimal (``shown_points``); None without a
    whole."""
    if not whole:
        return None
    return shown_points(100 * part, whole)
