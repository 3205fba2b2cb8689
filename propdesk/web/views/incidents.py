"""The incident report 《突发事件处理表》 in the console: the office completes the pre-filled
draft and the head submits it; company leadership approves it (filed, read-only) or returns it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from propdesk.community.models import User
from propdesk.community.selectors import user_roles
from propdesk.core.errors import Forbidden, NotFound, ServiceError
from propdesk.incidents.models import IncidentReport, ReportState
from propdesk.incidents.reports import (
    incident_report_approve,
    incident_report_return,
    incident_report_submit,
    incident_report_update,
)
from propdesk.incidents.selectors import (
    access_report,
    incident_reports_for,
    report_timeline,
)
from propdesk.policy.workflow import OFFICE_ROLES, Role
from propdesk.web.views._common import Desk, errors_of, forbidden, not_found, now

FIELDS = ("cause_analysis", "measures", "losses", "people_involved")
FIELD_LABELS = {
    name: IncidentReport._meta.get_field(name).verbose_name  # type: ignore[union-attr]
    for name in FIELDS
}


@login_required
def incident_reports(request: HttpRequest) -> HttpResponse:
    """Every incident report the user may read, those waiting for them first."""
    user: User = request.user  # type: ignore[assignment]
    reports = incident_reports_for(user)
    if (
        not reports
        and not user.is_leadership
        and not any(user_roles(user, m.community_id) & OFFICE_ROLES for m in user.memberships.all())
    ):
        return forbidden(request)
    return render(
        request,
        "web/incident_reports.html",
        {"title": _("Incident reports"), "reports": reports, "nav_active": "incidents"},
    )


def _done_words(action: str) -> str:
    """What the page says after a post (GLOSSARY.md: 提交, 退回, 审批通过, 已备案), not a bare
    "saved"."""
    words = {
        "submit": _("Submitted to company leadership."),
        "approve": _("Approved: the report is filed."),
        "return": _("Returned for changes."),
    }
    return str(words.get(action) or _("Saved."))


@login_required
def incident_report(request: HttpRequest, emergency_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        report = access_report(user, emergency_id)
    except NotFound:
        return not_found(request)
    except Forbidden:
        return forbidden(request)
    failure: dict[str, Any] = {}
    if request.method == "POST":
        errors = _act(request, user, report)
        if errors is None:
            messages.success(request, _done_words(request.POST.get("action", "")))
            return redirect("desk-incident", emergency_id)
        failure = {
            "general_errors": errors.pop("__all__", None),
            "errors": errors,
            "posted": request.POST,
        }
        report = access_report(user, emergency_id)
    editable = report.state in (ReportState.DRAFT, ReportState.RETURNED) and bool(
        user_roles(user, report.emergency.community_id) & OFFICE_ROLES
    )
    roles = set(user_roles(user, report.emergency.community_id))
    if user.is_leadership:
        roles.add(Role.LEADERSHIP)
    return render(
        request,
        "web/incident_report.html",
        {
            # The navigation of the emergency's community (base.html).
            "desk": Desk(user=user, community=report.emergency.community, roles=frozenset(roles))
            if roles
            else None,
            "title": _("Incident report"),
            "nav_active": "incidents",
            "report": report,
            "emergency": report.emergency,
            "timeline": report_timeline(report.emergency),
            "approvals": list(report.approvals.all()),
            "editable": editable,
            "fields": [
                (
                    name,
                    FIELD_LABELS[name],
                    request.POST.get(name, "") if failure else getattr(report, name),
                )
                for name in FIELDS
            ],
            **failure,
        },
        status=400 if failure else 200,
    )


def _act(request: HttpRequest, user: User, report: IncidentReport) -> dict[str, list[str]] | None:
    p, at = request.POST, now()
    action, comment = p.get("action", ""), p.get("comment", "")
    try:
        if action in ("save", "submit"):
            try:
                version = int(p.get("version", ""))
            except ValueError:
                return {"__all__": [_("Reload the page and try again.")]}
            # Refused once submitted or filed (the service says why). A refused submit saves
            # nothing either: the page shows what was typed, to correct and send again.
            with transaction.atomic():
                incident_report_update(
                    report_id=report.pk,
                    by=user,
                    now=at,
                    version=version,
                    **{name: p.get(name, "") for name in FIELDS},
                )
                if action == "submit":
                    incident_report_submit(report_id=report.pk, by=user, now=at)
        elif action == "approve":
            incident_report_approve(report_id=report.pk, by=user, now=at, comment=comment)
        elif action == "return":
            incident_report_return(report_id=report.pk, by=user, now=at, comment=comment)
        else:
            return {"__all__": [_("Unknown form.")]}
    except ValidationError as exc:
        return errors_of(exc)
    except ServiceError as exc:
        return {"__all__": [exc.message]}
    return None
