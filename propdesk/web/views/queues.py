"""Each role's queue: what waits for this person now, nearest deadline first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.calls.selectors import call_cursor, callbacks_open
from propdesk.concierge.selectors import loans_overdue
from propdesk.concierge.selectors_activities import quarter_without_activity
from propdesk.desk import queues
from propdesk.desk.selectors import access_work_order, agitated_visitors
from propdesk.followup.selectors import home_visit_list, recovery_queue
from propdesk.incidents.models import IncidentReport, ReportState
from propdesk.notify.selectors import failed_deliveries
from propdesk.policy.workflow import Role
from propdesk.web.live import live_cursor
from propdesk.web.views._common import Desk, console, now, page_number
from propdesk.web.views.orders import take_action

QUEUE_ROLES = (
    Role.RECEPTIONIST,
    Role.ADMINISTRATOR,
    Role.OFFICE_HEAD,
    Role.TEAM_LEADER,
    Role.TEAM_MEMBER,
)


@console(*QUEUE_ROLES)
def queue(request: HttpRequest, desk: Desk) -> HttpResponse:
    user, cid = desk.user, desk.community.pk
    at = now()
    ctx: dict[str, Any] = {"desk": desk, "nav_active": "queue", "title": _("My queue"), "now": at}
    fragment = bool(request.htmx)  # type: ignore[attr-defined]
    if not fragment:  # read before the rows: a change after this moves the cursor past it
        ctx["live_c"] = live_cursor(user)
    # Most urgent first: what breached or is due now, and the complaints the head must see,
    # before the long lists (the escalations fold after their first rows).
    sections: list[tuple[str, str, list[Any]]] = []
    if Role.ADMINISTRATOR in desk.roles or desk.is_head:
        sections.append(
            (
                "take",
                _("Complaints to take (an administrator within 10 minutes)"),
                queues.complaints_to_take(user, cid),
            )
        )
        if desk.is_head:
            sections.append(
                (
                    "special",
                    _("Written, important and service-attitude complaints"),
                    queues.special_complaints(user, cid),
                )
            )
        sections.append(
            (
                "replies",
                _("Replies due to owners"),
                queues.orders_with_running_clock(
                    user, cid, ["CP-3", "CP-4", "CP-5", "CP-6", "FD-6"]
                ),
            )
        )
        if desk.is_head:
            sections.append(
                (
                    "recoveries",
                    _("Dissatisfied owners awaiting recovery"),
                    list(recovery_queue(desk.community)),
                )
            )
        sections += [
            (
                "followups",
                _("Follow-ups due (within 3 days of completion)"),
                queues.orders_with_running_clock(user, cid, ["CP-2"]),
            ),
            (
                "weekly",
                _("Weekly progress calls"),
                queues.orders_with_running_clock(user, cid, ["CP-7", "FD-5"]),
            ),
        ]
    if Role.RECEPTIONIST in desk.roles and not desk.is_head:
        sections.append(
            (
                "visits",
                _("Same-day return calls"),
                queues.orders_with_running_clock(user, cid, ["RV-6"]),
            )
        )
    ctx["sections"] = sections
    if desk.is_office:
        # CS-1: the cart's loans past their due time (the borrower has had a text).
        ctx["overdue_loans"] = list(loans_overdue(cid, at))
    if Role.RECEPTIONIST in desk.roles or desk.is_head:
        # Missed calls to call back (FD-1-callback), the nearest deadline first; the page then
        # follows the calls too (live.js: r), read before the rows like the cursor above.
        if not fragment:
            ctx["calls_c"] = call_cursor(user)
        ctx["callbacks"] = callbacks_open(user, desk.community)
    if desk.is_head:
        ctx["agitated"] = agitated_visitors(user, cid, since=at - timedelta(hours=24))
        ctx["escalations"] = queues.escalations(user, cid)
        # CS-3: a quarter with no community activity planned yet.
        ctx["no_activity"] = quarter_without_activity(desk.community, at)
        ctx["rectifications"] = queues.open_rectifications(cid)
        ctx["reports"] = list(
            IncidentReport.objects.filter(
                emergency__community_id=cid,
                state__in=[ReportState.DRAFT, ReportState.RETURNED],
            ).select_related("emergency__order")
        )
        ctx["failed"] = list(failed_deliveries(user, cid)[:50])
    if Role.ADMINISTRATOR in desk.roles or desk.is_head:
        ctx["home_visits"] = [
            v
            for v in home_visit_list(desk.community, open_only=True)
            if v.administrator_id == user.pk
        ]
    if desk.is_team_leader:
        # One page of each team's orders to assign (``?page=N``; the live refresh keeps it).
        ctx["queue_page"] = page_number(request.GET)
        ctx["query"] = request.GET
        ctx["team_desks"] = queues.team_desks(user, cid, now=at, page=ctx["queue_page"])
    if Role.TEAM_MEMBER in desk.roles and not desk.is_team_leader:
        ctx["jobs"] = queues.my_jobs(user, cid)
    # The live region (live.js refreshes it when something changed) or the whole page.
    return render(request, "web/queue.html#live" if fragment else "web/queue.html", ctx)


@console(Role.TEAM_LEADER, Role.ADMINISTRATOR, Role.OFFICE_HEAD)
def assign(request: HttpRequest, desk: Desk, order_id: int) -> HttpResponse:
    """A team leader hands an order to a member (assign, or dispatch if the office has not)."""
    if request.method != "POST":
        return redirect("desk-queue", desk.community.pk)
    order = access_work_order(desk.user, order_id)
    errors = take_action(request, desk, order)
    if errors:
        messages.error(request, " ".join(m for v in errors.values() for m in v))
    else:
        messages.success(request, _("%(number)s handed over.") % {"number": order.number})
    return redirect("desk-queue", desk.community.pk)
