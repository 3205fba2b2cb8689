"""Community activities (CS-3): each quarter's activity planned from owners' wishes, announced by
a posted notice (followup's notice service), households signed up (at the front desk now, from
the resident portal later), attendance marked on the day, a satisfaction answer per attending
household. Holding one meets the quarter's CS-3 clock (event ``activity_held``); the clock starts
at the quarter's first instant (``quarter_start``), community-local."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_on_event
from propdesk.community.access import require_roles, user_roles
from propdesk.community.models import Community, Household, User
from propdesk.concierge.models import Activity, ActivitySignup, ActivityState
from propdesk.core.errors import Conflict
from propdesk.core.uploads import atomic_storing_files
from propdesk.followup.models import Level, ReturnVisit, SuggestionItem
from propdesk.followup.services import notice_post, notice_write
from propdesk.policy.deadlines import quarter_of
from propdesk.policy.workflow import OFFICE_ROLES, Role

# Planning, announcing, attendance and feedback are the office's (administrators, the head);
# the front desk signs households up too.
ACTIVITY_ROLES = frozenset({Role.ADMINISTRATOR, Role.OFFICE_HEAD})
SIGNUP_ROLES = OFFICE_ROLES
MAX_CAPACITY = 10000


def _require(user: User, community_id: int, allowed: Collection[Role]) -> frozenset[Role]:
    require_roles(user, community_id, allowed, _("Your role in this community may not do this."))
    return user_roles(user, community_id)


def _locked(activity_id: int) -> Activity:
    return Activity.objects.select_for_update().select_related("community").get(pk=activity_id)


def _not_in(state: str, allowed: Collection[str], message: str) -> None:
    if state not in allowed:
        raise Conflict(message, code="wrong_state")


# --- the quarter's clock -------------------------------------------------------------------------


def quarter_start(community: Community, at: datetime) -> datetime:
    """The first instant of ``at``'s calendar quarter in the community's time zone."""
    zone = ZoneInfo(community.time_zone)
    first, _last = quarter_of(at.astimezone(zone).date())
    return datetime(first.year, first.month, 1, tzinfo=zone)


def quarter_quota_ensure(*, community: Community, now: datetime) -> bool:
    """Start this quarter's CS-3 clock if it has not started (the ``quarter_start`` event at the
    quarter's first local instant); the last quarter's clock closes then, breached if no
    activity was held. Returns whether the event was sent. Call inside a transaction."""
    start = quarter_start(community, now)
    exists = Clock.objects.filter(
        community=community,
        order__isnull=True,
        contact__isnull=True,
        rule_id="CS-3",
        started_at__gte=start,
    ).exists()
    if exists:
        return False
    clocks_on_event(community=community, event="quarter_start", at=start)
    return True


# --- planning -----------------------------------------------------------------------------------


def _check_fields(
    community: Community,
    *,
    now: datetime,
    title: str,
    starts_at: datetime | None,
    place: str,
    capacity: int | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("Give the activity a title.")]
    elif len(title.strip()) > 100:
        errors["title"] = [_("Keep the title within 100 characters.")]
    if starts_at is None or starts_at.tzinfo is None:
        errors["starts_at"] = [_("Give the date and time of the activity.")]
    elif starts_at <= now:
        errors["starts_at"] = [_("The activity must be later than now.")]
    if not (place or "").strip():
        errors["place"] = [_("Give the place of the activity.")]
    elif len(place.strip()) > 100:
        errors["place"] = [_("Keep the place within 100 characters.")]
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [
            _("Give the number of places: %(low)d to %(high)d households.")
            % {"low": 1, "high": MAX_CAPACITY}
        ]
    return errors


@transaction.atomic
def activity_plan(
    *,
    community: Community,
    by: User,
    now: datetime,
    title: str,
    starts_at: datetime | None,
    place: str,
    capacity: int | None,
    description: str = "",
    wish_item_ids: Sequence[int] = (),
    wish_visit_ids: Sequence[int] = (),
) -> Activity:
    """Plan an activity (state planned) answering owners' wishes: suggestions tagged 活动 and
    return-visit answers of the community. ``starts_at`` aware and later than ``now``;
    ``capacity`` in households. Administrators and the office head. Raises Forbidden or
    ValidationError; nothing is written then."""
    _require(by, community.pk, ACTIVITY_ROLES)
    errors = _check_fields(
        community, now=now, title=title, starts_at=starts_at, place=place, capacity=capacity
    )
    items = list(
        SuggestionItem.objects.filter(
            community=community, is_activity_wish=True, pk__in=set(wish_item_ids)
        )
    )
    visits = list(
        ReturnVisit.objects.filter(community=community, pk__in=set(wish_visit_ids)).exclude(
            activity_wish=""
        )
    )
    if len(items) != len(set(wish_item_ids)) or len(visits) != len(set(wish_visit_ids)):
        errors["wishes"] = [_("Some wishes are not in the community.")]
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and capacity is not None
    activity = Activity(
        community=community,
        title=title.strip(),
        starts_at=starts_at,
        place=place.strip(),
        capacity=capacity,
        description=(description or "").strip(),
        planned_by=by,
        planned_at=now,
    )
    activity.save(force_insert=True)
    activity.wish_items.set(items)
    activity.wish_visits.set(visits)
    quarter_quota_ensure(community=community, now=now)
    return activity


def notice_text(activity: Activity) -> tuple[str, str]:
    """The notice's title and body for the lobby board, in the active language."""
    local = activity.starts_at.astimezone(ZoneInfo(activity.community.time_zone))
    when = formats.date_format(local, "Y-m-d H:i")
    lines = [
        _("Time: %(when)s") % {"when": when},
        _("Place: %(place)s") % {"place": activity.place},
        _("Places: %(n)d households") % {"n": activity.capacity},
    ]
    if activity.description:
        lines += ["", activity.description]
    lines += ["", _("Sign up at the front desk.")]
    title = _("Community activity: %(title)s") % {"title": activity.title}
    return title[:100], "\n".join(lines)


