"""The office's phone calls as its phone system reports them: ring time (FD-1) and missed calls
to call back.

A ``Call`` is one call (ringing, answered, ended or missed), built from the events the phone
system sends (``CallEvent``, append-only, each with the system's own event id so a replayed event
is refused). ``PhoneSystem`` holds a community's webhook secret; ``Extension`` maps the
extensions of the front desk's phones to staff members.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.core.clock import local_minute


class PhoneSystem(models.Model):
    """A community's phone system (PBX): the secret its webhook events are signed with."""

    community = models.OneToOneField(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="phone_system",
        verbose_name=_("community"),
    )
    secret = models.CharField(_("webhook secret"), max_length=128)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("phone system")
        verbose_name_plural = _("phone systems")

    def __str__(self) -> str:
        return str(self.community)


class Extension(models.Model):
    """An extension of the office's phone system and the staff member who answers it."""

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("community"),
    )
    number = models.CharField(_("extension"), max_length=32)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("staff member"),
    )

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="extension_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.user}"


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")
    MISSED = "missed", _("Missed")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Incoming")
    OUTBOUND = "outbound", _("Outgoing")


class Call(models.Model):
    """One call. ``ring_ms`` (answered − ringing, milliseconds) is stored when both are known;
    FD-1 is judged on it with the policy of the moment of the report."""

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="calls",
        verbose_name=_("community"),
    )
    call_id = models.CharField(_("call id"), max_length=100)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    line = models.CharField(_("line"), max_length=32, blank=True)
    extension = models.CharField(_("extension"), max_length=32, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CallState.choices, default=CallState.RINGING
    )
    ringing_at = models.DateTimeField(_("ringing at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ring_ms = models.PositiveIntegerField(_("ring time (ms)"), null=True, blank=True)
    # The call-back clock (FD-1-callback) a missed call joined.
    callback = models.ForeignKey(
        "clocks.Clock",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("call-back"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-ringing_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "call_id"], name="call_unique_id")
        ]
        indexes = [
            models.Index(fields=["community", "ringing_at"], name="call_comm_ringing"),
            models.Index(
                fields=["community", "ringing_at"],
                name="call_ringing_now",
                condition=models.Q(state="ringing"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone} · {self.get_state_display()} · {local_minute(self.ringing_at)}"

    @property
    def ring_seconds(self) -> Decimal | None:
        """The ring time in seconds, one decimal (None when unknown)."""
        if self.ring_ms is None:
            return None
        return (Decimal(self.ring_ms) / 1000).quantize(Decimal("0.1"), ROUND_HALF_UP)


class EventKind(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")
    MISSED = "missed", _("Missed")
    OUTGOING = "outgoing", _("Outgoing")


class CallEvent(models.Model):
    """One event as the phone system reported it. Append-only; ``event_id`` is the system's own
    id, unique per community: the same event sent twice is refused (a replay)."""

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="events", verbose_name=_("call")
    )
    event_id = models.CharField(_("event id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    source = models.CharField(_("source"), max_length=10)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "event_id"], name="call_event_unique_id")
        ]
        # The live poll's cursor: the newest event of a community (a backward seek).
        indexes = [models.Index(fields=["community", "id"], name="call_event_comm_id")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.event_id}"
