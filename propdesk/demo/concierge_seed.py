"""The demo's convenience services: each office's service cart (手推车, 梯子, 工具箱, 雨伞, 轮椅),
a loan out now and one overdue (it shows in the front desk's queue and gets its text once the
worker runs), the concierge team with its day and night shifts, a request done yesterday and one
waiting for the concierge now. Everything goes through propdesk.concierge.services."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from propdesk.community.models import DutyShift, Team, TeamKind, TeamMember
from propdesk.concierge.models import CartItem, RequestKind
from propdesk.concierge.services.cart import loan_lend
from propdesk.concierge.services.requests import (
    concierge_request_accept,
    concierge_request_create,
    concierge_request_done,
)

ITEMS = [("手推车", 3, 2), ("梯子", 2, 4), ("工具箱", 2, 4), ("雨伞", 10, 24), ("轮椅", 1, 24)]
ROSTER_DAYS_AHEAD = 14


def seed_concierge(offices: list[Any], now: datetime, weeks: int) -> None:
    for office in offices:
        community = office.community
        items = {
            name: CartItem.objects.create(
                community=community, name=name, stock=stock, available=stock, loan_hours=hours
            )
            for name, stock, hours in ITEMS
        }
        team = Team.objects.create(
            community=community, kind=TeamKind.CONCIERGE, name="礼宾组", leader=office.concierge
        )
        TeamMember.objects.create(team=team, user=office.concierge)
        today = now.astimezone(office.tz).date()
        first = today - timedelta(days=weeks * 7)
        shifts = []
        for i in range((today - first).days + ROSTER_DAYS_AHEAD + 1):
            day = first + timedelta(days=i)
            start = datetime.combine(day, time(8), tzinfo=office.tz)
            shifts.append(
                DutyShift(
                    team=team, user=office.concierge, starts_at=start, ends_at=start + timedelta(1)
                )
            )
        DutyShift.objects.bulk_create(shifts)

        desk = office.receptionists[0]
        households = office.households
        owner = office.residents.get(households[0].pk, [None])[0]
        loan_lend(
            community=community,
            item_id=items["手推车"].pk,
            household_id=households[0].pk,
            borrower_name=owner.name if owner else "业主",
            borrower_phone=owner.phone if owner else "13800000000",
            due_at=now + timedelta(hours=2),
            by=desk,
            now=now - timedelta(minutes=30),
        )
        late = households[min(1, len(households) - 1)]
        borrower = office.residents.get(late.pk, [None])[0]
        loan_lend(
            community=community,
            item_id=items["雨伞"].pk,
            household_id=late.pk,
            borrower_name=borrower.name if borrower else "业主",
            borrower_phone=borrower.phone if borrower else "13800000001",
            due_at=now - timedelta(hours=20),
            by=desk,
            now=now - timedelta(days=1),
        )
        yesterday = now - timedelta(days=1)
        done = concierge_request_create(
            community=community,
            kind=RequestKind.LUGGAGE,
            location="北门",
            note="三件行李送至电梯口",
            household=households[-1],
            by=desk,
            now=yesterday,
        )
        concierge_request_accept(
            community=community,
            request_id=done.pk,
            by=office.concierge,
            now=yesterday + timedelta(minutes=2),
        )
        concierge_request_done(
            community=community,
            request_id=done.pk,
            by=office.concierge,
            now=yesterday + timedelta(minutes=15),
        )
        concierge_request_create(
            community=community,
            kind=RequestKind.ELDERLY,
            location="小区东门",
            note="年长业主提购物袋，请护送回家",
            household=households[0],
            by=desk,
            now=now - timedelta(minutes=3),
        )
