"""Each role's queue: what waits for this person now, nearest deadline first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
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
from propdesk.web.views._common import (
    Desk,
    back_to,
    console,
    forbidden,
    not_found,
    now,
    page_number,
)
from propdesk.web.views.orders import saved_message, take_action

QUEUE_ROLES = (
    Role.RECEPTIONIST,
    Role.ADMINISTRATOR,
    Role.OFFICE_HEAD,
    Role.TEAM_LEADER,
    Role.TEAM_MEMBER,
)


@dataclass(frozen=True)
class Section:
    """A section of 我的待办: its key (``queue/<key>/``, ``#queue-<key>``), its heading, how its
    rows are drawn (``orders``, ``take`` with the 受理 button, ``recoveries``, ``escalations``)
    and one page of them."""

    key: str
    label: str
    rows: str
    read: Callable[[int, int], queues.Page[Any]]  # (page, limit) → that page
    rules: tuple[str, ...] = ()  # a section of the orders with a live clock of these rules


def _sections(desk: Desk) -> list[Section]:
    """The sections of the user's queue, most urgent first: what breached or is due now, and
    the complaints the head must see, before the long lists. Each reads one page when asked."""
    user, cid = desk.user, desk.community.pk

    def running(key: str, label: str, *rules: str) -> Section:
        def read(page: int, limit: int) -> queues.Page[Any]:
            return queues.running_clock_orders(user, cid, list(rules), page=page, limit=limit)

        return Section(key, label, "orders", read, rules)

    out: list[Section] = []
    if Role.ADMINISTRATOR in desk.roles or desk.is_head:
        out.append(
            Section(
                "take",
                _("Complaints to take (an administrator within 10 minutes)"),
                "take",
                lambda page, limit: queues.complaints_to_take(user, cid, page=page, limit=limit),
            )
        )
        out.append(
            Section(
                "suggestions",
                _("Suggestions to take"),
                "take",
                lambda page, limit: queues.suggestions_to_take(user, cid, page=page, limit=limit),
            )
        )
        if desk.is_head:
            out.append(
                Section(
                    "special",
                    _("Written, important and service-attitude complaints"),
                    "orders",
                    lambda page, limit: queues.special_complaints(
                        user, cid, page=page, limit=limit
                    ),
                )
            )
        out.append(
            running("replies", _("Replies due to owners"), "CP-3", "CP-4", "CP-5", "CP-6", "FD-6")
        )
        if desk.is_head:
            out.append(
                Section(
                    "recoveries",
                    _("Dissatisfied owners awaiting recovery"),
                    "recoveries",
                    lambda page, limit: queues.page_of(
                        recovery_queue(desk.community), page=page, limit=limit
                    ),
                )
            )
        out += [
            running("followups", _("Follow-ups due (within 3 days of completion)"), "CP-2"),
            running("weekly", _("Weekly progress calls"), "CP-7", "FD-5"),
        ]
    if Role.RECEPTIONIST in desk.roles and not desk.is_head:
        out.append(running("visits", _("Same-day return calls"), "RV-6"))
    if desk.is_head:
        out.append(
            Section(
                "escalations",
                _("Escalations: breached clocks"),
                "escalations",
                lambda page, limit: queues.escalations(user, cid, page=page, limit=limit),
            )
        )
    return out


@console(*QUEUE_ROLES)
def queue(request: HttpRequest, desk: Desk) -> HttpResponse:
    user, cid = desk.user, desk.community.pk
    at = now()
    ctx: dict[str, Any] = {"desk": desk, "nav_active": "queue", "title": _("My queue"), "now": at}
    fragment = bool(request.htmx)  # type: ignore[attr-defined]
    if not fragment:  # read before the rows: a change after this moves the cursor past it
        ctx["live_c"] = live_cursor(user)
    # Each section's first rows, its count of all and a link to all of it (its own page).
    # The sections read from the live clocks share one read of them.
    sections = [s for s in _sections(desk) if s.key != "escalations"]
    first: dict[str, queues.Page[Any]] = queues.running_clock_pages(
        user, cid, {s.key: list(s.rules) for s in sections if s.rules}, limit=queues.SECTION_ROWS
    )
    # The complaints to take and the head's special ones likewise share one read of their rows.
    keys = {s.key for s in sections}
    if "take" in keys:
        take, special = queues.complaint_pages(
            user, cid, special="special" in keys, limit=queues.SECTION_ROWS
        )
        first["take"] = take
        if special is not None:
            first["special"] = special
    ctx["sections"] = [
        (s, first[s.key] if s.key in first else s.read(1, queues.SECTION_ROWS)) for s in sections
    ]
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
        ctx["escalations"] = queues.escalations(user, cid, limit=queues.SECTION_ROWS)
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
        # Each team's first orders to assign; all of them, a page at a time, on queue/assign/.
        ctx["team_desks"] = queues.team_desks(user, cid, now=at, limit=queues.SECTION_ROWS)
    if Role.TEAM_MEMBER in desk.roles and not desk.is_team_leader:
        ctx["jobs"] = queues.my_jobs(user, cid, limit=queues.SECTION_ROWS)
    # The live region (live.js refreshes it when something changed) or the whole page.
    return render(request, "web/queue.html#live" if fragment else "web/queue.html", ctx)


@console(*QUEUE_ROLES)
def queue_section(request: HttpRequest, desk: Desk, section: str) -> HttpResponse:
    """All of one section of the user's queue (查看全部), a page of 100 at a time (``?page=N``,
    kept by the live refresh). A section that is not in this user's queue is refused like a
    page not for their role; a key that names no section is not found."""
    user, cid = desk.user, desk.community.pk
    at = now()
    fragment = bool(request.htmx)  # type: ignore[attr-defined]
    ctx: dict[str, Any] = {"desk": desk, "nav_active": "queue", "now": at, "query": request.GET}
    if not fragment:  # read before the rows: a change after this moves the cursor past it
        ctx["live_c"] = live_cursor(user)
    page = page_number(request.GET)
    if section == "assign":
        if not desk.is_team_leader:
            return forbidden(request)
        ctx["team_desks"] = queues.team_desks(user, cid, now=at, page=page)
        ctx["title"] = _("Orders to assign")
        ctx["queue_page"] = ctx["team_desks"][0].page if ctx["team_desks"] else 1
    else:
        mine = {s.key: s for s in _sections(desk)}
        if section not in mine:
            return forbidden(request) if section in SECTION_KEYS else not_found(request)
        chosen = mine[section]
        ctx["section"] = chosen
        ctx["rows"] = chosen.read(page, queues.PAGE_SIZE)
        ctx["title"] = chosen.label
        ctx["queue_page"] = ctx["rows"].page
    return render(
        request, "web/queue_section.html#live" if fragment else "web/queue_section.html", ctx
    )


# Every section any role's queue has (a key not here is a page that does not exist).
SECTION_KEYS = frozenset(
    {
        "take",
        "special",
        "replies",
        "recoveries",
        "followups",
        "weekly",
        "visits",
        "escalations",
        "assign",
    }
)


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
        messages.success(request, saved_message(request, order.pk, "action"))  # 已派单给 …
    # Back to the page the form was on: 我的待办, or the page of all orders to assign.
    return back_to(request, reverse("desk-queue", args=[desk.community.pk]))
