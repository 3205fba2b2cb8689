"""Who is told of what happens to work orders and contacts, and with which link.

The policy's ``notify`` section names, for each event of the desk (policy.rules.NOTIFY_EVENTS),
the recipients (administrator_on_duty, team_leader, assignee …) and who is told instead when they
find nobody. The rows go into the outbox in the transaction of their cause
(notify.services.notifications_create). Each notification carries the link its recipient opens:
the order page for office staff, the phone job page for team members, the contact page for an
agitated visitor; a recipient who could not open it is not sent a broken link (logged instead).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.urls import reverse

from propdesk.community.models import Community, TeamMember, User
from propdesk.community.selectors import members_with_role, office_heads, on_duty, user_roles
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.selectors import contacts_visible, work_orders_visible
from propdesk.notify.services import notifications_create
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import OFFICE_ROLES, Role

log = logging.getLogger(__name__)


def recipients(
    event: str, *, community: Community, now: datetime, order: WorkOrder | None = None
) -> list[int]:
    """The ids of the active staff the policy tells of ``event`` (in policy order, each once)."""
    rule = load_policy(community.policy).notify.get(event)
    if rule is None:
        return []
    found = _resolve(rule.to, community=community, now=now, order=order)
    if not found:
        found = _resolve(rule.otherwise, community=community, now=now, order=order)
    return found


def _resolve(
    names: Iterable[str], *, community: Community, now: datetime, order: WorkOrder | None
) -> list[int]:
    out: dict[int, None] = {}
    for name in names:
        for uid in _one(name, community=community, now=now, order=order):
            out.setdefault(uid, None)
    if not out:
        return []
    active = set(User.objects.filter(pk__in=list(out), is_active=True).values_list("id", flat=True))
    return [uid for uid in out if uid in active]


def _one(name: str, *, community: Community, now: datetime, order: WorkOrder | None) -> list[int]:
    cid = community.pk
    if name == "office_head":
        return office_heads(cid)
    if name == "administrator":
        return members_with_role(cid, Role.ADMINISTRATOR)
    if name == "administrator_on_duty":
        admins = set(members_with_role(cid, Role.ADMINISTRATOR))
        return [uid for _tid, uid in on_duty(cid, now) if uid in admins]
    if order is None:
        return []
    if name == "assignee":
        return [order.assignee_id] if order.assignee_id else []
    if order.team_id is None:
        return []
    if name == "team_leader":
        leader = order.team.leader_id if order.team else None
        return [leader] if leader else []
    if name == "team_on_duty":
        members = set(
            TeamMember.objects.filter(team_id=order.team_id).values_list("user_id", flat=True)
        )
        return [uid for _tid, uid in on_duty(cid, now, [order.team_id]) if uid in members]
    raise ValueError(f"unknown recipient {name}")


def order_link(user: User, order: WorkOrder) -> str:
    """Where ``user`` acts on ``order``: the phone job page for team staff, else the order page."""
    roles = user_roles(user, order.community_id)
    if roles & OFFICE_ROLES or not roles & {Role.TEAM_LEADER, Role.TEAM_MEMBER}:
        return reverse("desk-order", args=[order.pk])
    return reverse("desk-job", args=[order.pk])


def tell_about_order(
    event: str,
    *,
    order: WorkOrder,
    now: datetime,
    cause: str,
    title: str,
    recipient_ids: Iterable[int] | None = None,
    exclude: Iterable[int] = (),
) -> list[int]:
    """Notify the policy's recipients of ``event`` (or ``recipient_ids``) about ``order``, each
    with the link they can open. Returns who was told."""
    ids = list(
        recipient_ids
        if recipient_ids is not None
        else recipients(event, community=order.community, now=now, order=order)
    )
    skip = set(exclude)
    ids = [uid for uid in ids if uid not in skip]
    if not ids:
        return []
    users = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    by_link: dict[str, list[int]] = {}
    for uid in ids:
        user = users.get(uid)
        if user is None:
            continue
        if not work_orders_visible(user).filter(pk=order.pk).exists():
            log.warning("not telling %s of %s: they cannot open order %s", uid, event, order.pk)
            continue
        by_link.setdefault(order_link(user, order), []).append(uid)
    told: list[int] = []
    for url, group in by_link.items():
        notifications_create(
            community_id=order.community_id,
            recipient_ids=group,
            cause=cause,
            kind=event,
            title=title,
            payload={"order": order.pk, "number": order.number, "url": url},
            now=now,
        )
        told += group
    return told


def tell_about_contact(
    event: str, *, contact: Contact, now: datetime, cause: str, title: str
) -> list[int]:
    """Notify the policy's recipients of ``event`` about a front-desk contact (FD-4), linked to
    the contact's page."""
    ids = recipients(event, community=contact.community, now=now)
    url = reverse("desk-contact", args=[contact.pk])
    allowed = [
        u.pk
        for u in User.objects.filter(pk__in=ids, is_active=True)
        if contacts_visible(u).filter(pk=contact.pk).exists()
    ]
    if allowed:
        notifications_create(
            community_id=contact.community_id,
            recipient_ids=allowed,
            cause=cause,
            kind=event,
            title=title,
            payload={"contact": contact.pk, "url": url},
            now=now,
        )
    return allowed
