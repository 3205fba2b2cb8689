"""What the paper form 《服务工作单》 says beyond the order's own fields: the office's words for
this kind of order (GLOSSARY.md: a complaint has its 投诉人 and 处理人 and is 办结, a repair its
报事人 and 维修工 and is 完工), and what was done, read from the order and its event log (who
arrived and when, who completed it and when with which result, the replies to the owner, the
owner's answer on the return visit). A form printed before the work has none of these: its boxes
stay blank, to be filled in by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from propdesk.desk.models import EventAction, OrderKind, WorkOrder
from propdesk.policy.workflow import TEAM_WORK_KINDS

# The return visit's levels (followup.models.Level) as printed on the form.
LEVELS = {
    "very_satisfied": "很满意",
    "satisfied": "满意",
    "fairly_satisfied": "基本满意",
    "not_very_satisfied": "不太满意",
    "dissatisfied": "不满意",
}
# How the owner was answered or visited (desk.models.ReplyChannel, followup VisitChannel).
CHANNELS = {
    "phone": "电话",
    "visit": "当面",
    "home": "上门",
    "sms": "短信",
    "wechat": "微信",
    "written": "书面",
}
WORKERS = {OrderKind.REPAIR: "维修工", OrderKind.HOUSEKEEPING: "保洁员"}


@dataclass(frozen=True)
class Words:
    """The form's labels for one kind of order."""

    complaint: bool
    opened: str  # 投诉时间 / 报事时间
    reporter: str  # 投诉人 / 报事人
    worker: str  # who does the work: 处理人, 维修工, 保洁员, 经办人
    started: str  # 受理时间 (a complaint is taken) / 到场时间 (a team arrives on site)
    done: str  # 办结时间 / 完工时间
    done_by: str  # 办结人 / 完工人
    resolved_state: str  # the state "resolved" in this kind's word: 已办结 / 已完工


def words_for(order: WorkOrder) -> Words:
    """The labels of ``order``'s form. An emergency is its own kind, never a complaint."""
    if order.kind == OrderKind.COMPLAINT and not order.is_emergency:
        return Words(
            True, "投诉时间", "投诉人", "处理人", "受理时间", "办结时间", "办结人", "已办结"
        )
    if order.is_emergency:  # handled on the spot: 处置完毕 (GLOSSARY), neither 完工 nor 办结
        return Words(
            False, "报事时间", "报事人", "处理人", "到场时间", "处置时间", "处置人", "处置完毕"
        )
    worker = WORKERS.get(OrderKind(order.kind), "处理人") if order.kind in OrderKind.values else ""
    return Words(
        False, "报事时间", "报事人", worker or "处理人", "到场时间", "完工时间", "完工人", "已完工"
    )


@dataclass(frozen=True)
class Step:
    at: datetime
    by: str
    note: str
    channel: str = ""


@dataclass
class Record:
    """What was entered on the order after it was opened; None or empty where nothing was."""

    started: Step | None = None  # taken (complaint) or arrived on site (team)
    done: Step | None = None  # completed / handled to the end, its note the result
    materials: str = ""
    fee: Decimal | None = None
    replies: list[Step] = field(default_factory=list)
    visit: Step | None = None  # the owner's answer on the return visit (or the follow-up)
    level: str = ""  # the owner's satisfaction, in the form's word ("满意"): the latest visit

    @property
    def filled(self) -> bool:
        return any((self.started, self.done, self.replies, self.visit))


def latest_level(order: WorkOrder) -> str:
    """The owner's satisfaction as the order's latest answered return visit gave it (the owner's
    own rating in the portal is such a visit): "" when none has a level. Read from the visits
    themselves, for every kind of order: a complaint's visit is written on the order as its
    follow-up (跟踪回访, CP-2), whose event has no level; a repair's as a return visit. One
    query."""
    visits = order.return_visits.filter(outcome="answered").exclude(level="")
    level = visits.order_by("-at", "-id").values_list("level", flat=True).first()
    return str(level or "")


def record_of(order: WorkOrder) -> Record:
    """What the order's events say was done. The latest of each step counts (an order reopened and
    completed again prints its last completion); a completion the order no longer stands on
    (reopened since) is not printed. ``order`` comes with its events prefetched
    (desk.selectors.access_work_order)."""
    rec = Record()
    started = {EventAction.TAKE, EventAction.CHECK_IN}
    if order.kind == OrderKind.COMPLAINT:
        started |= {EventAction.ACCEPT, EventAction.CLAIM}
    resolved = order.resolved_at is not None
    for e in order.events.all():
        step = Step(e.at, str(e.actor) if e.actor else "", e.note, e.data.get("channel", ""))
        if e.action in started:
            rec.started = step
        elif e.action == EventAction.RESOLVE and resolved:
            rec.done = step
        elif e.action == EventAction.REOPEN:
            rec.done = None
        elif e.action == EventAction.REPLY:
            rec.replies.append(step)
        elif e.action == EventAction.FOLLOW_UP or (
            e.action == EventAction.RETURN_VISIT and e.data.get("outcome") == "answered"
        ):
            rec.visit = step
    rec.level = LEVELS.get(latest_level(order), "")
    if rec.done is not None and order.kind in TEAM_WORK_KINDS:
        rec.materials = order.materials
        rec.fee = order.fee_charged
    return rec


def state_label(order: WorkOrder, words: Words) -> str:
    """The order's state as every screen says it (desk.models.state_label, in its kind's words,
    which ``words.resolved_state`` repeats for the form's boxes)."""
    return order.get_state_display()
