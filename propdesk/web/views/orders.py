"""One work order: what it is, its clocks and timeline, and the actions the user may take on it
(the declared state machine), with the complaint flows of CP-3 … CP-7 and FD-5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from propdesk.clocks.models import ClockLog
from propdesk.clocks.selectors import calendar_fallback
from propdesk.clocks.services.policy import counts_in_team_hours
from propdesk.community.models import Membership, Team, User
from propdesk.community.selectors import staff_in_community, user_roles
from propdesk.core.errors import NotFound, ServiceError
from propdesk.core.once import ONCE_FIELD, Answer, submit_once
from propdesk.desk.models import ComplaintType, EventAction, Rectification, ReplyChannel, WorkOrder
from propdesk.desk.queues import (
    assignee_candidates,
    clock_is_live,
    staff_record,
    suggested_assignee,
)
from propdesk.desk.selectors import access_work_order, order_reporter_to_call, work_order_timeline
from propdesk.desk.services import (
    attitude_account_record,
    rectification_done,
    rectification_set,
    work_order_appoint,
    work_order_attach,
    work_order_transition,
)
from propdesk.desk.services.appointments import APPOINTABLE_STATES
from propdesk.desk.waiting import waiting_titles, waiting_words
from propdesk.followup.models import VisitChannel
from propdesk.followup.selectors import awaiting_recovery, order_rating
from propdesk.incidents.selectors import emergency_of_order
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import ACTIONS, Role
from propdesk.web.actions import (
    FLAG_NAMES,
    action_bar,
    action_form,
    done_message,
    hold_back_close,
)
from propdesk.web.forms import AppointmentForm, AttitudeAccountForm, RectificationForm
from propdesk.web.views._common import (
    Desk,
    answered,
    back_to,
    console,
    errors_of,
    forbidden,
    not_found,
    now,
    once_owner,
    posted_id,
)


def order_desk(request: HttpRequest, order_id: int) -> tuple[Desk, WorkOrder]:
    user: User = request.user  # type: ignore[assignment]
    order = access_work_order(user, order_id)
    roles = user_roles(user, order.community_id)
    if user.is_leadership:
        roles = roles | {Role.LEADERSHIP}
    desk = Desk(user=user, community=order.community, roles=roles)
    request.desk = desk  # type: ignore[attr-defined]
    return desk, order


def available_actions(desk: Desk, order: WorkOrder) -> list[str]:
    return [item.name for item in action_bar(desk.user, order)]


def take_action(request: HttpRequest, desk: Desk, order: WorkOrder) -> dict[str, list[str]] | None:
    """Run the posted action through the one door; return the field errors, or None on success.
    The form takes exactly the fields the workflow table declares for the action."""
    name = request.POST.get("action", "")
    if name not in ACTIONS:
        return {"__all__": [_("Unknown action.")]}
    form = action_form(name, request.POST)
    if not form.is_valid():
        return {k: [str(m) for m in v] for k, v in form.errors.items()}
    d = form.cleaned_data
    team = assignee = None
    errors: dict[str, list[str]] = {}
    if d.get("team"):
        team = Team.objects.filter(pk=d["team"], community_id=order.community_id).first()
        if team is None:
            errors["team"] = [_("This team is not in the community.")]
    if d.get("assignee"):
        assignee = staff_in_community(order.community_id).filter(pk=d["assignee"]).first()
        if assignee is None:
            errors["assignee"] = [_("This person is not on the staff of the community.")]
    if errors:
        return errors
    flags = {k: d[k] for k in FLAG_NAMES if k in d}
    try:
        work_order_transition(
            order_id=order.pk,
            action=name,
            by=desk.user,
            now=now(),
            version=d["version"],
            note=d.get("note", ""),
            team=team,
            assignee=assignee,
            channel=d.get("channel", ""),
            flags=flags or None,
            materials=d.get("materials", ""),
            fee=d.get("fee"),
            waiting=d.get("waiting", ""),
        )
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None


def saved_message(request: HttpRequest, order_id: int, kind: str) -> str:
    """What the page says after a post went through: for an action, which one on which order
    (``done_message``), read after the action; for the other forms, that it was saved."""
    if kind != "action":
        return str(_("Saved."))
    after = WorkOrder.objects.select_related("assignee", "team").get(pk=order_id)
    return done_message(request.POST.get("action", ""), after)


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    return back_to(request, default)


# The timeline's lines that hand the order on: the line names who did it and to whom.
HANDOVER_ACTIONS = frozenset({"dispatch", "assign", "transfer", "return"})


def _whom(timeline: list[dict[str, Any]]) -> dict[int, str]:
    """To whom each handover line of ``timeline`` gave the order (派单给成员 · 张俊阳 → 赵慧): the
    person it went to, else the team whose pool it went to; keyed by the entry's id(). The
    people and teams read in one query each."""
    targets: dict[int, tuple[int | None, int | None]] = {}
    for entry in timeline:
        data = entry.get("data") or {}
        after = data.get("after") if isinstance(data, dict) else None
        if entry["source"] != "event" or entry["what"] not in HANDOVER_ACTIONS:
            continue
        if isinstance(after, dict):
            targets[id(entry)] = (after.get("assignee"), after.get("team"))
    if not targets:
        return {}
    people = {
        pk: name or username
        for pk, name, username in User.objects.filter(
            pk__in={p for p, _t in targets.values() if p}
        ).values_list("pk", "name", "username")
    }
    teams = dict(
        Team.objects.filter(pk__in={t for p, t in targets.values() if t and not p}).values_list(
            "pk", "name"
        )
    )
    return {
        key: (people.get(person, "") if person else teams.get(team, "") if team else "")
        for key, (person, team) in targets.items()
    }


def _detail_context(desk: Desk, order: WorkOrder) -> dict[str, Any]:
    timeline = work_order_timeline(order)
    reporter = order_reporter_to_call(desk.user, order)
    titles = waiting_titles(order.community.policy)
    clocks = load_policy(order.community.policy).clocks
    whom = _whom(timeline)
    for entry in timeline:
        entry["to"] = whom.get(id(entry), "")
        entry["waiting"] = waiting_words(entry["what"], entry.get("data") or {}, titles)
        # A clock's line names its rule as the community's policy titles it (WT-3: 待料，等待不超过
        # 3天), the glossary's name first (core.rule_names.rule_name).
        spec = clocks.get(entry["rule_id"]) if entry["rule_id"] else None
        entry["rule_title"] = spec.title if spec is not None else ""
        entry["label"] = (
            ClockLog.label_for(entry["what"])
            if entry["source"] == "clock"
            else EventAction.label_for(entry["what"], order.kind)
        )
        channel = (entry.get("data") or {}).get("channel")
        if entry["what"] == EventAction.RETURN_VISIT and channel in VisitChannel.values:
            entry["channel_label"] = VisitChannel(channel).label  # 电话回访, not 来电
        elif channel in ReplyChannel.values:
            entry["channel_label"] = ReplyChannel(channel).label
    _name_whom(timeline)
    is_attitude = order.complaint_type == ComplaintType.ATTITUDE
    rectifications = (
        list(order.rectifications.select_related("staff_member")) if is_attitude else []
    )
    recovery = awaiting_recovery(order)
    actions = action_bar(desk.user, order)
    if recovery is not None:
        actions = hold_back_close(
            actions,
            _(
                "The owner is still dissatisfied: close the order only after a return visit "
                "finds them satisfied. Close it anyway?"
            ),
        )
    return {
        "reporter": reporter,
        "desk": desk,
        "order": order,
        "title": order.number,
        "recovery": recovery,
        "rating": order_rating(order),
        "calendar_fallback_years": calendar_fallback([order.pk]).get(order.pk, []),
        "now": now(),
        "clocks": sorted(
            [c for c in order.clocks.all() if clock_is_live(c)],
            key=lambda c: c.due_at,
        ),
        "team_hours_clocks": {c.pk for c in order.clocks.all() if counts_in_team_hours(c)},
        "timeline": timeline,
        "actions": actions,
        "candidates": assignee_candidates(order),
        "suggested": suggested_assignee(order, now()),
        "teams": Team.objects.filter(community_id=order.community_id).order_by("name"),
        "reply_channels": ReplyChannel.choices,
        "waiting_kinds": list(titles.items()),
        "waiting_title": titles.get(order.waiting, order.waiting),
        "is_attitude": is_attitude,
        "rectifications": rectifications,
        "open_rectification": next((r for r in rectifications if r.done_at is None), None),
        "staff": list(staff_in_community(order.community_id).order_by("name"))
        if is_attitude
        else [],
        "attachment_kinds": [("photo", _("Photo")), ("letter", _("Scanned letter"))],
        "emergency": emergency_of_order(desk.user, order.pk) if order.is_emergency else None,
        "may_appoint": may_appoint(desk, order),
    }


# The timeline's lines about someone other than who acted (EM-1: the receptionist notified a
# responder): the person, or the three 已通知处置人员 lines of a fire read alike.
_ABOUT_WHOM = frozenset({"responder_notified"})


def _name_whom(timeline: list[dict[str, Any]]) -> None:
    """Set ``whom`` (a name) on the timeline's lines about another person, in one read."""
    about = [
        e
        for e in timeline
        if e["what"] in _ABOUT_WHOM
        and e["source"] == "event"
        and isinstance((e.get("data") or {}).get("user"), int)
    ]
    if not about:
        return
    names = {
        pk: name or username
        for pk, name, username in User.objects.filter(
            pk__in={e["data"]["user"] for e in about}
        ).values_list("pk", "name", "username")
    }
    for e in about:
        e["whom"] = names.get(e["data"]["user"], "")


