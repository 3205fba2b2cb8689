"""Return visits: the same-day phone visit of a finished repair or housekeeping order (RV-6),
the complaint follow-up within 3 days (CP-2, RV-3), the monthly satisfaction visits (RV-1); the
owner's opinions as items (RV-4); a dissatisfied answer puts the order back in front of the
office head until a later visit finds the owner satisfied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Community, Household, User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import Forbidden, policy_message, too_long
from propdesk.desk.models import EventAction, OrderKind, WorkOrder
from propdesk.desk.services import order_event_write, work_order_transition
from propdesk.desk.services.telling import DISSATISFIED, tell_about_order
from propdesk.followup.models import (
    STAFF_VISIT_CHANNELS,
    ItemKind,
    Level,
    OrderRating,
    Recovery,
    RecoveryState,
    ReturnVisit,
    SuggestionItem,
    VisitChannel,
    VisitKind,
    VisitOutcome,
)
from propdesk.followup.services._common import (
    VISIT_ROLES,
    monthly_quota_ensure,
    policy_of,
    require_role,
)
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.workflow import Role, State

DONE_STATES = {State.RESOLVED, State.FOLLOWED_UP, State.CLOSED}


@dataclass(frozen=True)
class ItemDraft:
    """One opinion, criticism or suggestion the owner gave on the visit (RV-4)."""

    kind: str
    text: str
    area: str = ""


@dataclass(frozen=True)
class VisitDraft:
    """What the visitor records. ``order`` for kinds order and complaint; ``household`` for a
    monthly visit (else the order's). ``level`` only when ``outcome`` is answered."""

    kind: str
    channel: str = VisitChannel.PHONE
    outcome: str = VisitOutcome.ANSWERED
    level: str = ""
    order: WorkOrder | None = None
    household: Household | None = None
    phone: str = ""
    opinion: str = ""
    items: tuple[ItemDraft, ...] = ()
    retry_at: datetime | None = None
    activity_wish: str = ""  # CS-3: "what activity would you like" (optional, answered only)


def visit_kind_for(order: WorkOrder | None) -> str:
    """The kind of return visit an order gets: its complaint visit (CP-2, RV-3), or the same-day
    call of a finished job (RV-6); without an order, the monthly satisfaction visit (RV-1)."""
    if order is None:
        return VisitKind.MONTHLY
    return VisitKind.COMPLAINT if order.kind == OrderKind.COMPLAINT else VisitKind.ORDER


def visit_is_the_heads(*, by: User, community_id: int, order: WorkOrder | None) -> bool:
    """RV-3: whether the return visit of ``order`` is the office head's alone and ``by`` is not
    the head there: a complaint marked important (重要投诉). The console then says who makes it
    instead of offering the form; return_visit_record refuses it (``head_only``)."""
    return (
        order is not None
        and visit_kind_for(order) == VisitKind.COMPLAINT
        and order.is_important
        and Role.OFFICE_HEAD not in user_roles(by, community_id)
    )


def owner_phone(order: WorkOrder | None, household: Household | None) -> str:
    """The number to call: the reporter's on the order, else the household's first resident's."""
    if order is not None and order.reporter_phone:
        return order.reporter_phone
    if household is not None:
        resident = household.residents.exclude(phone="").order_by("id").first()
        if resident is not None:
            return resident.phone
    return ""


def _validate(community: Community, d: VisitDraft, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if d.kind not in VisitKind.values:
        errors["kind"] = [_("Choose the kind of return visit.")]
    if d.channel not in VisitChannel.values:
        errors["channel"] = [_("Choose phone or home visit.")]
    if d.outcome not in VisitOutcome.values:
        errors["outcome"] = [_("Choose the outcome of the call.")]
    if d.outcome == VisitOutcome.ANSWERED:
        if d.level not in Level.values:
            errors["level"] = [_("Choose how satisfied the owner is.")]
    elif d.level:
        errors["level"] = [_("Only an answered visit has a satisfaction level.")]
    elif d.items:
        errors["items"] = [_("Only an answered visit records opinions.")]
    order = d.order
    if d.kind in {VisitKind.ORDER, VisitKind.COMPLAINT}:
        if order is None:
            errors["order"] = [_("Choose the work order visited.")]
        elif order.community_id != community.pk:
            errors["order"] = [_("This work order is not in the community.")]
        elif d.kind == VisitKind.ORDER and order.kind not in {
            OrderKind.REPAIR,
            OrderKind.HOUSEKEEPING,
        }:
            errors["order"] = [_("A same-day visit is for a repair or housekeeping order.")]
        elif d.kind == VisitKind.COMPLAINT and order.kind != OrderKind.COMPLAINT:
            errors["order"] = [_("A complaint visit is for a complaint.")]
        elif order.state not in DONE_STATES:
            errors["order"] = [_("The work order is not resolved yet.")]
    elif d.kind == VisitKind.MONTHLY:
        if order is not None:
            errors["order"] = [_("A monthly visit is to a household, not about an order.")]
        if d.household is None:
            errors["household"] = [_("Choose the household visited.")]
    if d.household is not None and d.household.community_id != community.pk:
        errors["household"] = [_("This household is not in the community.")]
    wish = d.activity_wish.strip()
    if wish and d.outcome != VisitOutcome.ANSWERED:
        errors["activity_wish"] = [_("Only an answered visit records an activity wish.")]
    elif len(wish) > 200:
        errors["activity_wish"] = [_("Keep the activity wish within 200 characters.")]
    if d.outcome == VisitOutcome.NO_ANSWER and d.retry_at is not None and d.retry_at <= now:
        errors["retry_at"] = [_("The retry must be later than now.")]
    for i, item in enumerate(d.items):
        if item.kind not in ItemKind.values:
            errors.setdefault("items", []).append(
                _("Item %(n)s: choose opinion, criticism or suggestion.") % {"n": i + 1}
            )
        if not item.text.strip():
            errors.setdefault("items", []).append(_("Item %(n)s is empty.") % {"n": i + 1})
    if d.phone.strip():
        try:
            parse_phone(d.phone, area_code=community.area_code)
        except InvalidPhone as exc:
            errors["phone"] = [policy_message(exc)]
    return errors


@transaction.atomic
def return_visit_record(
    *, community: Community, by: User, now: datetime, draft: VisitDraft
) -> ReturnVisit:
    """Record one return visit (or a call nobody answered) at ``now`` (aware).

    Answered: meets the order's RV-6 clock (event ``return_visit``); on a complaint also takes
    the order's ``follow_up`` action through the state machine (meets CP-2, shows on the
    timeline); counts the household towards the month's RV-1 quota (community event
    ``return_visit``, subject the household id); writes each opinion as its own item; a
    不太满意/不满意 answer on an order opens a Recovery and tells the office head; a satisfied
    answer on an order awaiting recovery turns it. No answer: schedules ``retry_at`` (default
    now + policy ``satisfaction.retry_after_minutes``) and meets nothing.

    Raises Forbidden if the user's role may not visit (RV-3: receptionists, administrators,
    office heads, team leaders; a major complaint only the office head, code ``head_only``),
    ValidationError for bad input, a channel other than STAFF_VISIT_CHANNELS among it (业主自评
    is the owner's own, from the portal, never the office's).
    Nothing is written then.
    """
    roles = require_role(by, community.pk, VISIT_ROLES)
    order = draft.order
    if draft.kind == VisitKind.COMPLAINT and visit_is_the_heads(
        by=by, community_id=community.pk, order=order
    ):
        raise Forbidden(
            _("Only the office head may make the return visit of a major complaint."),
            code="head_only",
        )
    errors = _validate(community, draft, now)
    if draft.channel not in STAFF_VISIT_CHANNELS:
        # 业主自评 is the owner's own, from the portal: the office calls or goes (RV-1).
        errors["channel"] = [_("Choose phone or home visit.")]
    if errors:
        raise ValidationError(errors)
    return _visit_write(community=community, by=by, roles=roles, now=now, draft=draft)


SCORE_FIELDS = ("speed", "attitude", "result")  # 上门速度, 服务态度, 处理结果
# The longest comment an owner writes with a rating in the portal (the office's visit, by phone
# or at the door, takes what it hears whole).
OWNER_OPINION_MAX = 2000


@dataclass(frozen=True)
class RatingDraft:
    """What the owner gives in the portal: three scores, 1 to 5 stars each (None: not given),
    the five-level answer and what they want to say."""

    level: str = ""
    speed: int | None = None
    attitude: int | None = None
    result: int | None = None
    opinion: str = ""


@transaction.atomic
def return_visit_by_owner(
    *, order: WorkOrder, phone: str, now: datetime, draft: RatingDraft
) -> OrderRating:
    """The owner's own return visit of a finished repair or housekeeping order, from the resident
    portal (channel ``portal``, nobody from the office), with the three scores. Written by the
    same steps as a phone visit (``_visit_write``): it meets RV-6, counts towards RV-1 and the
    RV-2 figures, and a 不太满意/不满意 answer starts the same recovery. ``phone`` is the number
    the owner proved (the caller checks it is on the household's register).

    One per order: ValidationError (code ``already``) when the order already has an answered
    return visit, from the office or the owner; ValidationError with field errors for a score
    outside 1-5, no level, a comment over OWNER_OPINION_MAX characters (refused, never cut), or
    an order not finished. Nothing is written then.
    """
    WorkOrder.objects.select_for_update().filter(pk=order.pk).values_list("pk", flat=True).get()
    order = WorkOrder.objects.select_related("community", "household__unit").get(pk=order.pk)
    if order.return_visits.filter(outcome=VisitOutcome.ANSWERED).exists():
        raise ValidationError(
            _("This work order has already had its return visit."), code="already"
        )
    visit_draft = VisitDraft(
        kind=VisitKind.ORDER,
        channel=VisitChannel.PORTAL,
        level=draft.level,
        order=order,
        phone=phone,
        opinion=draft.opinion,
    )
    errors = _validate(order.community, visit_draft, now)
    if "level" in errors:
        errors["level"] = [_("Choose how satisfied you are.")]
    if refused := too_long(draft.opinion.strip(), OWNER_OPINION_MAX, _("Your comment")):
        errors["opinion"] = refused
    scores: dict[str, int] = {}
    for name in SCORE_FIELDS:
        score = getattr(draft, name)
        if score is None or not 1 <= score <= 5:
            errors[name] = [_("Give 1 to 5 stars.")]
        else:
            scores[name] = score
    if errors:
        raise ValidationError(errors)
    visit = _visit_write(
        community=order.community, by=None, roles=frozenset(), now=now, draft=visit_draft
    )
    rating = OrderRating(
        community=order.community,
        order=order,
        visit=visit,
        **scores,
        phone=visit.phone,
        at=now,
    )
    rating.save(force_insert=True)
    return rating


def _visit_write(
    *,
    community: Community,
    by: User | None,
    roles: frozenset[Role],
    now: datetime,
    draft: VisitDraft,
) -> ReturnVisit:
    """The one way a checked visit is written, by the office (``by``) or the owner (None)."""
    order = draft.order
    policy = policy_of(community)
    household = draft.household or (order.household if order is not None else None)
    answered = draft.outcome == VisitOutcome.ANSWERED
    retry_at = None
    if draft.outcome == VisitOutcome.NO_ANSWER:
        retry_at = draft.retry_at or now + timedelta(
            minutes=policy.satisfaction.retry_after_minutes
        )
    # The number called as the desk stores one (checked by _validate), never the typed text cut
    # to the column (0755-8888 1234 转 8012 is 21 characters).
    typed = draft.phone.strip()
    phone = (
        parse_phone(typed, area_code=community.area_code).number
        if typed
        else owner_phone(order, household)
    )
    building_id = None
    if household is not None:
        building_id = household.unit.building_id
    visit = ReturnVisit(
        community=community,
        kind=draft.kind,
        order=order,
        household=household,
        channel=draft.channel,
        phone=phone,
        outcome=draft.outcome,
        level=draft.level if answered else "",
        opinion=draft.opinion.strip(),
        retry_at=retry_at,
        activity_wish=draft.activity_wish.strip() if answered else "",
        visited_by=by,
        at=now,
        order_kind=order.kind if order is not None else "",
        team_id=order.team_id if order is not None else None,
        building_id=building_id,
    )
    visit.save(force_insert=True)
    if order is not None:
        _on_order(visit, order, by=by, now=now, roles=roles)
    if not answered:
        return visit
    SuggestionItem.objects.bulk_create(
        SuggestionItem(
            community=community,
            kind=item.kind,
            text=item.text.strip(),
            household=household,
            building_id=building_id,
            area=item.area.strip()[:50],
            visit=visit,
            order=order,
            created_by=by,
            created_at=now,
        )
        for item in draft.items
    )
    if household is not None:
        monthly_quota_ensure(community=community, now=now)
        clocks_on_event(
            community=community,
            event="return_visit",
            at=now,
            actor=by,
            actor_roles=roles,
            subject=str(household.pk),
            data={"channel": draft.channel},
        )
    if order is not None:
        _recovery(visit, order, now=now, satisfied=policy.satisfaction.satisfied_levels)
    return visit


def _on_order(
    visit: ReturnVisit,
    order: WorkOrder,
    *,
    by: User | None,
    now: datetime,
    roles: frozenset[Role],
) -> None:
    """The order's side of a visit: its timeline, its RV-6 clock, a complaint's follow-up."""
    answered = visit.outcome == VisitOutcome.ANSWERED
    note = visit.opinion or visit.get_outcome_display()
    if (
        visit.kind == VisitKind.COMPLAINT
        and answered
        and order.state == State.RESOLVED
        and by is not None  # the owner rates orders only, never a complaint
    ):
        # CP-2 is met by the order's follow_up action: the state machine writes the event.
        work_order_transition(
            order_id=order.pk,
            action="follow_up",
            by=by,
            now=now,
            version=order.version,
            note=_("Return visit: %(level)s. %(note)s")
            % {"level": visit.get_level_display(), "note": note},
        )
    else:
        order_event_write(
            order,
            by=by,
            now=now,
            action=EventAction.RETURN_VISIT,
            note=note,
            data={
                "visit": visit.pk,
                "outcome": visit.outcome,
                "level": visit.level,
                "channel": visit.channel,
            },
        )
    if answered:
        clocks_on_event(
            community=order.community,
            event="return_visit",
            at=now,
            actor=by,
            actor_roles=user_roles(by, order.community_id) if by is not None else (),
            order=order,
            data={"channel": visit.channel},
        )


def _recovery(
    visit: ReturnVisit, order: WorkOrder, *, now: datetime, satisfied: tuple[str, ...]
) -> None:
    awaiting = Recovery.objects.select_for_update().filter(
        order=order, state=RecoveryState.AWAITING
    )
    if visit.level in {Level.NOT_VERY_SATISFIED, Level.DISSATISFIED}:
        if awaiting.exists():
            return  # already in front of the head; the latest words are on the visit
        recovery = Recovery.objects.create(
            community_id=visit.community_id,
            order=order,
            visit=visit,
            owner_words=visit.opinion,
            opened_at=now,
        )
        # The worker tells every active office head (desk.tell: announcement ``dissatisfied``),
        # with the order's page; the request reads no one's roles.
        tell_about_order(
            DISSATISFIED,
            order=order,
            now=now,
            cause=f"dissatisfied:{recovery.pk}",
            title=_("Owner dissatisfied with %(number)s: %(words)s")
            % {"number": order.number, "words": visit.opinion or visit.get_level_display()},
            payload={"visit": visit.pk, "level": visit.level},
        )
    elif visit.level in satisfied:
        awaiting.update(state=RecoveryState.TURNED, turned_at=now, turned_visit=visit)
