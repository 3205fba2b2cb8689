"""Actions on a work order: one of the declared state machine (policy.workflow.ACTIONS), checked,
written as one event, its clocks moved and the people who must act told, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Household, Team, User
from propdesk.community.selectors import user_roles, user_team_ids
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import OrderKind, OwnerReopen, ReplyChannel, WorkOrder
from propdesk.desk.services._common import order_event_write, stale_conflict
from propdesk.desk.services.telling import (
    recipients,
    tell_about_order,
    tell_after_action,
    tell_resident,
)
from propdesk.policy.rules import WAIT_END, WAIT_START, load_policy
from propdesk.policy.workflow import (
    ACTIONS,
    OFFICE_ROLES,
    TEAM_ROLES,
    Action,
    Role,
    Situation,
    State,
    TransitionRefused,
    check_action,
    owner_may_reopen,
)

FLAGS = ("is_important", "is_long_running", "is_construction_legacy")
# Issue 16: 急修 marked or unmarked after intake; the action's name is the clocks' event, written
# only when the mark changes (DS-1-arrival starts on one and is cancelled by the other).
URGENT_ACTIONS = {"mark_urgent": True, "unmark_urgent": False}
MAX_FEE = Decimal("10000000")


@dataclass
class ActionInput:
    """What a person gives with an action; which of these an action takes is declared on the
    workflow table (``Action.fields``). Anything given that the action does not take is refused."""

    note: str = ""
    channel: str = ""
    team: Team | None = None
    assignee: User | None = None
    materials: str = ""
    fee: Decimal | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    waiting: str = ""

    def given(self) -> set[str]:
        out = {
            name
            for name in ("note", "channel", "materials", "waiting")
            if str(getattr(self, name) or "").strip()
        }
        out |= {name for name in ("team", "assignee", "fee") if getattr(self, name) is not None}
        if self.flags:
            out.add("flags")
        return out


def situation(order: WorkOrder, user: User) -> Situation:
    """The order as the state machine sees it for ``user``."""
    roles = user_roles(user, order.community_id)
    if user.is_leadership:
        roles = roles | {Role.LEADERSHIP}
    policy = load_policy(order.community.policy)
    return Situation(
        state=State(order.state),
        roles=roles,
        # Being on the team counts only for a team role (workflow.check_action): the user's
        # teams are not read for anyone else (the office that opens and reads orders).
        on_team=order.assignee_id == user.pk
        or (
            order.team_id is not None
            and bool(roles & TEAM_ROLES)
            and order.team_id in user_team_ids(user)
        ),
        is_assignee=order.assignee_id == user.pk,
        in_pool=policy.dispatch.pool
        and order.team_id is not None
        and order.assignee_id is None
        and order.state == State.DISPATCHED,
        kind=order.kind,
        has_assignee=order.assignee_id is not None,
        waiting=bool(order.waiting),
        urgent=order.is_urgent,
        leads_team=bool(roles & {Role.TEAM_LEADER})
        and order.team is not None
        and order.team.leader_id == user.pk,
        emergency=order.is_emergency,
        important=order.is_important and order.kind == OrderKind.COMPLAINT,
    )


def _refused(exc: TransitionRefused, order: WorkOrder, action: str = "") -> Exception:
    if exc.code == "role_not_allowed":
        return Forbidden(_("Your role may not do this to the work order."), code=exc.code)
    if exc.code == "head_only":
        return Forbidden(
            _("Only the office head may make the return visit of a major complaint."),
            code=exc.code,
        )
    if exc.code == "not_for_kind" and action in URGENT_ACTIONS:
        return Forbidden(_("Only a repair can be marked urgent."), code=exc.code)
    if exc.code == "not_for_emergency":
        # EM-1..3: what a complaint has (答复, 跟踪回访, 每周跟进) an emergency has not.
        return Conflict(
            _(
                "An emergency is not a complaint: it has no answer to the owner, no follow-up "
                "and no weekly progress call. Dispatch or transfer it, and close it once handled."
            ),
            code=exc.code,
        )
    if exc.code == "not_for_kind":
        return Forbidden(
            _("This action is not for a %(kind)s.") % {"kind": order.get_kind_display()},
            code=exc.code,
        )
    if exc.code == "not_in_pool":
        if order.assignee_id is not None:
            who = order.assignee.name or order.assignee.username if order.assignee else ""
            return Conflict(
                _("%(who)s has already taken this work order.") % {"who": who}, code="taken"
            )
        return Conflict(_("This work order is not waiting in the team's pool."), code=exc.code)
    if exc.code == "nobody_assigned":
        return Conflict(
            _("Nobody has this work order yet: dispatch it to someone first."), code=exc.code
        )
    if exc.code == "already_waiting":
        return Conflict(
            _("The work order is already waiting (%(what)s): end the wait first.")
            % {"what": waiting_title(order)},
            code=exc.code,
        )
    if exc.code == "not_waiting":
        return Conflict(_("The work order is not waiting."), code=exc.code)
    if exc.code == "already_urgent":
        return Conflict(
            _("Nothing to change: the work order is already an urgent repair."), code=exc.code
        )
    if exc.code == "not_urgent":
        return Conflict(
            _("Nothing to change: the work order is not an urgent repair."), code=exc.code
        )
    if exc.code == "in_pool":
        return Conflict(
            _("This work order waits in the team's pool: take it with “Take from the pool”."),
            code=exc.code,
        )
    return Conflict(
        _("The work order is %(state)s: this action is not possible now.")
        % {"state": order.get_state_display()},
        code=exc.code,
    )


def _check_assignee(
    order: WorkOrder, team: Team | None, assignee: User, errors: dict[str, list[str]]
) -> None:
    roles = user_roles(assignee, order.community_id) if assignee.is_active else frozenset()
    if not roles - {Role.LEADERSHIP}:
        errors["assignee"] = [_("This person is not on the staff of the community.")]
        return
    if order.kind == OrderKind.COMPLAINT:
        if not roles & {Role.ADMINISTRATOR, Role.OFFICE_HEAD}:
            errors["assignee"] = [_("A complaint is taken by an administrator or the office head.")]
        return
    if (
        team is not None
        and team.leader_id != assignee.pk
        and assignee.pk not in set(team.members.values_list("id", flat=True))
    ):
        errors["assignee"] = [_("This person is not on the team.")]


def _check_input(
    spec: Action, order: WorkOrder, given: ActionInput, by: User
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """Field errors of ``given`` against what ``spec`` takes for this order's kind, and what the
    change will be (team, assignee, channel, materials, fee, flags)."""
    errors: dict[str, list[str]] = {}
    takes = {f.name: f for f in spec.fields_for(order.kind)}
    for name in sorted(given.given() - set(takes)):
        if name in ("materials", "fee"):
            errors[name] = [_("Materials and fee are written when the job is completed.")]
        else:
            errors[name] = [_("This action does not take this.")]
    note = (given.note or "").strip()
    if "note" in takes and takes["note"].required and not note:
        errors["note"] = [_("Write the reason or the result.")]
    change: dict[str, Any] = {"note": note}
    if "channel" in takes:
        channel = given.channel or ReplyChannel.PHONE
        if channel not in ReplyChannel.values:
            errors["channel"] = [_("Choose how the owner was told.")]
        change["channel"] = channel
    if "assignee" in takes:
        _assignee_change(spec, order, given, by, errors, change)
    if "materials" in takes:
        materials = (given.materials or "").strip()
        if len(materials) > 200:
            errors["materials"] = [_("Keep the materials under 200 characters.")]
        change["materials"] = materials
    if "fee" in takes:
        if given.fee is not None and (given.fee < 0 or given.fee >= MAX_FEE):
            errors["fee"] = [_("The fee must be between 0 and 9,999,999.99 yuan.")]
        change["fee"] = given.fee
    if "flags" in takes:
        flags: dict[str, bool] = {}
        for name, value in given.flags.items():
            if name not in FLAGS:
                errors.setdefault("flags", []).append(_("Unknown flag: %s") % name)
            elif getattr(order, name) != bool(value):
                flags[name] = bool(value)
        if not flags and "flags" not in errors:
            errors["flags"] = [_("Nothing to change: the order already has these flags.")]
        change["flags"] = flags
    if "waiting" in takes:
        kinds = load_policy(order.community.policy).waiting
        if given.waiting not in kinds:
            errors["waiting"] = [_("Choose what the work order waits for.")]
        change["waiting"] = given.waiting
    return errors, change


def _assignee_change(
    spec: Action,
    order: WorkOrder,
    given: ActionInput,
    by: User,
    errors: dict[str, list[str]],
    change: dict[str, Any],
) -> None:
    team = given.team
    if team is not None and team.community_id != order.community_id:
        errors["team"] = [_("This team is not in the community.")]
        return
    chosen_team = team or order.team
    is_complaint = order.kind == OrderKind.COMPLAINT
    chosen = given.assignee
    if chosen is None and spec.name == "dispatch" and not is_complaint:
        if chosen_team is None:
            errors["team"] = [_("Choose the team that does this work.")]
            return
        # To the team: it waits in the team's pool for the leader or a member (抢单).
    elif chosen is None:
        errors["assignee"] = [
            _("Choose the administrator who takes this complaint.")
            if is_complaint
            else _("Choose who takes this work order.")
        ]
        return
    else:
        _check_assignee(order, chosen_team, chosen, errors)
        if spec.name == "transfer" and chosen.pk == order.assignee_id:
            errors["assignee"] = [_("Choose someone else: the order is already with them.")]
    roles = user_roles(by, order.community_id)
    if (
        Role.TEAM_LEADER in roles
        and not roles & OFFICE_ROLES
        and chosen_team is not None
        and chosen_team.pk not in user_team_ids(by)
    ):
        raise Forbidden(_("You may assign only within your own team."))
    change["team"], change["assignee"] = chosen_team, chosen


@transaction.atomic
def work_order_transition(
    *,
    order_id: int,
    action: str,
    by: User,
    now: datetime,
    version: int,
    note: str = "",
    team: Team | None = None,
    assignee: User | None = None,
    channel: str = "",
    flags: dict[str, bool] | None = None,
    materials: str = "",
    fee: Decimal | None = None,
    waiting: str = "",
) -> WorkOrder:
    """Take one action of the declared state machine (policy.workflow.ACTIONS) on an order.

    What the action takes (note, channel, team, assignee, materials, fee, flags, waiting) is
    declared on the workflow table; anything else given is refused with a field error.
    ``version`` is the order's version the user saw: if someone changed it since, Conflict (code
    ``stale``) and nothing changes. Taking an order from the pool (``claim``) that someone else
    took first is Conflict ``taken``, naming who. Raises Forbidden when the user's role may not
    take the action, Conflict (``not_allowed_in_state``) when the order's state does not allow
    it (``already_waiting``, ``not_waiting`` for the waits; ``already_urgent``, ``not_urgent``
    when 急修 would not change), ValidationError for missing notes,
    a wrong assignee or an unknown waiting kind. The order's clocks start, are met, cancelled,
    paused or resumed, and the people who must act are notified, in the same transaction. An
    order that waits and is moved on by this action stops waiting first (its own event and the
    clocks' ``wait_end``), so its paused clocks count again, their deadlines moved.
    """
    # Lock the row first, then read it with its related rows: on PostgreSQL a locking read that
    # waited for another transaction re-reads the locked row, not the joined ones (the loser of a
    # race for the pool would see the new assignee's id with the old, empty, join).
    WorkOrder.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True).get()
    order = WorkOrder.objects.select_related("community", "team", "assignee").get(pk=order_id)
    given = ActionInput(
        note=note,
        channel=channel,
        team=team,
        assignee=assignee,
        materials=materials,
        fee=fee,
        flags=dict(flags or {}),
        waiting=waiting,
    )
    # The loser of a race for the pool hears who won, not that the page was stale.
    if action == "claim" and order.assignee_id is not None and order.assignee_id != by.pk:
        raise _refused(TransitionRefused("not_in_pool", ""), order)
    if order.version != version:
        raise stale_conflict(order)
    try:
        spec = check_action(action, situation(order, by))
    except TransitionRefused as exc:
        raise _refused(exc, order, action) from exc
    errors, change = _check_input(spec, order, given, by)
    if errors:
        raise ValidationError(errors)
    return _apply(order, spec, change, by=by, now=now)


@transaction.atomic
def work_order_reopen_by_owner(
    *, order_id: int, phone: str, outcome: str, reason: str, now: datetime
) -> WorkOrder:
    """The owner reopens their household's finished repair or housekeeping order from the
    resident portal: 没修好 or 部分解决 (``outcome``, OwnerReopen) with a reason, within the
    policy's ``satisfaction.reopen_within_days`` of 完工 (``now`` aware; at the limit it is still
    allowed). The order takes the declared ``reopen`` action (REOPENED, its clocks as after the
    office's reopen); its event has no staff actor and says the owner reopened it and why; the
    office is told (notify event ``order_reopened``).

    ``phone`` is the number the owner proved; not on the order's household register: Forbidden
    (the portal shows that as not found). ValidationError for no outcome or reason, Conflict
    (codes ``not_for_kind``, ``not_allowed_in_state``, ``too_late``) when the order may not be
    reopened now. Nothing is written then.
    """
    WorkOrder.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True).get()
    order = WorkOrder.objects.select_related("community", "team", "assignee").get(pk=order_id)
    mine = Household.objects.filter(pk=order.household_id or 0, residents__phone=phone)
    if not phone or not mine.exists():
        raise Forbidden(_("This is not your household's work order."), code="not_yours")
    policy = load_policy(order.community.policy)
    refused = owner_may_reopen(
        state=State(order.state),
        kind=order.kind,
        resolved_at=order.resolved_at,
        now=now,
        within_days=policy.satisfaction.reopen_within_days,
    )
    if refused == "too_late":
        raise Conflict(
            _("It is more than %(days)s days since the work was completed: please call the office.")
            % {"days": policy.satisfaction.reopen_within_days},
            code=refused,
        )
    if refused:
        raise Conflict(
            _("Only a completed repair or housekeeping work order can be reopened here."),
            code=refused,
        )
    errors: dict[str, list[str]] = {}
    if outcome not in OwnerReopen.values:
        errors["outcome"] = [_("Choose not fixed or partly solved.")]
    reason = reason.strip()
    if not reason:
        errors["note"] = [_("Write what is still wrong.")]
    elif len(reason) > 500:
        errors["note"] = [_("Keep it under 500 characters.")]
    if errors:
        raise ValidationError(errors)
    note = _("The owner reopened it (%(outcome)s): %(reason)s") % {
        "outcome": OwnerReopen(outcome).label,
        "reason": reason,
    }
    order = _apply(
        order,
        ACTIONS["reopen"],
        {"note": note},
        by=None,
        now=now,
        extra={"by_owner": True, "outcome": outcome},
    )
    tell_about_order(
        "order_reopened",
        order=order,
        now=now,
        cause=f"order:{order.pk}:v{order.version}:reopen",
        title=_("The owner reopened %(number)s (%(outcome)s): %(reason)s")
        % {"number": order.number, "outcome": OwnerReopen(outcome).label, "reason": reason[:60]},
    )
    return order


def _apply(
    order: WorkOrder,
    spec: Action,
    change: dict[str, Any],
    *,
    by: User | None,
    now: datetime,
    extra: dict[str, object] | None = None,
) -> WorkOrder:
    action = spec.name
    auto_end = bool(order.waiting) and spec.target is not None
    if auto_end:
        # The order moves on (check-in, complete, give back, cancel …): its wait ends first, so
        # the paused clocks count again, their deadlines moved, before this action meets them.
        _end_wait(order, by=by, now=now, note="", auto=action)
    from_state = order.state
    before = {"team": order.team_id, "assignee": order.assignee_id}
    previous_assignee = order.assignee_id
    order.state = spec.leads_to(State(order.state))
    fields = ["state", "version", "updated_at"]
    if auto_end:
        fields += ["waiting", "waiting_since"]
    data: dict[str, object] = {}
    if "assignee" in change:
        order.team = change["team"]
        order.assignee = change["assignee"]
        fields += ["team", "assignee"]
    if action in ("take", "claim"):
        order.assignee = by
        if action == "take" and order.kind == OrderKind.COMPLAINT and order.team_id is None:
            order.team = _service_team(order)
        fields += ["team", "assignee"]
    if action == "return":
        team, by_pk = order.team, by.pk if by is not None else None
        if (
            team is not None
            and by_pk
            and team.leader_id == by_pk
            and order.assignee_id in (None, by_pk)
        ):
            # The leader gives back what nobody else on the team has: back to the office (its
            # customer-service team, whose leader is told), never into the leader's own pool
            # (已退单给 维修班: back to himself, and nobody told).
            order.team = _office_team(order) or team
            fields.append("team")
        order.assignee = None
        fields.append("assignee")
    if "channel" in change:
        data["channel"] = change["channel"]
    if action == "resolve":
        order.resolved_at = now
        order.materials = change.get("materials", "")
        order.fee_charged = change.get("fee")
        fields += ["resolved_at", "materials", "fee_charged"]
        if order.materials:
            data["materials"] = order.materials
        if order.fee_charged is not None:
            data["fee"] = str(order.fee_charged)
    if action == "close":
        order.closed_at = now
        fields.append("closed_at")
    if action == "reopen":
        order.resolved_at = order.closed_at = None
        fields += ["resolved_at", "closed_at"]
    if action == "wait":
        order.waiting, order.waiting_since = change["waiting"], now
        fields += ["waiting", "waiting_since"]
        data.update(waiting=order.waiting, reason=change["note"])
    if action == "end_wait":
        data.update(_wait_over(order, now), reason=change["note"])
        fields += ["waiting", "waiting_since"]
    if action in URGENT_ACTIONS:
        order.is_urgent = URGENT_ACTIONS[action]
        fields.append("is_urgent")
        data["is_urgent"] = order.is_urgent
    flags = change.get("flags") or {}
    if flags:
        data["flags"] = flags
        for name, value in flags.items():
            setattr(order, name, value)
        fields += list(flags)
    order.version += 1
    order.updated_at = now
    order.save(update_fields=list(dict.fromkeys(fields)))
    after = {"team": order.team_id, "assignee": order.assignee_id}
    if before != after:
        data.update(before=before, after=after)
    data.update(extra or {})
    order_event_write(
        order,
        by=by,
        now=now,
        action=action,
        from_state=from_state,
        to_state=order.state,
        note=change["note"],
        data=data,
    )
    clocks_on_event(
        community=order.community,
        event=CLOCK_EVENTS.get(action, action),
        at=now,
        actor=by,
        actor_roles=user_roles(by, order.community_id) if by is not None else (),
        order=order,
        data=data,
    )
    if by is not None:  # the owner's own actions tell the office themselves
        tell_after_action(
            order, action, by=by, now=now, note=change["note"], flags=flags, was=previous_assignee
        )
    tell_resident(order, action, now=now)
    return order


# The clock events of the waiting actions (policy.rules.WAIT_START, WAIT_END).
CLOCK_EVENTS = {"wait": WAIT_START, "end_wait": WAIT_END}


def waiting_title(order: WorkOrder) -> str:
    """What the order waits for, in the policy's words (业主不在家, 待料 …); "" when it does not
    wait. A kind the policy no longer has is shown as its code."""
    if not order.waiting:
        return ""
    kind = load_policy(order.community.policy).waiting.get(order.waiting)
    return kind.title if kind is not None else order.waiting


def _wait_over(order: WorkOrder, now: datetime) -> dict[str, object]:
    """Clear the order's waiting state (the caller saves it); what the event records of it."""
    out: dict[str, object] = {"waiting": order.waiting}
    if order.waiting_since is not None:
        out["waited_seconds"] = int((now - order.waiting_since).total_seconds())
    order.waiting, order.waiting_since = "", None
    return out


def _end_wait(order: WorkOrder, *, by: User | None, now: datetime, note: str, auto: str) -> None:
    """End the order's wait because ``auto`` moves it on: its own line on the timeline and the
    clocks' ``wait_end``, before the action's own. The order is saved with the action."""
    data = {**_wait_over(order, now), "auto": auto}
    order_event_write(
        order,
        by=by,
        now=now,
        action="end_wait",
        from_state=order.state,
        to_state=order.state,
        note=note,
        data=data,
    )
    clocks_on_event(
        community=order.community,
        event=WAIT_END,
        at=now,
        actor=by,
        actor_roles=user_roles(by, order.community_id) if by is not None else (),
        order=order,
        data=data,
    )


def _office_team(order: WorkOrder) -> Team | None:
    """The office's own team of ``order``'s community (客服中心, kind customer_service)."""
    return (
        Team.objects.filter(community_id=order.community_id, kind="customer_service")
        .order_by("pk")
        .first()
    )


def _service_team(order: WorkOrder) -> Team | None:
    from propdesk.desk.services._common import _route_team

    return _route_team(order.community, order.kind, None)


__all__ = [
    "FLAGS",
    "ActionInput",
    "recipients",
    "situation",
    "waiting_title",
    "work_order_reopen_by_owner",
    "work_order_transition",
]
