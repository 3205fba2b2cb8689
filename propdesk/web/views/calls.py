"""来电 (FD-1): the day's calls with the three-ring figures per day and per receptionist, the
call log import, and the ringing banner of the intake screen."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.calls import selectors
from propdesk.calls.csvlog import COLUMNS, MAX_BYTES, call_log_import
from propdesk.community.lookup import LookupField, household_lookup
from propdesk.core.errors import ServiceError
from propdesk.desk.search import reported_from
from propdesk.desk.selectors import OrderFilters, work_order_list
from propdesk.policy.workflow import OFFICE_ROLES
from propdesk.web.views._common import Desk, console, now


def _day(request: HttpRequest, desk: Desk) -> date:
    today: date = now().astimezone(ZoneInfo(desk.community.time_zone)).date()
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return today


@console(*OFFICE_ROLES)
def calls_page(request: HttpRequest, desk: Desk) -> HttpResponse:
    community = desk.community
    import_errors: list[tuple[int | None, str]] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            import_errors = [(None, _("Choose the call log file (.csv)."))]
        else:
            try:
                report = call_log_import(
                    community=community,
                    by=desk.user,
                    now=now(),
                    data=upload.read(MAX_BYTES + 1),
                    filename=upload.name or "",
                )
            except ServiceError as exc:
                import_errors = [(None, exc.message)]
            else:
                if report.ok:
                    messages.success(
                        request,
                        _("Imported %(n)d calls (%(skipped)d already imported).")
                        % {"n": report.imported, "skipped": report.skipped},
                    )
                    return redirect("desk-calls", community.pk)
                import_errors = [(e.row, e.message) for e in report.errors]
    day = _day(request, desk)
    start, end = selectors.day_bounds(community, day)
    week_start = selectors.day_bounds(community, day - timedelta(days=6))[0]
    policy = selectors.calls_policy(community)
    ctx = {
        "desk": desk,
        "nav_active": "calls",
        "title": _("Calls"),
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "policy": policy,
        "today": selectors.answer_figures(community, start, end),
        "by_staff": selectors.answer_by_staff(community, start, end),
        "by_day": selectors.answer_by_day(community, week_start, end),
        "calls": selectors.calls_of_day(desk.user, community, day),
        "callbacks": selectors.callbacks_open(desk.user, community),
        "limit_ms": policy.answer_within_seconds * 1000,
        "import_errors": import_errors,
        "columns": "、".join(names[0] for names in COLUMNS.values()),
        "now": now(),
    }
    return render(request, "web/calls.html", ctx, status=400 if import_errors else 200)


@console(*OFFICE_ROLES)
def calls_ringing(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The ringing banner of the intake screen: each call ringing now with the household(s) of
    its number and their open orders, and a button that opens the intake form for it."""
    rows = []
    for call in selectors.calls_ringing(desk.user, desk.community, now=now()):
        found = (
            household_lookup(
                desk.user, call.phone, field=LookupField.PHONE, community=desk.community, limit=3
            ).households
            if call.phone
            else []
        )
        households = []
        for h in found:
            orders = list(
                work_order_list(
                    desk.user,
                    OrderFilters(community_id=desk.community.pk, household_id=h.pk, open_only=True),
                )[:5]
            )
            households.append((h, orders))
        # A number in no household that rang before (a tenant, a neighbour): what it reported.
        called = (
            reported_from(desk.user, desk.community, call.phone, limit=5)
            if call.phone and not households
            else None
        )
        rows.append((call, households, called if called and called.caller_phone else None))
    return render(request, "web/partials/ringing.html", {"desk": desk, "ringing": rows})
