"""The notification outbox: a row per (cause, recipient, channel), written in the same
transaction as the change that caused it. Delivery (e-mail, webhooks, retries) reads from here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=NotificationChannel.choices,
        default=NotificationChannel.IN_APP,
    )
    cause = models.CharField(_("cause"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    payload = models.JSONField(_("payload"), default=dict)
    # Once per (cause, recipient, channel): a second write of the same row is a no-op.
    dedupe_key = models.CharField(_("dedupe key"), max_length=160, unique=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=NotificationState.choices,
        default=NotificationState.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox"),
            models.Index(fields=["state", "next_attempt_at"], name="notif_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"