@atomic_storing_files()  # the notice's photo, stored by notice_post
def activity_announce(
    *, activity_id: int, by: User, now: datetime, photo: UploadedFile[bytes]
) -> Activity:
    """Announce a planned activity: its notice written and posted on the lobby board (followup's
    notice_write and notice_post, with the photo of it there), so residents and the bulletin
    board see it; sign-up opens. Conflict (``wrong_state``) unless planned."""
    activity = _locked(activity_id)
    _require(by, activity.community_id, ACTIVITY_ROLES)
    _not_in(activity.state, {ActivityState.PLANNED}, _("Only a planned activity is announced."))
    if activity.starts_at <= now:
        raise ValidationError({"starts_at": [_("The activity must be later than now.")]})
    title, body = notice_text(activity)
    notice = notice_write(community=activity.community, by=by, now=now, title=title, body=body)
    notice_post(notice_id=notice.pk, by=by, now=now, photo=photo)
    activity.state, activity.announced_at, activity.notice = ActivityState.ANNOUNCED, now, notice
    activity.save(update_fields=["state", "announced_at", "notice"])
    return activity


@transaction.atomic
def activity_cancel(*, activity_id: int, by: User, now: datetime, reason: str) -> Activity:
    """Cancel a planned or announced activity, with the reason (sign-ups stay on record)."""
    activity = _locked(activity_id)
    _require(by, activity.community_id, ACTIVITY_ROLES)
    _not_in(
        activity.state,
        {ActivityState.PLANNED, ActivityState.ANNOUNCED},
        _("Only a planned or announced activity is cancelled."),
    )
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the activity is cancelled.")]})
    activity.state, activity.cancelled_at = ActivityState.CANCELLED, now
    activity.cancel_reason = reason.strip()
    activity.save(update_fields=["state", "cancelled_at", "cancel_reason"])
    return activity


# --- sign-up ------------------------------------------------------------------------------------


def _signup(
    activity_id: int, household: Household, now: datetime, by: User | None
) -> ActivitySignup:
    activity = _locked(activity_id)  # sign-ups of one activity queue here: no over-booking
    if by is not None:
        _require(by, activity.community_id, SIGNUP_ROLES)
    if household.community_id != activity.community_id:
        raise ValidationError({"household": [_("This household is not in the community.")]})
    _not_in(
        activity.state, {ActivityState.ANNOUNCED}, _("Sign-up is open only once it is announced.")
    )
    if activity.starts_at <= now:
        raise Conflict(_("The activity has begun: sign-up is closed."), code="closed")
    if ActivitySignup.objects.filter(activity=activity, household=household).exists():
        raise Conflict(_("This household has already signed up."), code="already_signed_up")
    if ActivitySignup.objects.filter(activity=activity).count() >= activity.capacity:
        raise Conflict(_("The activity is full."), code="full")
    signup = ActivitySignup(
        activity=activity, household=household, signed_up_at=now, signed_up_by=by
    )
    try:
        with transaction.atomic():
            signup.save(force_insert=True)
    except IntegrityError as exc:
        raise Conflict(
            _("This household has already signed up."), code="already_signed_up"
        ) from exc
    return signup


@transaction.atomic
def activity_signup(
    *, activity_id: int, household: Household, by: User, now: datetime
) -> ActivitySignup:
    """Sign a household up at the front desk (receptionists, administrators, the office head).
    The activity's row is locked while places are counted, so two desks (or the portal) never
    take the last place twice. Conflict: ``full``, ``already_signed_up``, ``closed`` (begun),
    ``wrong_state`` (not announced)."""
    return _signup(activity_id, household, now, by)