def appoint_post(request: HttpRequest, desk: Desk, order: WorkOrder) -> dict[str, list[str]] | None:
    """改约 from the order page or the phone job page (issue 16), through the one door
    (work_order_appoint); the field errors, or None when saved."""
    aform = AppointmentForm(request.POST, community=order.community)
    if not aform.is_valid():
        return {k: [str(m) for m in v] for k, v in aform.errors.items()}
    try:
        work_order_appoint(
            order_id=order.pk,
            by=desk.user,
            now=now(),
            version=aform.cleaned_data["version"],
            appointment_at=aform.cleaned_data["appointment_at"],
            note=aform.cleaned_data["note"],
        )
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None


def may_appoint(desk: Desk, order: WorkOrder) -> bool:
    """Whether the page offers 改约: the service decides (work_order_appoint); this only hides
    the form where it would surely be refused."""
    if order.kind == "complaint" or order.state not in APPOINTABLE_STATES:
        return False
    if desk.is_office:
        return True
    team = order.team
    return order.assignee_id == desk.user.pk or (
        team is not None and team.leader_id == desk.user.pk
    )


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    try:
        desk, order = order_desk(request, order_id)
    except NotFound:
        return not_found(request)
    failure: dict[str, Any] = {}
    if request.method == "POST":
        kind = request.POST.get("form", "action")
        where, errors = post_once(
            request,
            order.pk,
            kind,
            post=lambda: _post(request, desk, order, kind),
            where=lambda: _back(request, request.path).url,
        )
        if where is not None:
            return HttpResponseRedirect(where)
        failure = _failure(request, kind, errors)
        order = access_work_order(desk.user, order.pk)  # as it is now, with its new version
    ctx = _detail_context(desk, order) | failure
    status = 400 if failure else 200
    return render(request, "web/order.html", ctx, status=status)


