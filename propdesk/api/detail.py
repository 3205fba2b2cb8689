"""An order's detail (GET /api/work-orders/<id>/, the 201 of a create, the answer of an action)
built as a plain dict, without DRF's serializer machinery.

``serializers.WorkOrderDetailOut`` stays the documented shape (the OpenAPI schema is made from
it); this function gives exactly what that serializer gives — the same keys in the same order,
datetimes in the current time zone as ISO 8601 (``Z`` for UTC), decimals as strings with their
places, choices as their stored values, related rows as ids or their brief shapes — at a fraction
of the cost: DRF copies and binds some 90 field objects for every answer.
tests/api/test_detail_dict.py compares the two on orders in every state, so they cannot drift.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone

from propdesk.clocks.models import Clock
from propdesk.community.models import Household, User
from propdesk.desk.models import (
    Attachment,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
)
from propdesk.desk.selectors import Reporter

# DRF's DecimalField(max_digits=9, decimal_places=2) quantizes with this precision.
_MONEY_PLACES = Decimal("0.01")
_MONEY_CONTEXT = decimal.Context(prec=9)


def _text(value: Any) -> str | None:
    """CharField and ChoiceField: the string (a TextChoices member as its value)."""
    return None if value is None else str(value)


def _dt(value: datetime | None, tz: tzinfo | None) -> str | None:
    """DRF's DateTimeField with the ISO 8601 format."""
    if not value:
        return None
    if tz is not None:
        value = value.astimezone(tz) if timezone.is_aware(value) else timezone.make_aware(value, tz)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _money(value: Any) -> str | None:
    """DRF's DecimalField(max_digits=9, decimal_places=2), coerced to a string."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        value = Decimal(str(value).strip())
    return f"{value.quantize(_MONEY_PLACES, context=_MONEY_CONTEXT):f}"


def _user(user: User | None) -> dict[str, Any] | None:
    """UserBriefOut."""
    if user is None:
        return None
    return {"id": user.pk, "username": str(user.username), "display_name": str(user)}


def _household(household: Household | None) -> dict[str, Any] | None:
    """HouseholdBriefOut."""
    if household is None:
        return None
    return {"id": household.pk, "code": str(household.code)}


def _service_item(item: ServiceItem | None) -> dict[str, Any] | None:
    """ServiceItemOut."""
    if item is None:
        return None
    return {
        "id": item.pk,
        "code": _text(item.code),
        "name": _text(item.name),
        "kind": _text(item.kind),
        "team_kind": _text(item.team_kind),
        "steps": item.steps,
        "time_standard_minutes": None
        if item.time_standard_minutes is None
        else int(item.time_standard_minutes),
        "fee": _money(item.fee),
        "fee_note": _text(item.fee_note),
    }


def _event(e: WorkOrderEvent, tz: tzinfo | None) -> dict[str, Any]:
    """EventOut."""
    return {
        "id": e.pk,
        "at": _dt(e.at, tz),
        "actor": _user(e.actor),
        "action": _text(e.action),
        "from_state": _text(e.from_state),
        "to_state": _text(e.to_state),
        "note": _text(e.note),
        "data": e.data,
    }


def _attachment(a: Attachment, tz: tzinfo | None) -> dict[str, Any]:
    """AttachmentOut."""
    return {
        "id": a.pk,
        "kind": _text(a.kind),
        "original_name": _text(a.original_name),
        "content_type": _text(a.content_type),
        "size": None if a.size is None else int(a.size),
        "uploaded_at": _dt(a.uploaded_at, tz),
        "url": reverse("file-attachment", args=[a.pk]),
    }


def _clock(c: Clock, now: datetime | None, tz: tzinfo | None) -> dict[str, Any]:
    """ClockOut, seconds_left as ClockOut.get_seconds_left counts it."""
    seconds_left: int | None
    if c.met_at or c.cancelled_at or c.state in ("met", "cancelled"):
        seconds_left = None
    elif c.paused_at is not None:
        seconds_left = int((c.due_at - c.paused_at).total_seconds())
    else:
        seconds_left = int((c.due_at - now).total_seconds()) if now else None
    return {
        "id": c.pk,
        "rule_id": _text(c.rule_id),
        "title": _text(c.title),
        "subject": _text(c.subject),
        "period": None if c.period is None else int(c.period),
        "state": _text(c.state),
        "started_at": _dt(c.started_at, tz),
        "due_at": _dt(c.due_at, tz),
        "met_at": _dt(c.met_at, tz),
        "breached_at": _dt(c.breached_at, tz),
        "cancelled_at": _dt(c.cancelled_at, tz),
        "level": None if c.level is None else int(c.level),
        "paused_at": _dt(c.paused_at, tz),
        "paused_seconds": None if c.paused_seconds is None else int(c.paused_seconds),
        "seconds_left": seconds_left,
    }


def work_order_detail(
    order: WorkOrder,
    *,
    actions: Iterable[str],
    now: datetime | None,
    timeline: Iterable[dict[str, Any]],
    reporter: Reporter,
) -> dict[str, Any]:
    """What ``WorkOrderDetailOut(order, context={actions, now, timeline, reporter}).data`` gives.
    ``order`` comes from desk.access_work_order or desk.created_work_order (its related rows
    joined, its events, attachments and clocks prefetched)."""
    tz = timezone.get_current_timezone()
    return {
        # WorkOrderOut
        "id": order.pk,
        "number": _text(order.number),
        "community": order.community_id,
        "kind": _text(order.kind),
        "kind_display": order.kind_label,
        "complaint_type": _text(order.complaint_type),
        "is_important": bool(order.is_important),
        "is_long_running": bool(order.is_long_running),
        "is_construction_legacy": bool(order.is_construction_legacy),
        "is_urgent": bool(order.is_urgent),
        "household": _household(order.household),
        "location": _text(order.location),
        "description": _text(order.description),
        "appointment_at": _dt(order.appointment_at, tz),
        "team": {"id": order.team.pk, "name": order.team.name} if order.team else None,
        "assignee": _user(order.assignee),
        "state": _text(order.state),
        "state_display": order.get_state_display(),
        "version": None if order.version is None else int(order.version),
        "created_at": _dt(order.created_at, tz),
        "updated_at": _dt(order.updated_at, tz),
        "resolved_at": _dt(order.resolved_at, tz),
        "closed_at": _dt(order.closed_at, tz),
        "waiting": _text(order.waiting),
        "waiting_since": _dt(order.waiting_since, tz),
        # WorkOrderDetailOut
        "service_item": _service_item(order.service_item),
        "reporter_name": reporter.name,
        "reporter_phone": reporter.phone,
        "reporter_phone_display": reporter.phone_display,
        "reporter_phone_masked": reporter.masked,
        "contact": order.contact_id,
        "created_by": _user(order.created_by),
        "materials": _text(order.materials),
        "fee_charged": _money(order.fee_charged),
        "actions": list(actions),
        "clocks": [_clock(c, now, tz) for c in order.clocks.all()],
        "timeline": list(timeline),
        "events": [_event(e, tz) for e in order.events.all()],
        "attachments": [_attachment(a, tz) for a in order.attachments.all()],
    }
