"""The office's convenience services: the service cart (CS-1), concierge requests (CS-2) and
the community's quarterly activities (CS-3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propdesk.community.models import Community, Household
from propdesk.followup.models import Level, Notice, ReturnVisit, SuggestionItem

# --- community activities (CS-3) ------------------------------------------------------------------


class ActivityState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ANNOUNCED = "announced", _("Announced")
    HELD = "held", _("Held")
    CLOSED = "closed", pgettext_lazy("activity", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(models.Model):
    """One community activity (社区活动) of a quarter (CS-3), planned from owners' wishes,
    announced by a posted notice, with households signed up, their attendance and feedback.

    planned → announced (the notice posted) → held (attendance marked on the day; meets the
    quarter's CS-3 clock) → closed (feedback in); planned or announced → cancelled."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=100)
    capacity = models.PositiveIntegerField(_("places"))  # households
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ActivityState.choices, default=ActivityState.PLANNED
    )
    wish_items = models.ManyToManyField(
        SuggestionItem, blank=True, related_name="+", verbose_name=_("wishes it answers")
    )
    wish_visits = models.ManyToManyField(
        ReturnVisit, blank=True, related_name="+", verbose_name=_("wishes it answers")
    )
    notice = models.OneToOneField(
        Notice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity",
        verbose_name=_("notice"),
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("planned by"),
    )
    planned_at = models.DateTimeField(_("planned at"))
    announced_at = models.DateTimeField(_("announced at"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("why cancelled"), blank=True)

    class Meta:
        verbose_name = _("community activity")
        verbose_name_plural = _("community activities")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["community", "starts_at"], name="activity_comm_time")]

    def __str__(self) -> str:
        return self.title

    @property
    def clock_subject(self) -> str:
        return f"activity:{self.pk}"


class ActivitySignup(models.Model):
    """A household signed up for an activity (at the front desk, or from the resident portal),
    whether it came, and its satisfaction answer (followup.Level) with what it said."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("activity")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    signed_up_at = models.DateTimeField(_("signed up at"))
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed up by"),
    )  # None: the resident, from the portal
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    level = models.CharField(_("satisfaction"), max_length=20, choices=Level.choices, blank=True)
    feedback = models.TextField(_("what the owner said"), blank=True)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "household"], name="signup_once"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.household_id}"