def post_once(
    request: HttpRequest,
    order_id: int,
    kind: str,
    *,
    post: Callable[[], dict[str, list[str]] | None],
    where: Callable[[], str],
) -> tuple[str | None, dict[str, list[str]]]:
    """One of an order's forms (a file, a record, an action), sent once per its one-time token
    (core.once): ``post`` writes and gives the field errors (None: done); its answer is where to
    go (``where``) and what was done (``saved_message``). The same form sent again (a double
    tap, a resend on a slow network) writes nothing and is told the first one's answer. The
    token is claimed before ``post`` and settled after it, outside its own transaction. Gives
    (the address to go to, {}) or (None, the errors to draw the form with)."""
    errors: dict[str, list[str]] = {}

    def write() -> Answer | None:
        nonlocal errors
        failed = post()
        if failed is not None:
            errors = failed
            return None
        # Kept as HTML (a replay shows it as it is): a name in it is escaped now.
        return Answer(where(), conditional_escape(saved_message(request, order_id, kind)))

    done = submit_once(
        request.POST.get(ONCE_FIELD), owner=once_owner(request), now=now(), write=write
    )
    if answered(request, done):
        assert done.answer is not None
        return done.answer.url, {}
    if not errors:  # the first one of the same form has not answered yet: nothing written
        errors = {"__all__": [_("This form was already sent: it was recorded once, not twice.")]}
    return None, errors


