"""CP-5, the service-attitude complaint: the named staff member's account, reported to the
office head, and the head's rectification with a deadline (a clock) and a penalty."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import Conflict, Forbidden
from propdesk.desk.models import ComplaintType, OrderKind, Rectification, WorkOrder
from propdesk.desk.services._common import _require_office_role, order_event_write
from propdesk.desk.services.telling import ATTITUDE_ACCOUNT, tell_about_order
from propdesk.policy.deadlines import GIVEN_DEADLINE_HORIZON
from propdesk.policy.workflow import FINAL_STATES, Role, State


def _attitude_order(order_id: int, *, version: int | None = None) -> WorkOrder:
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=order_id)
    )
    if order.kind != OrderKind.COMPLAINT or order.complaint_type != ComplaintType.ATTITUDE:
        raise Conflict(
            _("Only a service-attitude complaint names a staff member."), code="not_attitude"
        )
    if version is not None and order.version != version:
        raise Conflict(
            _("Someone else changed this work order. Reload it and try again."), code="stale"
        )
    return order


@transaction.atomic
def attitude_account_record(
    *, order_id: int, by: User, now: datetime, version: int, staff_member: User, account: str
) -> WorkOrder:
    """CP-5: record which staff member the owner complained about and that person's account
    of what happened; every office head is told (by the worker, ``attitude_account``). Office
    roles only."""
    order = _attitude_order(order_id, version=version)
    _require_office_role(by, order.community)
    if State(order.state) in FINAL_STATES:
        raise Conflict(_("This work order is closed."), code="not_allowed_in_state")
    errors: dict[str, list[str]] = {}
    if not user_roles(staff_member, order.community_id) - {Role.LEADERSHIP}:
        errors["staff_member"] = [_("This person is not on the staff of the community.")]
    account = (account or "").strip()
    if not account:
        errors["account"] = [_("Write down the staff member's account of what happened.")]
    if errors:
        raise ValidationError(errors)
    order.staff_member, order.staff_account = staff_member, account
    order.version += 1
    order.updated_at = now
    order.save(update_fields=["staff_member", "staff_account", "version", "updated_at"])
    order_event_write(
        order,
        by=by,
        now=now,
        action="staff_account",
        note=account,
        data={"staff_member": staff_member.pk},
    )
    tell_about_order(
        ATTITUDE_ACCOUNT,
        order=order,
        now=now,
        cause=f"attitude:{order.pk}:{order.version}",
        title=_("Service-attitude complaint %(number)s about %(name)s: the account is in")
        % {"number": order.number, "name": staff_member.name or staff_member.username},
    )
    return order


@transaction.atomic
def rectification_set(
    *,
    order_id: int,
    by: User,
    now: datetime,
    measures: str,
    penalty: str,
    deadline: datetime | None,
) -> Rectification:
    """CP-5: the office head sets the named staff member's rectification: measures, a penalty
    and a deadline (aware; it starts the CP-5-rectification clock). It goes on the staff
    member's record."""
    order = _attitude_order(order_id)
    if Role.OFFICE_HEAD not in user_roles(by, order.community_id):
        raise Forbidden(_("Only the office head sets a rectification."))
    errors: dict[str, list[str]] = {}
    if order.staff_member_id is None:
        errors["staff_member"] = [_("First record which staff member the complaint is about.")]
    measures, penalty = (measures or "").strip(), (penalty or "").strip()
    if not measures:
        errors["measures"] = [_("Write down what the staff member must change.")]
    if not penalty:
        errors["penalty"] = [_("Write down the penalty (or 'none' and why).")]
    elif len(penalty) > 200:
        errors["penalty"] = [_("Keep the penalty under 200 characters.")]
    if order.rectifications.filter(done_at__isnull=True).exists():
        raise Conflict(
            _("A rectification of this complaint is still open: confirm it first."),
            code="rectification_open",
        )
    if deadline is None:
        errors["deadline"] = [_("Give the deadline of the rectification.")]
    elif deadline <= now:
        errors["deadline"] = [_("The deadline must be in the future.")]
    elif deadline > now + GIVEN_DEADLINE_HORIZON:
        errors["deadline"] = [_("The deadline is more than a year away: check the date.")]
    if errors:
        raise ValidationError(errors)
    assert deadline is not None and order.staff_member is not None
    rectification = Rectification.objects.create(
        order=order,
        community_id=order.community_id,
        staff_member=order.staff_member,
        measures=measures,
        penalty=penalty,
        deadline=deadline,
        set_by=by,
        set_at=now,
    )
    order_event_write(
        order,
        by=by,
        now=now,
        action="rectification_set",
        note=measures,
        data={
            "rectification": rectification.pk,
            "staff_member": rectification.staff_member_id,
            "penalty": penalty,
            "deadline": deadline.isoformat(),
        },
    )
    clocks_on_event(
        community=order.community,
        event="rectification_set",
        at=now,
        actor=by,
        actor_roles=user_roles(by, order.community_id),
        order=order,
        subject=str(rectification.staff_member_id),
        data={"deadline": deadline},
    )
    return rectification


@transaction.atomic
def rectification_done(
    *, rectification_id: int, by: User, now: datetime, note: str
) -> Rectification:
    """CP-5: the office head records that the rectification was carried out (meets its clock)."""
    rectification = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("order__community")
        .get(pk=rectification_id)
    )
    order = rectification.order
    if Role.OFFICE_HEAD not in user_roles(by, order.community_id):
        raise Forbidden(_("Only the office head confirms a rectification."))
    if rectification.done_at is not None:
        raise Conflict(_("This rectification was already confirmed."), code="already_done")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Write down what the staff member did.")]})
    rectification.done_at, rectification.done_note = now, note
    rectification.save(update_fields=["done_at", "done_note"])
    order_event_write(
        order,
        by=by,
        now=now,
        action="rectification_done",
        note=note,
        data={"rectification": rectification.pk},
    )
    clocks_on_event(
        community=order.community,
        event="rectification_done",
        at=now,
        actor=by,
        actor_roles=user_roles(by, order.community_id),
        order=order,
        subject=str(rectification.staff_member_id),
    )
    return rectification
