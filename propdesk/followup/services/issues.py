"""Common issues answered by a posted notice within a week (RV-7), and administrators' home
visits for a prominent issue of a few households (RV-8)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.clocks.services import clocks_on_event
from propdesk.community.models import Building, Community, Household, User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import Conflict, too_long_for
from propdesk.core.uploads import PHOTO_TYPES, atomic_storing_files, stored_file_save, upload_check
from propdesk.desk.models import WorkOrder
from propdesk.followup.models import (
    CommonIssue,
    HomeVisit,
    HomeVisitState,
    IssueState,
    Notice,
    NoticePhoto,
    SuggestionItem,
)
from propdesk.followup.services._common import ISSUE_ROLES, policy_of, require_role
from propdesk.policy.deadlines import GIVEN_DEADLINE_HORIZON
from propdesk.policy.workflow import Role


def _members(
    community: Community, item_ids: Sequence[int], order_ids: Sequence[int]
) -> tuple[list[SuggestionItem], list[WorkOrder], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    items = list(SuggestionItem.objects.filter(community=community, pk__in=set(item_ids)))
    if len(items) != len(set(item_ids)):
        errors["items"] = [_("Some items are not in the community.")]
    orders = list(WorkOrder.objects.filter(community=community, pk__in=set(order_ids)))
    if len(orders) != len(set(order_ids)):
        errors["orders"] = [_("Some work orders are not in the community.")]
    return items, orders, errors


@transaction.atomic
def common_issue_open(
    *,
    community: Community,
    by: User,
    now: datetime,
    title: str,
    building: Building | None = None,
    area: str = "",
    item_ids: Sequence[int] = (),
    order_ids: Sequence[int] = (),
) -> CommonIssue:
    """Group items and orders into a common issue and start its RV-7 clock (a notice posted
    within 7 days; event ``common_issue_opened``, subject ``common_issue:<id>``). Administrators
    and the office head only. Items already in another open issue move to this one. A title or
    area over its length is refused (ValidationError), never cut."""
    roles = require_role(by, community.pk, ISSUE_ROLES)
    errors: dict[str, list[str]] = {}
    title, area = (title or "").strip(), (area or "").strip()
    if not title:
        errors["title"] = [_("Give the issue a title.")]
    elif refused := too_long_for(CommonIssue, "title", title):
        errors["title"] = refused
    if refused := too_long_for(CommonIssue, "area", area):
        errors["area"] = refused
    if building is not None and building.community_id != community.pk:
        errors["building"] = [_("This building is not in the community.")]
    items, orders, member_errors = _members(community, item_ids, order_ids)
    errors.update(member_errors)
    if not items and not orders and "items" not in errors and "orders" not in errors:
        errors["items"] = [_("Choose the items or work orders the issue groups.")]
    if errors:
        raise ValidationError(errors)
    issue = CommonIssue(
        community=community,
        title=title,
        building=building,
        area=area,
        opened_by=by,
        opened_at=now,
    )
    issue.save(force_insert=True)
    issue.orders.set(orders)
    SuggestionItem.objects.filter(pk__in=[i.pk for i in items]).update(common_issue=issue)
    clocks_on_event(
        community=community,
        event="common_issue_opened",
        at=now,
        actor=by,
        actor_roles=roles,
        subject=issue.clock_subject,
    )
    rule = policy_of(community).clocks.get("RV-7")
    if rule is not None and rule.duration.value:
        issue.notice_due_at = now + timedelta(days=rule.duration.value)
        issue.save(update_fields=["notice_due_at"])
    return issue


@transaction.atomic
def common_issue_drop(*, issue_id: int, by: User, now: datetime, reason: str) -> CommonIssue:
    """Drop an open issue (not common after all): its RV-7 clock is cancelled."""
    issue = CommonIssue.objects.select_for_update().select_related("community").get(pk=issue_id)
    roles = require_role(by, issue.community_id, ISSUE_ROLES)
    if issue.state != IssueState.OPEN:
        raise Conflict(_("Only an open issue can be dropped."), code="not_open")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Write why the issue is dropped.")]})
    issue.state, issue.dropped_at, issue.drop_reason = IssueState.DROPPED, now, reason.strip()
    issue.save(update_fields=["state", "dropped_at", "drop_reason"])
    clocks_on_event(
        community=issue.community,
        event="common_issue_dropped",
        at=now,
        actor=by,
        actor_roles=roles,
        subject=issue.clock_subject,
    )
    return issue


@transaction.atomic
def notice_write(
    *,
    community: Community,
    by: User,
    now: datetime,
    title: str,
    body: str,
    common_issue: CommonIssue | None = None,
    building: Building | None = None,
) -> Notice:
    """Write a notice for the bulletin board, answering ``common_issue`` (or standing alone);
    for one ``building``'s households (None: the whole community's; both read it in the
    resident portal once posted). A title over its length is refused, never cut."""
    require_role(by, community.pk, ISSUE_ROLES)
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the notice a title.")]
    elif refused := too_long_for(Notice, "title", title):
        errors["title"] = refused
    if not (body or "").strip():
        errors["body"] = [_("Write the notice.")]
    if common_issue is not None:
        if common_issue.community_id != community.pk:
            errors["common_issue"] = [_("This issue is not in the community.")]
        elif common_issue.state == IssueState.DROPPED:
            errors["common_issue"] = [_("This issue was dropped.")]
    if building is not None and building.community_id != community.pk:
        errors["building"] = [_("This building is not in the community.")]
    if errors:
        raise ValidationError(errors)
    notice = Notice(
        community=community,
        common_issue=common_issue,
        building=building,
        title=title,
        body=body.strip(),
        written_by=by,
        written_at=now,
    )
    notice.save(force_insert=True)
    return notice


@atomic_storing_files()
def notice_post(*, notice_id: int, by: User, now: datetime, photo: UploadedFile[bytes]) -> Notice:
    """Mark a notice posted on the lobby board, with a photo of it there (JPEG, PNG, WebP,
    read from the content and re-encoded). Meets its issue's RV-7 clock (``notice_posted``) and
    shows the notice on the resident portal. Conflict (``already_posted``) if it was posted."""
    notice = Notice.objects.select_for_update().select_related("community").get(pk=notice_id)
    roles = require_role(by, notice.community_id, ISSUE_ROLES)
    if notice.posted_at is not None:
        raise Conflict(_("This notice is already posted."), code="already_posted")
    checked, problems = upload_check(photo, PHOTO_TYPES, default_name="photo")
    if problems or checked is None:
        raise ValidationError({"photo": problems})
    stored = NoticePhoto(
        notice=notice,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
        uploaded_at=now,
    )
    stored_file_save(stored.file, checked)  # deleted again if this rolls back
    stored.save(force_insert=True)
    notice.posted_at, notice.posted_by = now, by
    notice.save(update_fields=["posted_at", "posted_by"])
    issue = notice.common_issue
    if issue is not None and issue.state == IssueState.OPEN:
        issue.state, issue.notice_posted_at = IssueState.NOTICE_POSTED, now
        issue.save(update_fields=["state", "notice_posted_at"])
        clocks_on_event(
            community=notice.community,
            event="notice_posted",
            at=now,
            actor=by,
            actor_roles=roles,
            subject=issue.clock_subject,
        )
    return notice


@transaction.atomic
def home_visit_assign(
    *,
    community: Community,
    by: User,
    now: datetime,
    administrator: User,
    households: Sequence[Household],
    due_at: datetime,
    reason: str,
    common_issue: CommonIssue | None = None,
) -> HomeVisit:
    """Send an administrator to a few households' homes by ``due_at`` (RV-8): starts the RV-8
    clock (``home_visit_assigned`` with ``due_at``; its escalations reach the administrator).
    The office head or an administrator assigns."""
    roles = require_role(by, community.pk, ISSUE_ROLES)
    errors: dict[str, list[str]] = {}
    if Role.ADMINISTRATOR not in user_roles(administrator, community.pk):
        errors["administrator"] = [_("Choose an administrator of the community.")]
    if not households:
        errors["households"] = [_("Choose the households to visit.")]
    elif any(h.community_id != community.pk for h in households):
        errors["households"] = [_("This household is not in the community.")]
    if due_at <= now:
        errors["due_at"] = [_("The due date must be later than now.")]
    elif due_at > now + GIVEN_DEADLINE_HORIZON:  # 2062 typed for 2026: a clock never to breach
        errors["due_at"] = [_("The due date is more than a year away: check the date.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Describe the issue.")]
    if common_issue is not None and common_issue.community_id != community.pk:
        errors["common_issue"] = [_("This issue is not in the community.")]
    if errors:
        raise ValidationError(errors)
    visit = HomeVisit(
        community=community,
        administrator=administrator,
        common_issue=common_issue,
        reason=reason.strip(),
        due_at=due_at,
        assigned_by=by,
        assigned_at=now,
    )
    visit.save(force_insert=True)
    visit.households.set(households)
    clocks_on_event(
        community=community,
        event="home_visit_assigned",
        at=now,
        actor=by,
        actor_roles=roles,
        subject=visit.clock_subject,
        data={"due_at": due_at},
    )
    return visit


def _open_home_visit(visit_id: int) -> HomeVisit:
    visit = HomeVisit.objects.select_for_update().select_related("community").get(pk=visit_id)
    if visit.state != HomeVisitState.ASSIGNED:
        raise Conflict(_("This home visit is already done or dropped."), code="not_assigned")
    return visit


@transaction.atomic
def home_visit_done(*, visit_id: int, by: User, now: datetime, notes: str) -> HomeVisit:
    """The administrator (or the office head) records the visit done: meets RV-8."""
    visit = _open_home_visit(visit_id)
    roles = require_role(by, visit.community_id, ISSUE_ROLES)
    if by.pk != visit.administrator_id and Role.OFFICE_HEAD not in roles:
        raise ValidationError(
            {"administrator": [_("Only the assigned administrator or the office head.")]}
        )
    if not (notes or "").strip():
        raise ValidationError({"notes": [_("Write what was found and agreed.")]})
    visit.state, visit.done_at, visit.notes = HomeVisitState.DONE, now, notes.strip()
    visit.save(update_fields=["state", "done_at", "notes"])
    clocks_on_event(
        community=visit.community,
        event="home_visit_done",
        at=now,
        actor=by,
        actor_roles=roles,
        subject=visit.clock_subject,
    )
    return visit


@transaction.atomic
def home_visit_drop(*, visit_id: int, by: User, now: datetime, reason: str) -> HomeVisit:
    """Drop an assigned home visit (no longer needed): cancels its RV-8 clock."""
    visit = _open_home_visit(visit_id)
    roles = require_role(by, visit.community_id, ISSUE_ROLES)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Write why the visit is dropped.")]})
    visit.state, visit.notes = HomeVisitState.DROPPED, reason.strip()
    visit.save(update_fields=["state", "notes"])
    clocks_on_event(
        community=visit.community,
        event="home_visit_dropped",
        at=now,
        actor=by,
        actor_roles=roles,
        subject=visit.clock_subject,
    )
    return visit
