"""An emergency (with its work order), the people called to it, and its incident report.

Times are aware datetimes. The emergency's story is also written as events of its work order
(desk.WorkOrderEvent): the incident report's timeline is read from those.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.core.clock import local_minute
from propdesk.core.models import StoredFile


class EmergencyState(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Emergency(models.Model):
    # Not stored: set on the open emergency that a duplicate report was merged into (EM-1).
    merged: bool = False

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.PROTECT,
        related_name="emergencies",
        verbose_name=_("community"),
    )
    order = models.OneToOneField(
        "desk.WorkOrder",
        on_delete=models.PROTECT,
        related_name="emergency",
        verbose_name=_("work order"),
    )
    # A key of the policy's emergencies.kinds; its title as it was when logged.
    kind = models.CharField(_("kind"), max_length=30)
    kind_title = models.CharField(_("kind name"), max_length=50)
    location = models.CharField(_("location"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    household = models.ForeignKey(
        "community.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=20, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EmergencyState.choices, default=EmergencyState.OPEN
    )
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("logged by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.TextField(_("how it was resolved"), blank=True)

    class Meta:
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state", "reported_at"], name="emergency_board")
        ]

    def __str__(self) -> str:
        return f"{self.kind_title} · {self.location}"


class ResponderReason(models.TextChoices):
    OFFICE_HEAD = "office_head", _("Office head")
    ON_DUTY = "on_duty", _("On duty")
    TEAM_LEADER = "team_leader", _("Team leader (nobody on duty)")


class Responder(models.Model):
    """One person called to an emergency: when told, when they acknowledged, when on site.

    ``next_repeat_at`` is when the alert repeats if still unacknowledged (stored, indexed; NULL
    once acknowledged or the emergency is over); ``rounds`` is how many repeats went out."""

    emergency = models.ForeignKey(
        Emergency, on_delete=models.CASCADE, related_name="responders", verbose_name=_("emergency")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="emergency_calls",
        verbose_name=_("staff member"),
    )
    team = models.ForeignKey(
        "community.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    reason = models.CharField(_("called as"), max_length=20, choices=ResponderReason.choices)
    notified_at = models.DateTimeField(_("notified at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    rounds = models.PositiveSmallIntegerField(_("repeats sent"), default=0)
    next_repeat_at = models.DateTimeField(_("next repeat"), null=True, blank=True)
    widened_at = models.DateTimeField(_("deputies told at"), null=True, blank=True)

    class Meta:
        verbose_name = _("responder")
        verbose_name_plural = _("responders")
        ordering = ["emergency", "id"]
        constraints = [
            models.UniqueConstraint(fields=["emergency", "user"], name="responder_unique")
        ]
        indexes = [
            models.Index(
                fields=["next_repeat_at"],
                name="responder_repeat_due",
                condition=models.Q(next_repeat_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.emergency_id} · {self.user_id}"


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved and filed")


class IncidentReport(models.Model):
    """《突发事件处理表》: one per emergency. Draft (or returned) → submitted by the office head →
    approved (filed, read-only for good) or returned by company leadership."""

    emergency = models.OneToOneField(
        Emergency, on_delete=models.PROTECT, related_name="report", verbose_name=_("emergency")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    cause_analysis = models.TextField(_("cause analysis"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    losses = models.TextField(_("losses"), blank=True)
    people_involved = models.TextField(_("people involved"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")

    def __str__(self) -> str:
        return f"{self.emergency}"

    @property
    def filed(self) -> bool:
        return self.state == ReportState.APPROVED


def photo_path(instance: IncidentPhoto, filename: str) -> str:
    return f"incidents/{instance.report.emergency.community_id}/{instance.report_id}/{filename}"


class IncidentPhoto(StoredFile):
    report = models.ForeignKey(
        IncidentReport, on_delete=models.PROTECT, related_name="photos", verbose_name=_("report")
    )
    file = models.FileField(_("file"), upload_to=photo_path)

    class Meta:
        verbose_name = _("incident photo")
        verbose_name_plural = _("incident photos")
        ordering = ["uploaded_at", "id"]


class ApprovalAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class ApprovalRecord(models.Model):
    """One step of a report's approval: submitted, approved or returned, by whom, with what."""

    report = models.ForeignKey(
        IncidentReport,
        on_delete=models.PROTECT,
        related_name="approvals",
        verbose_name=_("report"),
    )
    action = models.CharField(_("action"), max_length=10, choices=ApprovalAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("approval record")
        verbose_name_plural = _("approval records")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {local_minute(self.at)}"
