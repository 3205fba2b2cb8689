"""Concierge requests (CS-2, 礼宾协助): a request for help at any hour (an elderly owner home,
luggage to the lift, a sick or disabled owner …), logged by the front desk, a concierge or (from
the portal) the resident; given to the concierge on duty at the time it is wanted (the roster:
shifts of the community's concierge teams); accepted (接单) and done (完成) with their times.

Why not a work order of kind ``concierge``: a work order is the 《服务工作单》 the office routes
to a department, with its same-day reply (FD-6), return visits and the team's pool; none of that
fits a few minutes' help at the lift, and the concierge role deliberately sees no work orders. A
request's history is its few times (logged, given, accepted, done, cancelled), kept on the row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.community.access import require_roles, user_roles
from propdesk.community.models import Community, Household, User
from propdesk.community.services import household_hold
from propdesk.concierge.models import (
    ConciergeRequest,
    RequestKind,
    RequestSource,
    RequestState,
)
from propdesk.concierge.selectors import concierges_on_duty
from propdesk.concierge.services._common import DESK_ROLES
from propdesk.core.errors import Conflict, Forbidden, NotFound, policy_message, too_long_for
from propdesk.desk.services.telling import CONCIERGE_REQUEST, CONCIERGE_REQUEST_OPEN, tell_staff
from propdesk.policy.phones import InvalidPhone, parse_phone
from propdesk.policy.workflow import OFFICE_ROLES, Role

# A request wanted this much after it is logged is "for later": its note says when.
LATER = timedelta(minutes=1)


def _tell(request: ConciergeRequest, now: datetime) -> None:
    """The concierge it was given to, or (nobody on duty) every concierge of the community, is
    told by the worker (desk.tell), with the community's concierge page. A request for later
    says when it is wanted (community-local), so a morning's note of a 23:30 request is not read
    as one waiting now."""
    where = request.household.code if request.household is not None else request.location
    words = {"kind": request.get_kind_display(), "where": where}
    if request.wanted_at - now >= LATER:
        zone = ZoneInfo(request.community.time_zone)
        words["when"] = f"{request.wanted_at.astimezone(zone):%m-%d %H:%M}"
        title = _("Concierge request: %(kind)s, %(where)s, at %(when)s") % words
    else:
        title = _("Concierge request: %(kind)s, %(where)s") % words
    tell_staff(
        CONCIERGE_REQUEST if request.assignee_id is not None else CONCIERGE_REQUEST_OPEN,
        community_id=request.community_id,
        now=now,
        cause=f"concierge_request:{request.pk}",
        title=title,
        payload={
            "concierge_request": request.pk,
            "url": reverse("desk-concierge", args=[request.community_id]),
        },
        recipient_ids=None if request.assignee_id is None else [request.assignee_id],
    )


@transaction.atomic
def concierge_request_create(
    *,
    community: Community,
    kind: str,
    location: str,
    note: str = "",
    wanted_at: datetime | None = None,
    household: Household | None = None,
    requester_name: str = "",
    requester_phone: str = "",
    by: User | None,
    source: str | None = None,
    now: datetime,
) -> ConciergeRequest:
    """Log a request (CS-2) and give it to the concierge on duty at ``wanted_at`` (``None``: now),
    who is told by the worker's next tick (the bell, and their phone screen updates). With nobody
    on duty it waits unassigned and every concierge of the community is told; the first to
    accept has it.

    ``by`` is the staff member logging it (front desk, office or concierge: Forbidden otherwise);
    ``None`` only from the resident portal, which passes the resident's ``household``. A
    ValidationError (kind, location, requester_name, requester_phone, note, household; a text
    over its field's length is refused, never cut) changes nothing."""
    if by is not None:
        require_roles(
            by,
            community.pk,
            DESK_ROLES,
            _("Only the front desk, the office and the concierges log concierge requests."),
        )
        if source is None:
            roles = user_roles(by, community.pk)
            source = RequestSource.FRONT_DESK if roles & OFFICE_ROLES else RequestSource.CONCIERGE
    else:
        source = RequestSource.RESIDENT
    errors: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose the kind of help.")]
    location = (location or "").strip()
    if not location:
        errors["location"] = [_("Say where the concierge should go (e.g. the north gate).")]
    requester_name, note = (requester_name or "").strip(), (note or "").strip()
    for field, text in (("location", location), ("requester_name", requester_name), ("note", note)):
        if refused := too_long_for(ConciergeRequest, field, text):
            errors[field] = refused
    if household is not None and household.community_id != community.pk:
        errors["household"] = [_("Choose a household of this community.")]
    if by is None and household is None:
        errors["household"] = [_("Choose a household of this community.")]
    if by is None and household is not None:
        # The portal's asks are bounded (a script would call the concierge again and again):
        # at most PORTAL_OPEN_CONCIERGE_REQUESTS open at once per household.
        cap = int(settings.PORTAL_OPEN_CONCIERGE_REQUESTS)
        household_hold(household)  # counted and written by one request at a time
        open_now = ConciergeRequest.objects.filter(
            household=household,
            source=RequestSource.RESIDENT,
            state__in=(RequestState.NEW, RequestState.ACCEPTED),
        ).count()
        if open_now >= cap:
            errors["note"] = [
                _(
                    "Your household has %(n)d concierge requests not yet done: the concierge will"
                    " come. For anything more, call the front desk."
                )
                % {"n": open_now}
            ]
    phone = ""
    if (requester_phone or "").strip():
        try:
            phone = parse_phone(requester_phone, area_code=community.area_code).number
        except InvalidPhone as exc:
            errors["requester_phone"] = [policy_message(exc)]
    if errors:
        raise ValidationError(errors)
    at = wanted_at or now
    on_duty = concierges_on_duty(community.pk, at)
    assignee = on_duty[0] if on_duty else None
    request = ConciergeRequest.objects.create(
        community=community,
        household=household,
        requester_name=requester_name,
        requester_phone=phone,
        kind=kind,
        location=location,
        note=note,
        wanted_at=at,
        source=source,
        logged_by=by,
        created_at=now,
        assignee_id=assignee,
        assigned_at=now if assignee else None,
    )
    _tell(request, now)
    return request


def _request(community: Community, request_id: int | None) -> ConciergeRequest:
    found = ConciergeRequest.objects.filter(pk=request_id or 0, community=community).first()
    if found is None:
        raise NotFound(_("There is no such concierge request in this community."))
    return found


@transaction.atomic
def concierge_request_accept(
    *, community: Community, request_id: int | None, by: User, now: datetime
) -> ConciergeRequest:
    """A concierge accepts (接单) a request given to them, or one waiting for anyone; Conflict
    when it was accepted, done or cancelled meanwhile, or given to another concierge."""
    require_roles(
        by, community.pk, {Role.CONCIERGE}, _("Only a concierge accepts concierge requests.")
    )
    request = _request(community, request_id)
    if request.assignee_id not in (None, by.pk):
        raise Conflict(_("This request was given to another concierge."))
    taken = ConciergeRequest.objects.filter(
        pk=request.pk, state=RequestState.NEW, assignee_id=request.assignee_id
    ).update(
        state=RequestState.ACCEPTED,
        assignee=by,
        assigned_at=request.assigned_at or now,
        accepted_at=now,
    )
    if not taken:
        raise Conflict(_("This request was already accepted or closed."))
    request.refresh_from_db()
    return request


@transaction.atomic
def concierge_request_done(
    *, community: Community, request_id: int | None, note: str = "", by: User, now: datetime
) -> ConciergeRequest:
    """The concierge who accepted it marks it done (完成) with the time (the office may close
    it for them). Conflict when it is not accepted (not yet, or already done)."""
    request = _request(community, request_id)
    roles = user_roles(by, community.pk)
    if request.assignee_id != by.pk and not roles & OFFICE_ROLES:
        raise Forbidden(_("Only the concierge who accepted it marks it done."))
    note = (note or "").strip()
    if refused := too_long_for(ConciergeRequest, "done_note", note):
        raise ValidationError({"note": refused})
    if not ConciergeRequest.objects.filter(pk=request.pk, state=RequestState.ACCEPTED).update(
        state=RequestState.DONE, done_at=now, done_note=note
    ):
        raise Conflict(_("This request is not accepted, or already done."))
    request.refresh_from_db()
    return request


@transaction.atomic
def concierge_request_cancel(
    *, community: Community, request_id: int | None, reason: str, by: User, now: datetime
) -> ConciergeRequest:
    """The office (or the concierge it was given to) cancels a request not done, with the
    reason (the owner no longer needs help)."""
    request = _request(community, request_id)
    roles = user_roles(by, community.pk)
    if request.assignee_id != by.pk and not roles & OFFICE_ROLES:
        raise Forbidden(_("Only the office or the concierge it was given to cancels it."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": [_("Say why it is cancelled.")]})
    if refused := too_long_for(ConciergeRequest, "cancel_reason", reason):
        raise ValidationError({"cancel_reason": refused})
    if not ConciergeRequest.objects.filter(
        pk=request.pk, state__in=[RequestState.NEW, RequestState.ACCEPTED]
    ).update(state=RequestState.CANCELLED, cancelled_at=now, cancel_reason=reason):
        raise Conflict(_("This request is already done or cancelled."))
    request.refresh_from_db()
    return request
