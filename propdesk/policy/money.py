"""Money as people write it at a front desk: ``45``, ``45.00``, ``¥45``, ``45元``."""

from __future__ import annotations

import re
from decimal import Decimal

_MONEY = re.compile(r"^(?:¥|￥|RMB|CNY)?\s*(\d+(?:\.\d{1,2})?)\s*(?:元|块|圆)?$", re.IGNORECASE)


def parse_money(text: str) -> Decimal | None:
    """Yuan as people write them: ``45``, ``45.00``, ``45.5``, ``¥45``, ``￥45``, ``45元``,
    ``1,200``. None for an empty text. Raises ValueError for anything else (negative, letters,
    more than two decimals)."""
    raw = (text or "").strip().replace(",", "").replace("，", "")
    if not raw:
        return None
    m = _MONEY.match(raw)
    if not m:
        raise ValueError(text)
    return Decimal(m.group(1))
