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
import re
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from propdesk.community.access import preload_access
from propdesk.community.models import Community, User
from propdesk.community.selectors import members_with_role, office_heads, on_duty, user_roles
from propdesk.desk.models import ComplaintType, Contact, OrderKind, WorkOrder
from propdesk.desk.rating_links import rating_link
from propdesk.desk.selectors import contacts_visible, order_visible_to, staff_title
from propdesk.notify.residents import resident_message_queue
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
        return [uid for _tid, uid in on_duty(cid, now, [order.team_id], members_of=order.team_id)]
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
    preload_access(users.values())
    by_link: dict[str, list[int]] = {}
    for uid in ids:
        user = users.get(uid)
        if user is None:
            continue
        if not order_visible_to(user, order):
            log.warning("not telling %s of %s: they cannot open order %s", uid, event, order.pk)
            continue
        by_link.setdefault(order_link(user, order), []).append(uid)
    told: list[int] = []
    cap = load_policy(order.community.policy).notify_cap
    for url, group in by_link.items():
        notifications_create(
            community_id=order.community_id,
            recipient_ids=group,
            cause=cause,
            kind=event,
            title=title,
            payload={"order": order.pk, "number": order.number, "url": url},
            now=now,
            cap=cap,
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


def tell_after_action(
    order: WorkOrder,
    action: str,
    *,
    by: User,
    now: datetime,
    note: str,
    flags: dict[str, bool],
    was: int | None,
) -> None:
    """Tell the people who must act now (the policy's ``notify``); never the actor. An
    emergency calls its own people on every channel (incidents), so nothing more here."""
    if order.complaint_type == ComplaintType.EMERGENCY:
        return
    who = by.name or by.username
    cause = f"order:{order.pk}:v{order.version}:{action}"
    text = order.description[:60]
    if action in ("dispatch", "assign", "transfer") and order.assignee_id:
        title = (
            _("%(who)s transferred %(number)s to you: %(reason)s")
            if action == "transfer"
            else _("%(who)s dispatched %(number)s to you: %(text)s")
        )
        tell_about_order(
            "order_assigned",
            order=order,
            now=now,
            cause=cause,
            title=title % {"who": who, "number": order.number, "text": text, "reason": note},
            exclude=[by.pk],
        )
    elif action == "dispatch" and order.team_id:
        tell_routed(order, now=now, cause=cause, exclude=[by.pk])
    elif action == "return":
        tell_about_order(
            "order_returned",
            order=order,
            now=now,
            cause=cause,
            title=_("%(who)s gave back %(number)s: %(reason)s")
            % {"who": who, "number": order.number, "reason": note},
            exclude=[by.pk],
        )
    elif action == "cancel" and was:
        tell_about_order(
            "order_cancelled",
            order=order,
            now=now,
            cause=cause,
            title=_("%(number)s was cancelled: %(reason)s")
            % {"number": order.number, "reason": note},
            recipient_ids=[was],
            exclude=[by.pk],
        )
    elif action == "flag" and flags.get("is_important") and order.kind == OrderKind.COMPLAINT:
        tell_head(order, now=now, exclude=[by.pk])


def tell_routed(order: WorkOrder, *, now: datetime, cause: str, exclude: list[int]) -> None:
    """A repair or housekeeping order reached its team's pool: the leader and the members on
    duty hear of it."""
    tell_about_order(
        "order_routed",
        order=order,
        now=now,
        cause=cause,
        title=_("New %(kind)s %(number)s for %(team)s: %(text)s")
        % {
            "kind": order.get_kind_display(),
            "number": order.number,
            "team": order.team.name if order.team else "",
            "text": order.description[:60],
        },
        exclude=exclude,
    )


def tell_head(order: WorkOrder, *, now: datetime, exclude: list[int] | None = None) -> None:
    """CP-3, CP-4, CP-5: a written, important or service-attitude complaint goes to the head,
    at creation or when it is marked important later."""
    what = (
        _("Important complaint")
        if order.is_important
        else ComplaintType(order.complaint_type).label
    )
    tell_about_order(
        "complaint_to_head",
        order=order,
        now=now,
        cause=f"complaint-to-head:{order.pk}" + (":important" if order.is_important else ""),
        title=_("%(what)s %(number)s: %(text)s")
        % {"what": what, "number": order.number, "text": order.description[:60]},
        exclude=exclude or [],
    )


# --- the resident (issue 13) ---------------------------------------------------------------------

# The actions a resident hears of by text message, by what the message says.
RESIDENT_MESSAGE_ACTIONS = {
    "dispatch": "dispatched",  # 派单 (to a person; to a team's pool it waits for one)
    "assign": "dispatched",
    "claim": "dispatched",
    "take": "dispatched",
    "transfer": "dispatched",
    "check_in": "arrived",  # 到场
    "resolve": "completed",  # 完工 (a complaint: 办结)
}
_MOBILE = re.compile(r"^1\d{10}$")


def portal_link(path: str) -> str:
    """An address a resident can open from a text message: settings.PORTAL_BASE_URL + path."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def tell_resident(order: WorkOrder, action: str, *, now: datetime) -> bool:
    """派单, 到场 and 完工 of ``order``: a text message to its reporter's mobile with the link to
    the order in the portal (the 完工 message links the rating page), written to the outbox in
    this transaction, once per event (the cause is the order's version and the action). Returns
    whether a message was written. An emergency, a landline or no number: nothing."""
    kind = RESIDENT_MESSAGE_ACTIONS.get(action)
    if kind is None or order.is_emergency or not _MOBILE.match(order.reporter_phone or ""):
        return False
    if kind == "dispatched" and order.assignee is None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "community": order.community.name,
            "number": order.number,
            "kind": order.kind_label,
            "who": "",
            "url": portal_link(reverse("portal:order", args=[order.pk])),
        }
        if order.assignee is not None:
            person = order.assignee
            values["who"] = f"{staff_title(person, order)} {person.name or person.username}"
        if kind == "dispatched":
            text = _(
                "[%(community)s] Your %(kind)s %(number)s was dispatched: %(who)s will handle "
                "it. Follow it: %(url)s"
            )
        elif kind == "arrived":
            text = _("[%(community)s] %(who)s has arrived for your %(kind)s %(number)s: %(url)s")
        else:
            if order.kind == OrderKind.COMPLAINT:
                text = _(
                    "[%(community)s] Your complaint %(number)s was handled to the end: %(url)s"
                )
            else:
                # The one-tap rating link: it opens the rating page before sign-in.
                path = rating_link(order, order.reporter_phone, now)
                values["url"] = portal_link(path)
                text = _(
                    "[%(community)s] Your %(kind)s %(number)s is completed. Please rate our "
                    "service: %(url)s"
                )
        message = text % values
    return resident_message_queue(
        community_id=order.community_id,
        phone=order.reporter_phone,
        cause=f"order:{order.pk}:v{order.version}:{action}",
        kind=kind,
        text=message,
        now=now,
        order_id=order.pk,
    )
