"""Closing the loop with owners in the console (RV-1 … RV-8, CP-2): the day's call list and one
screen per call, the month's satisfaction visits, the suggestions register, common issues with
their notices, and home visits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from propdesk.community.access import staff_with_roles
from propdesk.community.models import Building, Household
from propdesk.community.selectors import staff_in_community
from propdesk.core.errors import ServiceError
from propdesk.core.once import ONCE_FIELD, Answer, submit_once
from propdesk.desk.models import EventAction, ReplyChannel, WorkOrder
from propdesk.desk.queues import orders_with_running_clock
from propdesk.desk.selectors import WorkDone, access_work_order, work_done
from propdesk.followup import selectors as fs
from propdesk.followup.models import (
    STAFF_VISIT_CHANNELS,
    CommonIssue,
    HomeVisit,
    ItemKind,
    Level,
    Notice,
    SuggestionItem,
    VisitChannel,
    VisitKind,
    VisitOutcome,
)
from propdesk.followup.services import (
    ItemDraft,
    VisitDraft,
    common_issue_open,
    home_visit_assign,
    home_visit_done,
    notice_post,
    notice_write,
    owner_phone,
    return_visit_record,
    suggestion_reply,
    suggestion_tag_activity,
    visit_is_the_heads,
    visit_kind_for,
)
from propdesk.policy.workflow import OFFICE_ROLES, Role
from propdesk.web.forms import LocalDateTimeField
from propdesk.web.views._common import (
    Desk,
    answered,
    console,
    errors_of,
    now,
    once_owner,
    posted_id,
)

ITEM_ROWS = 3  # opinion / criticism / suggestion lines on one call screen


def _month(at: Any, desk: Desk) -> tuple[int, int]:
    from zoneinfo import ZoneInfo

    local = at.astimezone(ZoneInfo(desk.community.time_zone))
    return local.year, local.month


def _try(call: Any) -> dict[str, list[str]] | None:
    try:
        call()
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None


def _failure(request: HttpRequest, form: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "failed": form,
        "failed_id": request.POST.get("id", ""),
        "general_errors": errors.get("__all__"),
        "errors": {k: v for k, v in errors.items() if k != "__all__"},
        # Apart: in a template, errors.items would be the dict's method whenever the key is absent
        # (the optional 意见/批评/建议 rows turned red when another field failed).
        "item_errors": errors.get("items"),
        "posted": request.POST,
    }


@console(*OFFICE_ROLES)
def visits(request: HttpRequest, desk: Desk) -> HttpResponse:
    """RV-6 today's calls, CP-2 complaints awaiting their return visit, RV-1 the month's pace and
    the proposed households, the month's recent visits."""
    at = now()
    year, month = _month(at, desk)
    community = desk.community
    return render(
        request,
        "web/visits.html",
        {
            "desk": desk,
            "nav_active": "visits",
            "title": _("Return visits"),
            "now": at,
            "calls": fs.call_list_today(community, at),
            "complaints": orders_with_running_clock(desk.user, community.pk, ["CP-2"]),
            "is_head": desk.is_head,
            "pace": fs.monthly_quota_pace(community, year, month, at),
            "sample": fs.quota_sample(community, year, month, at, size=10),
            "recent": fs.return_visit_list(community, year=year, month=month)[:30],
        },
    )


def _steps(done: WorkDone) -> list[tuple[Any, str, str]]:
    """Each line of what was done with its word and the channel the owner was answered on."""
    return [
        (
            e,
            EventAction.label_for(e.action, done.kind),
            str(ReplyChannel(e.data["channel"]).label)
            if (e.data or {}).get("channel") in ReplyChannel.values
            else "",
        )
        for e in done.steps
    ]


