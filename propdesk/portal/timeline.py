"""What a resident reads of their order: its state and its timeline in plain words.

The one list of what a resident sees: ``RESIDENT_LINES`` names every EventAction a resident reads
and how. Every other action stays with the staff: 退单 (given back, with its reason), marks
changed, files attached, the service-attitude flow (the staff member's account, rectifications),
and everything of an emergency (responders called, acknowledged, arrived, deputies, nobody on
duty). Notes are internal (a reason, what was done, a remark) except the answer to the owner
(答复), which was written for them. Staff appear by name and title, never by phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from propdesk.community.models import User
from propdesk.desk.models import (
    EventAction,
    OrderState,
    WorkOrder,
    WorkOrderEvent,
    state_label,
)
from propdesk.desk.selectors import staff_roles, staff_title
from propdesk.desk.waiting import waiting_titles
from propdesk.policy.workflow import OPEN_STATES

# action: (the line, whether its note is the resident's to read). ``%(who)s`` is the staff member
# the line is about (the actor, or the person the order went to), ``%(team)s`` the order's team.
RESIDENT_LINES: dict[str, tuple[object, bool]] = {
    EventAction.CREATE: (gettext_lazy("Logged"), False),
    EventAction.TAKE: (gettext_lazy("%(who)s took your complaint"), False),
    EventAction.CLAIM: (gettext_lazy("%(who)s accepted the job"), False),
    EventAction.DISPATCH: (gettext_lazy("Dispatched to %(who)s"), False),
    EventAction.ASSIGN: (gettext_lazy("Dispatched to %(who)s"), False),
    EventAction.TRANSFER: (gettext_lazy("Passed on to %(who)s"), False),
    EventAction.ACCEPT: (gettext_lazy("%(who)s accepted the job"), False),
    EventAction.CHECK_IN: (gettext_lazy("%(who)s arrived"), False),
    EventAction.REPLY: (gettext_lazy("The office answered you"), True),
    EventAction.RESOLVE: (gettext_lazy("Work completed"), False),
    EventAction.FOLLOW_UP: (gettext_lazy("The office followed up with you"), False),
    EventAction.RETURN_VISIT: (gettext_lazy("Return visit"), False),
    EventAction.CONTACT_OWNER: (gettext_lazy("The office called you about the progress"), False),
    EventAction.CLOSE: (gettext_lazy("Closed"), False),
    EventAction.REOPEN: (gettext_lazy("Reopened"), False),
    EventAction.CANCEL: (gettext_lazy("Cancelled"), False),
    EventAction.URGE: (gettext_lazy("You urged the office"), False),
    # Issue 16: the order waits for the owner or for parts (the reason stays with the staff);
    # a wait ended by the next step is not a line of its own (that step is).
    EventAction.WAIT: (gettext_lazy("Waiting: %(what)s"), False),
    EventAction.END_WAIT: (gettext_lazy("Work resumed"), False),
}


@dataclass(frozen=True)
class Line:
    at: datetime
    text: str
    note: str


Roles = dict[int, frozenset[str]]


def _person(user: User | None, order: WorkOrder, roles: Roles | None = None) -> str:
    if user is None:
        return ""
    known = roles.get(user.pk) if roles is not None else None
    return f"{staff_title(user, order, known)} {user.name or user.username}"


def resident_timeline(order: WorkOrder) -> list[Line]:
    """The lines of ``order`` a resident reads, oldest first (``order`` from
    desk.selectors.access_resident_order: events prefetched with their actors)."""
    events: list[WorkOrderEvent] = list(order.events.all())
    given_to: set[int] = set()
    for e in events:
        after = e.data.get("after") if isinstance(e.data, dict) else None
        if isinstance(after, dict) and isinstance(after.get("assignee"), int):
            given_to.add(after["assignee"])
    people = {u.pk: u for u in User.objects.filter(pk__in=given_to)}
    staff = given_to | {e.actor_id for e in events if e.actor_id is not None}
    roles = staff_roles(staff, order.community_id)
    lines: list[Line] = []
    titles = waiting_titles(order.community.policy)
    for e in events:
        spec = RESIDENT_LINES.get(e.action)
        if spec is None or (e.action == EventAction.END_WAIT and e.data.get("auto")):
            continue
        words, note_shown = spec
        who = _person(e.actor, order, roles)
        if e.action in (EventAction.DISPATCH, EventAction.ASSIGN, EventAction.TRANSFER):
            after = e.data.get("after") or {}
            given = after.get("assignee") if isinstance(after, dict) else None
            person = people.get(given) if isinstance(given, int) else None
            if person is not None:
                who = _person(person, order, roles)
            elif order.team is not None:
                who = order.team.name
        if e.action == EventAction.RESOLVE:
            text = _done(order)
        elif e.action == EventAction.CREATE and e.data.get("resident"):
            text = _("You reported it here")
        elif e.action == EventAction.WAIT:
            code = str(e.data.get("waiting", ""))
            text = str(words) % {"what": titles.get(code, code)}
        else:
            text = str(words) % {"who": who}
        if e.action == EventAction.CREATE and e.to_state == OrderState.DISPATCHED and order.team:
            text = _("%(text)s, sent to %(team)s") % {"text": text, "team": order.team.name}
        lines.append(Line(at=e.at, text=text, note=e.note if note_shown else ""))
    return lines


def _done(order: WorkOrder) -> str:
    """完工, or 办结 for a complaint (GLOSSARY: never 完工 on a complaint): the words every screen
    gives the state (desk.models.state_label)."""
    return state_label(OrderState.RESOLVED, order.kind, emergency=order.is_emergency)


def state_words(order: WorkOrder) -> str:
    """The order's state as a resident reads it."""
    state = order.state
    if order.waiting and state in OPEN_STATES:
        what = waiting_titles(order.community.policy).get(order.waiting, order.waiting)
        return _("Waiting: %(what)s") % {"what": what}
    if state in (OrderState.NEW, OrderState.RETURNED) or (
        state == OrderState.DISPATCHED and order.assignee_id is None
    ):
        return _("Waiting to be handled")
    if state == OrderState.DISPATCHED:
        return _("Dispatched")
    if state == OrderState.ACCEPTED:
        return _("Accepted, on the way")
    if state == OrderState.ON_SITE:
        return _("Being handled on site")
    if state == OrderState.REOPENED:
        return _("Being handled again")
    if state in (OrderState.RESOLVED, OrderState.FOLLOWED_UP):
        return _done(order)
    if state == OrderState.CLOSED:
        return _("Closed")
    return _("Cancelled")


def is_open(order: WorkOrder) -> bool:
    return order.state in OPEN_STATES


def who_is_coming(order: WorkOrder, roles: Roles | None = None) -> str:
    """The person the order is with now, by title and name (never a phone); empty if nobody.
    ``roles``: the staff's roles read at once for a list (desk.selectors.staff_roles)."""
    return _person(order.assignee, order, roles) if order.state in OPEN_STATES else ""
