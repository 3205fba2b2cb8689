"""The team's phone view (works on a 360 px wide screen): my jobs, accept, check in on site,
photos, the catalogue item's steps, complete with notes, materials and fee."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from propdesk.core.errors import NotFound, ServiceError
from propdesk.desk.models import ReplyChannel
from propdesk.desk.queues import assignee_candidates, my_jobs, team_pool
from propdesk.desk.selectors import order_reporter_to_call
from propdesk.desk.services import work_order_attach
from propdesk.desk.waiting import waiting_titles
from propdesk.policy.workflow import TEAM_ROLES, Role
from propdesk.web.actions import action_bar
from propdesk.web.live import live_cursor
from propdesk.web.views._common import (
    Desk,
    console,
    errors_of,
    forbidden,
    not_found,
    now,
    page_number,
)
from propdesk.web.views.orders import (
    appoint_post,
    may_appoint,
    order_desk,
    post_once,
    take_action,
)

# What a worker on site may do from the phone, in the order they do it.
# 业主不在家 or 待料 is set on the spot (issue 16); the wait ends by hand or with the next step.
# The team leader, on the phone, marks a repair 急修 (or takes the mark back) from here too.
PHONE_ACTIONS = (
    "claim",
    "accept",
    "check_in",
    "resolve",
    "wait",
    "end_wait",
    "transfer",
    "return",
    "mark_urgent",
    "unmark_urgent",
)


@console(*TEAM_ROLES, Role.ADMINISTRATOR, Role.OFFICE_HEAD)
def jobs(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The whole page, or its live region when live.js refreshes it (an htmx request): my jobs
    a page of 100 at a time (``?page=N``, kept by the live refresh) with how many in all, and
    the first 100 waiting in the team's pool (the most urgent first) with how many in all."""
    fragment = bool(request.htmx)  # type: ignore[attr-defined]
    # The cursor is read before the rows: a change after this moves it past the page's.
    live_c = None if fragment else live_cursor(desk.user)
    mine = my_jobs(desk.user, desk.community.pk, page=page_number(request.GET))
    return render(
        request,
        "web/jobs.html#live" if fragment else "web/jobs.html",
        {
            "desk": desk,
            "nav_active": "jobs",
            "title": _("My jobs"),
            "jobs": mine,
            "pool": team_pool(desk.user, desk.community.pk),
            "query": request.GET,
            "now": now(),
            "live_c": live_c,
        },
    )


@login_required
def job(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        desk, order = order_desk(request, order_id)
    except NotFound:
        return not_found(request)
    if not (desk.roles & (TEAM_ROLES | {Role.ADMINISTRATOR, Role.OFFICE_HEAD})):
        return forbidden(request)
    errors: dict[str, list[str]] | None = None
    if request.method == "POST":
        form = request.POST.get("form")
        kind = form if form in ("photo", "appoint") else "action"

        def post() -> dict[str, list[str]] | None:
            if kind == "photo":
                return _photo(request, desk, order.pk)
            if kind == "appoint":
                return appoint_post(request, desk, order)
            return take_action(request, desk, order)

        def where() -> str:
            if request.POST.get("action") in ("resolve", "transfer", "return"):
                return reverse("desk-jobs", args=[order.community_id])
            return reverse("desk-job", args=[order.pk])

        # The photo sent twice (a double tap, a resend on a bad network) is added once.
        went, errors = post_once(request, order.pk, kind, post=post, where=where)
        if went is not None:
            return HttpResponseRedirect(went)
        desk, order = order_desk(request, order_id)
    bar = {item.name: item for item in action_bar(desk.user, order)}
    titles = waiting_titles(order.community.policy)
    return render(
        request,
        "web/job.html",
        {
            "desk": desk,
            "title": order.number,
            "order": order,
            "reporter": order_reporter_to_call(desk.user, order),
            "actions": [bar[a] for a in PHONE_ACTIONS if a in bar],
            "candidates": assignee_candidates(order) if "transfer" in bar else [],
            "reply_channels": ReplyChannel.choices,
            "waiting_kinds": list(titles.items()),
            "waiting_title": titles.get(order.waiting, order.waiting),
            "steps": (order.service_item.steps if order.service_item else []) or [],
            "errors": {k: v for k, v in (errors or {}).items() if k != "__all__"},
            "general_errors": (errors or {}).get("__all__"),
            "posted": request.POST if errors else {},
            "failed_action": request.POST.get("action", "") if errors else "",
            "failed": request.POST.get("form", "action") if errors else "",
            "may_appoint": may_appoint(desk, order),
            "now": now(),
        },
        status=400 if errors else 200,
    )


def _photo(request: HttpRequest, desk: Desk, order_id: int) -> dict[str, list[str]] | None:
    upload = request.FILES.get("file")
    if upload is None:
        return {"file": [_("Take or choose a photo first.")]}
    try:
        work_order_attach(order_id=order_id, by=desk.user, now=now(), upload=upload, kind="photo")
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None