def _failure(request: HttpRequest, kind: str, errors: dict[str, list[str]]) -> dict[str, Any]:
    """What the page needs to show a failed form again: its errors and what was typed."""
    return {
        "failed": kind,
        "failed_action": request.POST.get("action", "") if kind == "action" else "",
        "general_errors": errors.get("__all__"),
        "errors": {k: v for k, v in errors.items() if k != "__all__"},
        "posted": request.POST,
    }


def _post(
    request: HttpRequest, desk: Desk, order: WorkOrder, kind: str
) -> dict[str, list[str]] | None:
    at = now()
    try:
        if kind == "action":
            return take_action(request, desk, order)
        if kind == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                return {"file": [_("Choose a photo or a scan to attach.")]}
            work_order_attach(
                order_id=order.pk,
                by=desk.user,
                now=at,
                upload=upload,
                kind=request.POST.get("kind", "photo"),
            )
            return None
        if kind == "account":
            form = AttitudeAccountForm(request.POST)
            form.fields["staff_member"].choices = [  # type: ignore[attr-defined]
                (u.pk, u.name) for u in staff_in_community(order.community_id)
            ]
            if not form.is_valid():
                return {k: [str(m) for m in v] for k, v in form.errors.items()}
            attitude_account_record(
                order_id=order.pk,
                by=desk.user,
                now=at,
                version=form.cleaned_data["version"],
                staff_member=User.objects.get(pk=form.cleaned_data["staff_member"]),
                account=form.cleaned_data["account"],
            )
            return None
        if kind == "appoint":
            return appoint_post(request, desk, order)
        if kind == "rectification":
            rform = RectificationForm(request.POST, community=order.community)
            if not rform.is_valid():
                return {k: [str(m) for m in v] for k, v in rform.errors.items()}
            rectification_set(order_id=order.pk, by=desk.user, now=at, **rform.cleaned_data)
            return None
        if kind == "rectification_done":
            rect = Rectification.objects.filter(
                pk=posted_id(request.POST.get("rectification")), order=order
            ).first()
            if rect is None:
                return {"__all__": [_("There is no such rectification on this order.")]}
            rectification_done(
                rectification_id=rect.pk, by=desk.user, now=at, note=request.POST.get("note", "")
            )
            return None
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return {"__all__": [_("Unknown form.")]}


@console()
def staff_record_view(request: HttpRequest, desk: Desk, staff_id: int) -> HttpResponse:
    """CP-5: a staff member's record of service-attitude complaints and rectifications. The
    office head and administrators see anyone's; a staff member sees their own."""
    if not (desk.is_head or Role.ADMINISTRATOR in desk.roles or desk.user.pk == staff_id):
        return forbidden(request)
    member = staff_in_community(desk.community.pk).filter(pk=staff_id).first()
    if member is None:
        return not_found(request)
    complaints = WorkOrder.objects.filter(community=desk.community, staff_member=member).order_by(
        "-created_at"
    )
    return render(
        request,
        "web/staff_record.html",
        {
            "desk": desk,
            "title": _("Staff record"),
            "member": member,
            "complaints": complaints,
            "rectifications": staff_record(desk.community.pk, member.pk),
            "now": now(),
            "roles": Membership.objects.filter(user=member, community=desk.community),
        },
    )


@login_required
def order_print(request: HttpRequest, order_id: int) -> HttpResponse:
    """The order as the paper form 《服务工作单》 (A4 PDF, with a QR code that opens the
    technician's phone job page)."""
    from propdesk.desk.printing import work_order_pdf

    try:
        desk, order = order_desk(request, order_id)
    except NotFound:
        return not_found(request)
    pdf = work_order_pdf(
        order,
        job_url=request.build_absolute_uri(reverse("desk-job", args=[order.pk])),
        printed_at=now(),
        printed_by=desk.user,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response
