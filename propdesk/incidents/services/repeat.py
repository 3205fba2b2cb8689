"""The repeat of unacknowledged emergency calls, every minute, widening once to the deputies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from propdesk.community.models import Membership, Team, User
from propdesk.community.selectors import office_heads, on_duty
from propdesk.incidents.models import (
    EmergencyState,
    Responder,
)
from propdesk.incidents.services._common import (
    EMERGENCY_KIND,
    _alert_title,
    _order_event,
    _payload,
    emergency_policy,
)
from propdesk.notify.services import notifications_create
from propdesk.policy.rules import EmergencyPolicy


@dataclass
class RepeatReport:
    examined: int = 0
    repeats: int = 0
    widened: int = 0


def _deputies(responder: Responder, now: datetime, policy: EmergencyPolicy) -> list[int]:
    """Who stands in for an unacknowledged responder: for a department's responder, its team
    leader, its other on-duty staff and the office head(s); for an office head, the other office
    heads and the roles the policy names."""
    emergency = responder.emergency
    cid = emergency.community_id
    out: list[int] = []
    if responder.team_id is not None:
        leader = Team.objects.filter(pk=responder.team_id).values_list("leader_id", flat=True)
        out += [uid for uid in leader if uid is not None]
        out += [uid for _tid, uid in on_duty(cid, now, [responder.team_id])]
        out += office_heads(cid)
    else:
        out += office_heads(cid)
        roles = set(policy.office_head_deputies)
        out += list(
            Membership.objects.filter(
                community_id=cid, role__in=roles - {"leadership"}, user__is_active=True
            )
            .order_by("user_id")
            .values_list("user_id", flat=True)
        )
        if "leadership" in roles:
            out += list(
                User.objects.filter(
                    is_leadership=True,
                    is_active=True,
                    company_id=emergency.community.company_id,
                )
                .order_by("id")
                .values_list("id", flat=True)
            )
    return [uid for uid in dict.fromkeys(out) if uid != responder.user_id]


def _waiting(now: datetime) -> Any:
    return Responder.objects.filter(
        next_repeat_at__lte=now,
        acknowledged_at__isnull=True,
        emergency__state=EmergencyState.OPEN,
    )


def _due(now: datetime, batch_size: int) -> list[Responder]:
    qs = (
        _waiting(now)
        .select_related("emergency__community", "emergency__order")
        .order_by("next_repeat_at", "id")
    )
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:batch_size])


def emergencies_repeat(*, now: datetime, batch_size: int = 200) -> RepeatReport:
    """Repeat the alert to every responder who has not acknowledged after each interval (EM-1:
    every ``repeat_seconds``, policy), once per round: round *n* is due at notified_at + n ×
    interval, and a worker that fell behind sends only the latest round. After
    ``widen_after_rounds`` rounds the deputies are told, once. Each batch is one transaction and
    each round's cause is unique (``emergency:<id>:r<n>:<user>``), so two workers never send a
    round twice."""
    report = RepeatReport()
    if not _waiting(now).exists():
        return report  # nothing due: one read, no transaction (on SQLite no write lock)
    while True:
        with transaction.atomic():
            due = _due(now, batch_size)
            if not due:
                return report
            report.examined += len(due)
            for responder in due:
                _repeat_one(responder, now, report)
        if len(due) < batch_size:
            return report


def _repeat_one(responder: Responder, now: datetime, report: RepeatReport) -> None:
    emergency = responder.emergency
    policy = emergency_policy(emergency.community)
    interval = timedelta(seconds=policy.repeat_seconds)
    round_ = max(int((now - responder.notified_at) / interval), responder.rounds + 1)
    responder.rounds = round_
    responder.next_repeat_at = responder.notified_at + interval * (round_ + 1)
    fields = ["rounds", "next_repeat_at"]
    notifications_create(
        community_id=emergency.community_id,
        recipient_ids=[responder.user_id],
        cause=f"emergency:{emergency.pk}:r{round_}:{responder.user_id}",
        kind=EMERGENCY_KIND,
        title=_("Not yet acknowledged (reminder %(round)s): %(alert)s")
        % {"round": round_, "alert": _alert_title(emergency)},
        payload={**_payload(emergency), "round": round_},
        now=now,
    )
    _order_event(
        emergency.order,
        by=None,
        now=now,
        action="responder_repeated",
        user=responder.user_id,
        round=round_,
    )
    report.repeats += 1
    if round_ >= policy.widen_after_rounds and responder.widened_at is None:
        deputies = _deputies(responder, now, policy)
        who = User.objects.filter(pk=responder.user_id).first()
        notifications_create(
            community_id=emergency.community_id,
            recipient_ids=deputies,
            cause=f"emergency:{emergency.pk}:w:{responder.user_id}",
            kind=EMERGENCY_KIND,
            title=_("%(name)s has not acknowledged: %(alert)s")
            % {"name": str(who), "alert": _alert_title(emergency)},
            payload={**_payload(emergency), "unacknowledged": responder.user_id},
            now=now,
        )
        responder.widened_at = now
        fields.append("widened_at")
        _order_event(
            emergency.order,
            by=None,
            now=now,
            action="deputies_notified",
            user=responder.user_id,
            deputies=deputies,
        )
        report.widened += 1
    responder.save(update_fields=fields)