@transaction.atomic
def activity_signup_resident(
    *, activity_id: int, household: Household, now: datetime
) -> ActivitySignup:
    """The resident portal's door: the signed-in resident signs their own household up. The
    caller has checked that the resident belongs to ``household``; the rest as activity_signup."""
    return _signup(activity_id, household, now, None)


@transaction.atomic
def activity_signup_withdraw(*, signup_id: int, by: User, now: datetime) -> None:
    """Take a household off an announced activity before it begins (its place frees)."""
    signup = ActivitySignup.objects.select_related("activity").get(pk=signup_id)
    activity = _locked(signup.activity_id)
    _require(by, activity.community_id, SIGNUP_ROLES)
    _not_in(activity.state, {ActivityState.ANNOUNCED}, _("Sign-up is closed."))
    if activity.starts_at <= now:
        raise Conflict(_("The activity has begun: sign-up is closed."), code="closed")
    signup.delete()


# --- the day and after --------------------------------------------------------------------------


@transaction.atomic
def activity_attendance(
    *, activity_id: int, by: User, now: datetime, attended_household_ids: Collection[int]
) -> Activity:
    """Mark who came, from the day of the activity on (community-local): the signed-up
    households in ``attended_household_ids`` came, the others did not (a household no longer
    marked as come loses the satisfaction answer taken from it). The first marking holds
    the activity: it meets the quarter's CS-3 clock (``activity_held`` at ``now``) when marked
    within the activity's own quarter; a record made after that quarter ended counts in the
    report but cannot meet a clock already closed."""
    activity = _locked(activity_id)
    roles = _require(by, activity.community_id, ACTIVITY_ROLES)
    _not_in(
        activity.state,
        {ActivityState.ANNOUNCED, ActivityState.HELD},
        _("Attendance is marked on an announced activity."),
    )
    zone = ZoneInfo(activity.community.time_zone)
    day = activity.starts_at.astimezone(zone).date()
    if now.astimezone(zone).date() < day:
        raise Conflict(_("Attendance is marked on the day of the activity."), code="too_early")
    signups = list(ActivitySignup.objects.filter(activity=activity))
    wanted = set(attended_household_ids)
    unknown = wanted - {s.household_id for s in signups}
    if unknown:
        raise ValidationError({"attended": [_("Only households signed up can be marked.")]})
    for s in signups:
        came = s.household_id in wanted
        if s.attended is not came:
            s.attended = came
            fields = ["attended"]
            if not came and (s.level or s.feedback or s.feedback_at):
                # A household marked by mistake and corrected: its answer was no answer of one
                # that came, and the 满意率 (the activity's, the quarter's) counts those only.
                s.level, s.feedback, s.feedback_at = "", "", None
                fields += ["level", "feedback", "feedback_at"]
            s.save(update_fields=fields)
    if activity.state == ActivityState.ANNOUNCED:
        activity.state, activity.held_at = ActivityState.HELD, now
        activity.save(update_fields=["state", "held_at"])
        if quarter_of(day) == quarter_of(now.astimezone(zone).date()):
            quarter_quota_ensure(community=activity.community, now=now)
            clocks_on_event(
                community=activity.community,
                event="activity_held",
                at=now,
                actor=by,
                actor_roles=roles,
                subject=activity.clock_subject,
            )
    return activity


@transaction.atomic
def activity_feedback(
    *, signup_id: int, by: User, now: datetime, level: str, feedback: str = ""
) -> ActivitySignup:
    """A household that came answers how satisfied it is (followup.Level, 很满意 … 不满意) and
    what it said; a later answer replaces the earlier one. Counts towards the activity's
    满意率."""
    signup = ActivitySignup.objects.select_related("activity").get(pk=signup_id)
    activity = _locked(signup.activity_id)
    _require(by, activity.community_id, ACTIVITY_ROLES)
    _not_in(activity.state, {ActivityState.HELD}, _("Feedback is taken once it is held."))
    errors: dict[str, list[str]] = {}
    if level not in Level.values:
        errors["level"] = [_("Choose how satisfied the owner is.")]
    if not signup.attended:
        errors["level"] = [_("Only a household that came gives feedback.")]
    if errors:
        raise ValidationError(errors)
    signup.level, signup.feedback, signup.feedback_at = level, (feedback or "").strip(), now
    signup.save(update_fields=["level", "feedback", "feedback_at"])
    return signup


@transaction.atomic
def activity_close(*, activity_id: int, by: User, now: datetime) -> Activity:
    """Close a held activity once its feedback is in (nothing changes on it after)."""
    activity = _locked(activity_id)
    _require(by, activity.community_id, ACTIVITY_ROLES)
    _not_in(activity.state, {ActivityState.HELD}, _("Only a held activity is closed."))
    activity.state, activity.closed_at = ActivityState.CLOSED, now
    activity.save(update_fields=["state", "closed_at"])
    return activity
