"""The demo's follow-up loop: monthly satisfaction visits of the last months (RV-1, RV-2), a
few opinions and suggestions (RV-4, RV-5), one of them answered, and five households of one
building complaining of the lift in the last days, so a common issue is proposed (RV-7).
Everything goes through propdesk.followup.services, in time order."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from propdesk.followup.models import SuggestionItem
from propdesk.followup.services import (
    ItemDraft,
    VisitDraft,
    return_visit_record,
    suggestion_create,
    suggestion_reply,
)

LEVELS = ["very_satisfied", "satisfied", "fairly_satisfied", "not_very_satisfied", "dissatisfied"]
LEVEL_WEIGHTS = [45, 40, 10, 3, 2]
OPINIONS = [
    ("suggestion", "希望增加小区夜间巡逻次数"),
    ("opinion", "垃圾清运很及时，保洁阿姨辛苦了"),
    ("criticism", "地下车库照明不足，晚上不安全"),
    ("suggestion", "建议在大门口增设快递柜"),
]
LIFT = [
    "电梯经常停运，上下楼很不方便",
    "电梯又坏了停运",
    "电梯老是停运，老人出行困难",
    "电梯故障停运好几次了",
    "希望尽快解决电梯停运问题",
]


def _month_starts(now: datetime, tz: Any, months: int) -> list[datetime]:
    local = now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    out = [local]
    for _i in range(months - 1):
        local = (local - timedelta(days=1)).replace(day=1)
        out.append(local)
    return out[::-1]


def seed_followup(offices: list[Any], rng: random.Random, now: datetime) -> int:
    """Write the demo's follow-up data up to ``now``; returns how many return visits."""
    visits = 0
    for office in offices:
        community = office.community
        plan: list[tuple[datetime, Any, str]] = []
        for start in _month_starts(now, office.tz, 3):
            chosen = rng.sample(office.households, min(len(office.households), rng.randint(14, 22)))
            for household in chosen:
                at = start + timedelta(days=rng.randint(0, 27), hours=rng.randint(9, 17))
                if at < now:
                    plan.append((at, household, rng.choices(LEVELS, LEVEL_WEIGHTS)[0]))
        plan.sort(key=lambda p: p[0])
        for i, (at, household, level) in enumerate(plan):
            items = (ItemDraft(*OPINIONS[i % len(OPINIONS)]),) if i % 6 == 0 else ()
            return_visit_record(
                community=community,
                by=rng.choice(office.receptionists),
                now=at,
                draft=VisitDraft(
                    kind="monthly",
                    household=household,
                    level=level,
                    items=items,
                    opinion="服务不错" if level in LEVELS[:2] else "还需改进",
                ),
            )
            visits += 1
        first = SuggestionItem.objects.filter(community=community).order_by("id").first()
        if first is not None:
            suggestion_reply(
                item_id=first.pk,
                by=office.administrators[0],
                now=min(first.created_at + timedelta(days=1), now),
                reply="感谢您的建议，管理处已研究并列入下月工作计划。",
                channel="phone",
            )
        building = office.households[0].unit.building_id
        same_building = [h for h in office.households if h.unit.building_id == building]
        for j, (household, text) in enumerate(zip(same_building, LIFT, strict=False)):
            suggestion_create(
                community=community,
                by=office.receptionists[0],
                now=now - timedelta(days=5 - j, hours=2),
                kind="opinion",
                text=text,
                household=household,
            )
    return visits
