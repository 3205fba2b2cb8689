"""The demo's community activities (CS-3): owners' wishes tagged 活动, last quarter's activity
held (announced, households signed up, attendance, feedback, closed) and this quarter's planned
from a wish. Everything goes through propdesk.concierge.services.activities, in time order."""

from __future__ import annotations

import io
import random
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from propdesk.concierge.models import ActivitySignup
from propdesk.concierge.services import activities as svc
from propdesk.followup.services import suggestion_create
from propdesk.policy.deadlines import quarter_of

WISHES = ["希望组织一次亲子运动会", "建议办一场老年人健康讲座", "想参加中秋游园猜灯谜"]
FEEDBACK = ["very_satisfied", "very_satisfied", "satisfied", "satisfied", "fairly_satisfied"]


def _photo() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile("notice.png", buf.getvalue(), content_type="image/png")


def seed_activities(offices: list[Any], rng: random.Random, now: datetime) -> int:
    """Write each community's activities up to ``now``; returns how many activities."""
    made = 0
    for office in offices:
        community, tz = office.community, office.tz
        local = now.astimezone(tz)
        first, last = quarter_of(local.date())
        this_start = datetime(first.year, first.month, 1, tzinfo=tz)
        this_end = datetime.combine(last, datetime.min.time(), tzinfo=tz) + timedelta(days=1)
        prev_first, _prev_last = quarter_of(first - timedelta(days=1))
        admin, desk = office.administrators[0], office.receptionists[0]
        wishes = [
            suggestion_create(
                community=community,
                by=desk,
                now=now - timedelta(days=days, hours=3),
                kind="suggestion",
                text=text,
                household=rng.choice(office.households),
                is_activity_wish=True,
            )
            for days, text in zip((50, 20, 6), WISHES, strict=True)
        ]
        # Last quarter: 重阳节 tea party in its middle, held and closed.
        starts = datetime(prev_first.year, prev_first.month, 1, 14, 30, tzinfo=tz) + timedelta(
            days=40
        )
        held = svc.activity_plan(
            community=community,
            by=admin,
            now=starts - timedelta(days=14),
            title="重阳敬老茶话会",
            starts_at=starts,
            place="会所多功能厅",
            capacity=20,
            description="为小区长者准备茶点和健康义诊。",
        )
        svc.activity_announce(
            activity_id=held.pk, by=admin, now=starts - timedelta(days=13), photo=_photo()
        )
        homes = rng.sample(office.households, min(len(office.households), 5))
        for i, household in enumerate(homes):
            svc.activity_signup(
                activity_id=held.pk,
                household=household,
                by=desk,
                now=starts - timedelta(days=10 - i),
            )
        came = homes[: max(1, len(homes) - 1)]
        svc.activity_attendance(
            activity_id=held.pk,
            by=admin,
            now=starts + timedelta(hours=2),
            attended_household_ids=[h.pk for h in came],
        )
        for signup, level in zip(
            ActivitySignup.objects.filter(activity=held, attended=True).order_by("id"),
            FEEDBACK,
            strict=False,
        ):
            svc.activity_feedback(
                signup_id=signup.pk,
                by=admin,
                now=starts + timedelta(days=1),
                level=level,
                feedback="活动组织得很好",
            )
        svc.activity_close(activity_id=held.pk, by=office.head, now=starts + timedelta(days=3))
        made += 1
        # This quarter: planned from the latest wish, not yet announced.
        when = min(now + timedelta(days=14), now + (this_end - now) / 2)
        when = when.astimezone(tz).replace(minute=0, second=0, microsecond=0)
        if this_start <= now < when:
            svc.activity_plan(
                community=community,
                by=admin,
                now=now - timedelta(minutes=30),
                title="亲子运动会",
                starts_at=when,
                place="小区中心广场",
                capacity=30,
                description="跳绳、拔河、亲子接力，欢迎全家参加。",
                wish_item_ids=[wishes[-1].pk],
            )
            made += 1
    return made
