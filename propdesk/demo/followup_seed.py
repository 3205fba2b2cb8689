"""The demo's follow-up loop: monthly satisfaction visits of the last months (RV-1, RV-2), a
few opinions and suggestions (RV-4, RV-5), one of them answered, and five households of one
building complaining of the lift in the last days, so a common issue is proposed (RV-7); two
owners' own ratings in the resident portal (one 不太满意, so a recovery waits) and two posted
notices, one for the whole community and one for a building (issue 13).
Everything goes through propdesk.followup.services, in time order."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef
from PIL import Image

from propdesk.community.models import Resident
from propdesk.desk.models import WorkOrder
from propdesk.followup.models import ReturnVisit, SuggestionItem
from propdesk.followup.services import (
    ItemDraft,
    RatingDraft,
    VisitDraft,
    notice_post,
    notice_write,
    return_visit_by_owner,
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


def _board_photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (250, 250, 240)).save(out, format="PNG")
    return SimpleUploadedFile("board.png", out.getvalue(), content_type="image/png")


def seed_portal_ratings(offices: list[Any], now: datetime) -> int:
    """The resident portal's side (issue 13): in each community, the owners of the two latest
    finished repair or housekeeping orders not yet visited rate them (满意, 不太满意), and two
    notices are posted (the whole community's; the first building's). Returns the ratings."""
    ratings = 0
    for office in offices:
        community = office.community
        visited = ReturnVisit.objects.filter(order=OuterRef("pk"), outcome="answered")
        orders = (
            WorkOrder.objects.filter(
                community=community,
                kind__in=("repair", "housekeeping"),
                state="resolved",
                household__residents__phone__gt="",
                resolved_at__lt=now,
            )
            .exclude(Exists(visited))
            .distinct()
            .order_by("-resolved_at")[:2]
        )
        for order, (level, words) in zip(
            list(orders),
            [("satisfied", "师傅很准时"), ("not_very_satisfied", "修完还有点滴水")],
            strict=False,
        ):
            phones = Resident.objects.filter(household_id=order.household_id or 0)
            phone = phones.exclude(phone="").order_by("id").values_list("phone", flat=True)[0]
            resolved_at = order.resolved_at or now
            return_visit_by_owner(
                order=order,
                phone=phone,
                now=min(resolved_at + timedelta(hours=2), now),
                draft=RatingDraft(level=level, speed=5, attitude=4, result=4, opinion=words),
            )
            ratings += 1
        admin = office.administrators[0]
        building = office.households[0].unit.building
        for title, body, scope in (
            ("停水通知", "因二次供水设备检修，本周六9:00至12:00全小区停水，请提前储水。", None),
            (
                f"{building.number}栋电梯保养通知",
                "本周五14:00至16:00电梯例行保养，期间请走楼梯，给您带来不便敬请谅解。",
                building,
            ),
        ):
            notice = notice_write(
                community=community,
                by=admin,
                now=now - timedelta(days=1),
                title=title,
                body=body,
                building=scope,
            )
            notice_post(
                notice_id=notice.pk, by=admin, now=now - timedelta(hours=20), photo=_board_photo()
            )
    return ratings
