"""Writes of the incident report (EM-3, 《突发事件处理表》): the office fills in the draft, the
office head submits it, company leadership approves (it is filed and can never change again) or
returns it with comments. Each step of the approval is an ApprovalRecord."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from propdesk.community.access import require_roles, user_roles
from propdesk.community.models import User
from propdesk.core.errors import Conflict, Forbidden
from propdesk.core.uploads import PHOTO_TYPES, atomic_storing_files, stored_file_save, upload_check
from propdesk.incidents.models import (
    ApprovalAction,
    ApprovalRecord,
    Emergency,
    EmergencyState,
    IncidentPhoto,
    IncidentReport,
    ReportState,
)
from propdesk.policy.workflow import OFFICE_ROLES, Role

TEXT_FIELDS = ("cause_analysis", "measures", "losses", "people_involved")
EDITABLE = (ReportState.DRAFT, ReportState.RETURNED)


def _locked(report_id: int) -> IncidentReport:
    return (
        IncidentReport.objects.select_for_update(of=("self",))
        .select_related("emergency__community")
        .get(pk=report_id)
    )


def _refuse_unless_editable(report: IncidentReport) -> None:
    if report.state == ReportState.APPROVED:
        raise Conflict(
            _("This report is approved and filed: it can no longer change."), code="filed"
        )
    if report.state not in EDITABLE:
        raise Conflict(
            _("This report is with company leadership: wait for their decision."),
            code="under_review",
        )


def _require_office(report: IncidentReport, by: User) -> None:
    require_roles(
        by,
        report.emergency.community_id,
        OFFICE_ROLES,
        _("Only office staff of this community may write the incident report."),
    )


@transaction.atomic
def incident_report_update(
    *,
    report_id: int,
    by: User,
    now: datetime,
    version: int,
    cause_analysis: str | None = None,
    measures: str | None = None,
    losses: str | None = None,
    people_involved: str | None = None,
) -> IncidentReport:
    """Change the draft's fields (``None`` keeps a field). ``version`` is the report's version
    the user saw (Conflict ``stale`` otherwise). Conflict ``filed`` once approved, Conflict
    ``under_review`` while submitted; Forbidden for anyone but office staff."""
    report = _locked(report_id)
    _refuse_unless_editable(report)
    _require_office(report, by)
    if report.version != version:
        raise Conflict(
            _("Someone else changed this report. Reload it and try again."), code="stale"
        )
    given = {
        "cause_analysis": cause_analysis,
        "measures": measures,
        "losses": losses,
        "people_involved": people_involved,
    }
    fields = ["version", "updated_at"]
    for name, value in given.items():
        if value is not None:
            setattr(report, name, value.strip())
            fields.append(name)
    report.version += 1
    report.updated_at = now
    report.save(update_fields=fields)
    return report


@atomic_storing_files()
def incident_report_attach_photo(
    *, report_id: int, by: User, now: datetime, upload: UploadedFile[bytes]
) -> IncidentPhoto:
    """Add a photo (JPEG, PNG, WebP: read from the content, re-encoded, stored under a name
    made by core.uploads) to a report being written."""
    report = _locked(report_id)
    _refuse_unless_editable(report)
    _require_office(report, by)
    checked, problems = upload_check(upload, PHOTO_TYPES, default_name="photo")
    if problems or checked is None:
        raise ValidationError({"file": problems})
    photo = IncidentPhoto(
        report=report,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
        uploaded_at=now,
    )
    stored_file_save(photo.file, checked)  # deleted again if this rolls back
    photo.save(force_insert=True)
    report.version += 1
    report.updated_at = now
    report.save(update_fields=["version", "updated_at"])
    return photo


@transaction.atomic
def incident_report_submit(
    *, report_id: int, by: User, now: datetime, comment: str = ""
) -> IncidentReport:
    """The office head sends the report to company leadership. The cause analysis and the
    measures must be written (ValidationError). Forbidden for anyone but the office head."""
    report = _locked(report_id)
    _refuse_unless_editable(report)
    if Role.OFFICE_HEAD not in user_roles(by, report.emergency.community_id):
        raise Forbidden(_("Only the office head submits the incident report."))
    errors: dict[str, list[str]] = {}
    if not report.cause_analysis.strip():
        errors["cause_analysis"] = [_("Write the cause analysis.")]
    if not report.measures.strip():
        errors["measures"] = [_("Write the measures taken.")]
    if errors:
        raise ValidationError(errors)
    report.state, report.submitted_at = ReportState.SUBMITTED, now
    report.version += 1
    report.updated_at = now
    report.save(update_fields=["state", "submitted_at", "version", "updated_at"])
    ApprovalRecord.objects.create(
        report=report, action=ApprovalAction.SUBMITTED, by=by, at=now, comment=comment.strip()
    )
    return report


def _decide(report_id: int, by: User) -> IncidentReport:
    report = _locked(report_id)
    if report.state == ReportState.APPROVED:
        raise Conflict(
            _("This report is approved and filed: it can no longer change."), code="filed"
        )
    if Role.LEADERSHIP not in user_roles(by, report.emergency.community_id):
        raise Forbidden(_("Only company leadership approves or returns an incident report."))
    if report.state != ReportState.SUBMITTED:
        raise Conflict(_("The office head has not submitted this report."), code="not_submitted")
    submitted = (
        report.approvals.filter(action=ApprovalAction.SUBMITTED).order_by("-at", "-pk").first()
    )
    if submitted is not None and submitted.by_id == by.pk:
        # EM-3: two people sign the report, one who submits and one who approves.
        raise Forbidden(
            _("Whoever submitted the report cannot approve or return it: another leader decides."),
            code="own_report",
        )
    return report


@transaction.atomic
def incident_report_approve(
    *, report_id: int, by: User, now: datetime, comment: str = ""
) -> IncidentReport:
    """Company leadership approves: the report is filed, read-only for good, and the emergency
    is closed. Forbidden for anyone else; Conflict unless submitted."""
    report = _decide(report_id, by)
    report.state, report.approved_at = ReportState.APPROVED, now
    report.version += 1
    report.updated_at = now
    report.save(update_fields=["state", "approved_at", "version", "updated_at"])
    ApprovalRecord.objects.create(
        report=report, action=ApprovalAction.APPROVED, by=by, at=now, comment=comment.strip()
    )
    Emergency.objects.filter(pk=report.emergency_id).update(state=EmergencyState.CLOSED)
    return report


@transaction.atomic
def incident_report_return(
    *, report_id: int, by: User, now: datetime, comment: str
) -> IncidentReport:
    """Company leadership returns the report to the office with comments (required)."""
    report = _decide(report_id, by)
    if not (comment or "").strip():
        raise ValidationError({"comment": [_("Say what must be changed.")]})
    report.state = ReportState.RETURNED
    report.version += 1
    report.updated_at = now
    report.save(update_fields=["state", "version", "updated_at"])
    ApprovalRecord.objects.create(
        report=report, action=ApprovalAction.RETURNED, by=by, at=now, comment=comment.strip()
    )
    return report