@console(*OFFICE_ROLES)
def visit_new(request: HttpRequest, desk: Desk) -> HttpResponse:
    """One screen per call: the order (or the household, for the monthly visit), the owner's
    number, the answer on five levels, opinions and suggestions; no answer schedules a retry."""
    order: WorkOrder | None = None
    household: Household | None = None
    src = request.POST if request.method == "POST" else request.GET
    if src.get("order"):
        order = access_work_order(desk.user, src["order"])
        if order.community_id != desk.community.pk:
            from propdesk.core.errors import NotFound

            raise NotFound("Work order not found")
        household = order.household
    elif src.get("household"):
        household = Household.objects.filter(
            community=desk.community, pk=posted_id(src.get("household"))
        ).first()
    kind = visit_kind_for(order)
    failure: dict[str, Any] = {}
    if request.method == "POST":
        p = request.POST
        retry = None
        errors: dict[str, list[str]] = {}
        # The time to call again is a no-answer's only: left filled in from a first choice, it
        # is no reason to refuse an answered visit.
        if p.get("retry_at") and p.get("outcome") == VisitOutcome.NO_ANSWER:
            field = LocalDateTimeField(required=False)
            field.time_zone = desk.community.time_zone
            field.error_messages["invalid"] = _(
                "%(label)s: choose a date and a time, e.g. 2026-12-01 09:30."
            ) % {"label": _("the time to call again")}
            try:
                retry = field.clean(p["retry_at"])
            except ValidationError as exc:
                errors["retry_at"] = [str(m) for m in exc.messages]
        items = tuple(
            ItemDraft(kind=p.get(f"item_kind_{i}", ""), text=p.get(f"item_text_{i}", "").strip())
            for i in range(ITEM_ROWS)
            if p.get(f"item_text_{i}", "").strip()
        )
        draft = VisitDraft(
            kind=kind,
            channel=p.get("channel", VisitChannel.PHONE),
            outcome=p.get("outcome", ""),
            level=p.get("level", "") if p.get("outcome") == VisitOutcome.ANSWERED else "",
            order=order,
            household=household if order is None else None,
            phone=p.get("phone", ""),
            opinion=p.get("opinion", ""),
            items=items,
            retry_at=retry,
            activity_wish=p.get("activity_wish", ""),
        )
        if not errors:

            def write() -> Answer | None:
                nonlocal errors
                errors = (
                    _try(
                        lambda: return_visit_record(
                            community=desk.community, by=desk.user, now=now(), draft=draft
                        )
                    )
                    or {}
                )
                if errors:
                    return None
                where = reverse("desk-visits", args=[desk.community.pk])
                return Answer(where, escape(_("Return visit recorded.")))

            done_once = submit_once(
                p.get(ONCE_FIELD), owner=once_owner(request), now=now(), write=write
            )
            if answered(request, done_once):
                assert done_once.answer is not None
                return redirect(done_once.answer.url)
        failure = _failure(request, "visit", errors)
    done = work_done(order) if order is not None else None
    return render(
        request,
        "web/visit_new.html",
        {
            "desk": desk,
            "nav_active": "visits",
            "title": _("Return visit"),
            "order": order,
            # RV-3: an important complaint's visit is the head's; anyone else is told so, not
            # handed a form to fill in and have refused. A refused post (the order marked
            # important while the form was open) keeps the form with what was typed.
            "heads_alone": request.method != "POST"
            and visit_is_the_heads(by=desk.user, community_id=desk.community.pk, order=order),
            "done": done,
            "done_steps": _steps(done) if done else [],
            "household": household,
            "kind": kind,
            "kind_label": VisitKind(kind).label,
            "phone": owner_phone(order, household),
            "levels": Level.choices,
            "outcomes": VisitOutcome.choices,
            # Only the channels staff visit by: 业主自评 is the owner's own (the portal's).
            "channels": [(v, VisitChannel(v).label) for v in STAFF_VISIT_CHANNELS],
            "item_kinds": ItemKind.choices,
            "item_rows": [
                (i, request.POST.get(f"item_kind_{i}", ""), request.POST.get(f"item_text_{i}", ""))
                for i in range(ITEM_ROWS)
            ],
            **failure,
        },
        status=400 if failure else 200,
    )


@console(*OFFICE_ROLES)
def suggestions(request: HttpRequest, desk: Desk) -> HttpResponse:
    """RV-4/RV-5: every opinion, criticism and suggestion with its age; each gets a written
    reply to the owner."""
    failure: dict[str, Any] = {}
    if request.method == "POST":
        item = SuggestionItem.objects.filter(
            community=desk.community, pk=posted_id(request.POST.get("id"))
        ).first()
        if item is None:
            errors: dict[str, list[str]] | None = {"__all__": [_("There is no such item.")]}
        elif request.POST.get("form") == "tag":
            # CS-3: tagged 活动, the item is a wish the quarter's activity is planned from.
            errors = _try(
                lambda: suggestion_tag_activity(
                    item_id=item.pk, by=desk.user, tagged=request.POST.get("tagged") == "1"
                )
            )
        else:
            errors = _try(
                lambda: suggestion_reply(
                    item_id=item.pk,
                    by=desk.user,
                    now=now(),
                    reply=request.POST.get("reply", ""),
                    channel=request.POST.get("channel", ""),
                )
            )
        if errors is None:
            tagged = request.POST.get("form") == "tag"
            messages.success(request, _("Saved.") if tagged else _("Reply recorded."))
            return redirect("desk-suggestions", desk.community.pk)
        failure = _failure(request, "reply", errors)
    at = now()
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "web/suggestions.html",
        {
            "desk": desk,
            "nav_active": "suggestions",
            "title": _("Suggestions register"),
            "rows": fs.suggestion_queue(desk.community, at, open_only=not show_all),
            "show_all": show_all,
            "channels": ReplyChannel.choices,
            **failure,
        },
        status=400 if failure else 200,
    )


