"""A hand-built November 2026 of the office in tests/conftest.py, on the injected clock.

Given (all in Shanghai time):
- 20 Nov 09:00: repair orders A (3-2-1502), B (3-1-101) and C (3-1-102) resolved at once;
  visits A 很满意, B 满意, C 满意.
- 20 Nov 09:00: repair order D (3-2-1502) resolved; visit 不满意 (a recovery opens); on 21 Nov a
  second visit finds the owner 满意 (turned satisfied).
- 20 Nov 10:00: complaint X opened; nobody takes it for 11 minutes: CP-1 breaches at 10:10; then
  it is dispatched, accepted and resolved; a complaint visit (满意) follows it up.
- 20 Nov 11:00: complaint Y dispatched at once (CP-1 met) and resolved; no return visit.
- 21 Nov: B's visit left a suggestion "希望增加儿童游乐设施" with no reply yet.

So, by hand: answered visits 6 (A, B, C, D×2, X); satisfied levels 5 → 满意率 83.3 %;
满意度 (100 + 80 + 80 + 0 + 80 + 80) / 6 = 70.0; households visited 3 (RV-1, target 20);
complaints resolved 2, visited 1 → RV-3 50.0 % with Y missing; CP-1: 2 started, 1 met,
1 breached → 50.0 %; one order turned satisfied; one open suggestion item.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from propdesk.desk.models import WorkOrder
from propdesk.followup.services import ItemDraft
from tests.followup.conftest import Loop, loop, sh

__all__ = ["NOW", "November", "loop", "november"]


@dataclass
class November:
    loop: Loop
    a: WorkOrder
    b: WorkOrder
    c: WorkOrder
    d: WorkOrder
    x: WorkOrder
    y: WorkOrder


NOW = sh(2026, 11, 26, 10, 0)


@pytest.fixture
def november(loop: Loop, office) -> November:
    hh_b = loop.household("3-1-101", building="3")
    hh_c = loop.household("3-1-102", building="3")
    loop.at(sh(2026, 11, 20, 9, 0))
    a = loop.resolved("repair")
    b = loop.resolved("repair", household=hh_b)
    c = loop.resolved("repair", household=hh_c)
    d = loop.resolved("repair")
    loop.visit(order=a, level="very_satisfied")
    loop.visit(
        order=b,
        level="satisfied",
        items=(ItemDraft(kind="suggestion", text="希望增加儿童游乐设施"),),
        at=sh(2026, 11, 21, 9, 0),
    )
    loop.visit(order=c, level="satisfied", at=sh(2026, 11, 20, 9, 30))
    loop.visit(order=d, level="dissatisfied", at=sh(2026, 11, 20, 9, 40))
    loop.visit(order=d, level="satisfied", at=sh(2026, 11, 21, 10, 0))

    loop.at(sh(2026, 11, 20, 10, 0))
    x = loop.open_for("complaint", description="楼上噪音")
    loop.sweep(sh(2026, 11, 20, 10, 11))  # CP-1 breached: nobody took it within 10 minutes
    loop.act(x, "dispatch", by=office.receptionist, assignee=office.administrator)
    loop.act(x, "accept", by=office.administrator)
    x = loop.act(x, "resolve", by=office.administrator)
    loop.visit("complaint", order=x, level="satisfied", by=office.head, at=sh(2026, 11, 20, 15, 0))

    loop.at(sh(2026, 11, 20, 11, 0))
    y = loop.resolved("complaint", description="垃圾未清理")
    loop.at(NOW)
    for o in (a, b, c, d, x, y):
        o.refresh_from_db()
    return November(loop, a, b, c, d, x, y)