@console(*OFFICE_ROLES)
def issues(request: HttpRequest, desk: Desk) -> HttpResponse:
    """RV-7 common issues (the office's and the product's proposals) with their notices; RV-8
    home visits for prominent issues of a few households."""
    failure: dict[str, Any] = {}
    if request.method == "POST":
        form = request.POST.get("form", "")
        errors = _post_issue(request, desk, form)
        if errors is None:
            messages.success(request, _("Saved."))
            return redirect("desk-issues", desk.community.pk)
        failure = _failure(request, form, errors)
    at = now()
    community = desk.community
    issue_rows = list(fs.common_issue_list(community)[:50])
    notices = {n.common_issue_id: n for n in Notice.objects.filter(common_issue__in=issue_rows)}
    for issue in issue_rows:
        issue.notice = notices.get(issue.pk)  # type: ignore[attr-defined]
        issue.notice_title = fs.notice_title_proposed(issue)  # type: ignore[attr-defined]
    return render(
        request,
        "web/issues.html",
        {
            "desk": desk,
            "nav_active": "issues",
            "title": _("Common issues and notices"),
            "now": at,
            "proposals": fs.common_issue_proposals(community, at),
            "issues": issue_rows,
            "home_visits": list(fs.home_visit_list(community)[:50]),
            "administrators": staff_with_roles(
                community.pk, [Role.ADMINISTRATOR, Role.OFFICE_HEAD]
            ).order_by("name"),
            "buildings": Building.objects.filter(community=community).order_by("number"),
            **failure,
        },
        status=400 if failure else 200,
    )


def _post_issue(request: HttpRequest, desk: Desk, form: str) -> dict[str, list[str]] | None:
    p, community, at = request.POST, desk.community, now()

    def ids(name: str) -> list[int]:
        return [n for n in (posted_id(x) for x in p.get(name, "").split(",")) if n]

    if form == "open":
        building = Building.objects.filter(
            community=community, pk=posted_id(p.get("building"))
        ).first()
        return _try(
            lambda: common_issue_open(
                community=community,
                by=desk.user,
                now=at,
                title=p.get("title", ""),
                building=building,
                area=p.get("area", ""),
                item_ids=ids("item_ids"),
                order_ids=ids("order_ids"),
            )
        )
    issue = CommonIssue.objects.filter(community=community, pk=posted_id(p.get("id"))).first()
    if form == "notice":
        if issue is None:
            return {"__all__": [_("There is no such issue.")]}
        return _try(
            lambda: notice_write(
                community=community,
                by=desk.user,
                now=at,
                title=p.get("title", ""),
                body=p.get("body", ""),
                common_issue=issue,
                building=Building.objects.filter(
                    community=community, pk=posted_id(p.get("building"))
                ).first(),
            )
        )
    if form == "post":
        notice = Notice.objects.filter(community=community, pk=posted_id(p.get("notice"))).first()
        photo = request.FILES.get("photo")
        if notice is None:
            return {"__all__": [_("There is no such notice.")]}
        if photo is None:
            return {"photo": [_("Take a photo of the notice on the board.")]}
        return _try(lambda: notice_post(notice_id=notice.pk, by=desk.user, now=at, photo=photo))
    if form == "home_visit":
        field = LocalDateTimeField()
        field.time_zone = community.time_zone
        try:
            due = field.clean(p.get("due_at", ""))
        except ValidationError as exc:
            return {"due_at": [str(m) for m in exc.messages]}
        codes = [
            c.strip() for c in p.get("households", "").replace("，", ",").split(",") if c.strip()
        ]
        found = list(Household.objects.filter(community=community, code__in=codes))
        missing = sorted(set(codes) - {h.code for h in found})
        if missing:
            return {"households": [_("No such room: %(codes)s") % {"codes": ", ".join(missing)}]}
        admin = (
            staff_in_community(community.pk).filter(pk=posted_id(p.get("administrator"))).first()
        )
        if admin is None:
            return {"administrator": [_("Choose an administrator of the community.")]}
        return _try(
            lambda: home_visit_assign(
                community=community,
                by=desk.user,
                now=at,
                administrator=admin,
                households=found,
                due_at=due,
                reason=p.get("reason", ""),
                common_issue=issue,
            )
        )
    if form == "home_visit_done":
        visit = HomeVisit.objects.filter(community=community, pk=posted_id(p.get("visit"))).first()
        if visit is None:
            return {"__all__": [_("There is no such home visit.")]}
        return _try(
            lambda: home_visit_done(
                visit_id=visit.pk, by=desk.user, now=at, notes=p.get("notes", "")
            )
        )
    return {"__all__": [_("Unknown form.")]}
