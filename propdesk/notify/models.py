"""The notification outbox: a row per (cause, recipient, channel), written in the same
transaction as the change that caused it, and where it goes: each staff member's channels
(NotificationPreference) and each community's webhook endpoints (NotificationEndpoint).

A row's life: ``pending`` → (claimed by a worker, leased) ``sending`` → ``sent``; or back to
``pending`` with ``next_attempt_at`` later (a retry with backoff), or ``failed`` after the last
attempt. While ``sending``, ``next_attempt_at`` is when the lease runs out: a worker that died
mid-delivery loses the row to the next worker after that time.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.notify import addresses
from propdesk.notify.kinds import kind_words


class NotificationChannel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class NotificationState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EndpointKind(models.TextChoices):
    GENERIC = "generic", _("Signed JSON webhook")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    SMS_TEMPLATE = "sms_template", _("SMS gateway (webhook template)")


class NotificationEndpoint(models.Model):
    """Where a community's notifications go besides the staff themselves.

    A group endpoint (generic, WeCom, DingTalk) gets one message per cause. The SMS gateway gets
    one message per cause and recipient who chose SMS (and has a phone); ``body_template`` is the
    JSON body with ``{phone}`` and ``{text}`` in its strings.
    """

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="notification_endpoints",
        verbose_name=_("community"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=EndpointKind.choices)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(
        _("secret"),
        max_length=200,
        blank=True,
        help_text=_("Signs each message (HMAC-SHA256); DingTalk: the robot's signing secret"),
    )
    body_template = models.TextField(
        _("body template"),
        blank=True,
        help_text=_('SMS gateway only: JSON with {phone} and {text}, e.g. {"to": "{phone}"}'),
    )
    kinds = models.JSONField(
        _("kinds of notification"),
        default=list,
        blank=True,
        help_text=_("Which kinds it receives, e.g. clock_escalation; empty: every kind"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("notification endpoint")
        verbose_name_plural = _("notification endpoints")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="endpoint_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def receives(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def clean(self) -> None:
        import json

        from django.core.exceptions import ValidationError

        errors: dict[str, Any] = {}
        if not isinstance(self.kinds, list) or not all(isinstance(k, str) for k in self.kinds):
            errors["kinds"] = _('A list of kinds, e.g. ["clock_escalation", "emergency"].')
        if self.kind == EndpointKind.SMS_TEMPLATE:
            try:
                json.loads(self.body_template)
            except ValueError:
                errors["body_template"] = _("The SMS gateway needs a JSON body template.")
            else:
                if "{phone}" not in self.body_template or "{text}" not in self.body_template:
                    errors["body_template"] = _("The template must contain {phone} and {text}.")
        if self.kind == EndpointKind.DINGTALK and self.secret and "?" not in self.url:
            errors["url"] = _("A DingTalk robot URL has its access_token after a question mark.")
        if "url" not in errors and self.url:
            internal = _internal_host(self.url)
            if internal:
                errors["url"] = _(
                    "%(host)s is on an internal network: notifications go to internet addresses "
                    "only (an internal one must be allowed in NOTIFY_ALLOWED_PRIVATE_HOSTS)."
                ) % {"host": internal}
        if errors:
            raise ValidationError(errors)


def _internal_host(url: str) -> str:
    """The URL's host when it is, or resolves to, an address on the installation's own network
    that NOTIFY_ALLOWED_PRIVATE_HOSTS does not allow (notify/addresses.py); else empty."""
    try:
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return ""  # not a URL: the field's own validator says so
    if not host:
        return ""
    try:
        addresses.check_host(host, port or (443 if parts.scheme == "https" else 80))
    except addresses.AddressRefused:
        return host
    return ""


class NotificationPreference(models.Model):
    """The channels a staff member chose. In the app is always on; without a row, e-mail is on
    (when the user has an address) and SMS is off. Read when a notification is sent, so a change
    applies to the next one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("staff member"),
    )
    email = models.BooleanField(_("e-mail"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)

    class Meta:
        verbose_name = _("notification channels")
        verbose_name_plural = _("notification channels")

    def __str__(self) -> str:
        return str(self.user)


class Notification(models.Model):
    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    # Empty for a group endpoint's message (one per cause, to the endpoint, not to a person).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    endpoint = models.ForeignKey(
        NotificationEndpoint,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("endpoint"),
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
    # Once per (cause, recipient, channel): a second write of the same row is a no-op. Sent with
    # every delivery as its idempotency id, so a receiver can drop a retried duplicate.
    dedupe_key = models.CharField(_("dedupe key"), max_length=160, unique=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=NotificationState.choices,
        default=NotificationState.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # pending: not before this time (empty: at once); sending: when the worker's lease runs out.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # db_default: rows written by lean INSERTs that do not name this column (the sweeper).
    lease = models.CharField(_("lease"), max_length=40, blank=True, default="", db_default="")
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_inbox"),
            models.Index(fields=["state", "next_attempt_at"], name="notif_due"),
            # The live screens (propdesk/web/live.py): my newest in-app notification, and how many
            # of mine are unread, without reading the e-mail and webhook rows (never "read").
            models.Index(
                fields=["recipient", "id"],
                name="notif_in_app",
                condition=models.Q(channel="in_app"),
            ),
            # The cap (notify/cap.py): my in-app notifications of the last minutes, and my
            # summary of the window, without walking all I was ever sent.
            models.Index(
                fields=["recipient", "created_at"],
                name="notif_window",
                condition=models.Q(channel="in_app"),
            ),
            models.Index(
                fields=["recipient", "community"],
                name="notif_unread",
                condition=models.Q(channel="in_app", read_at__isnull=True),
            ),
            models.Index(
                fields=["community", "-created_at"],
                name="notif_failed",
                condition=models.Q(state="failed"),
            ),
            # The purge (notify.purge): the oldest read rows (only in-app ones are ever read),
            # without walking the table. The condition names no value: SQLite uses a partial
            # index only when the query implies its condition, and a bound ``channel = ?`` does
            # not; ``read_at < ?`` implies ``read_at IS NOT NULL``.
            models.Index(
                fields=["read_at"], name="notif_read", condition=models.Q(read_at__isnull=False)
            ),
            # The purge of the delivery records (notify.purge): the oldest e-mail, SMS and webhook
            # rows, without walking the in-app ones (most of the table, many never read). The
            # query names the channel as a literal (core.literal.Constant).
            models.Index(
                fields=["created_at"],
                name="notif_outgoing",
                condition=~models.Q(channel="in_app"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | models.Q(endpoint__isnull=False),
                name="notif_has_recipient_or_endpoint",
            )
        ]

    def __str__(self) -> str:
        # Its kind in words (notify.kinds): the back office's page of one names it so.
        return f"{kind_words(self.kind)}: {self.title}"


class DigestItem(models.Model):
    """One notification folded into a person's summary (cap.py, issue 12): what it would have
    said. A cause is in a summary at most once; the summary's own ``payload["count"]`` counts
    every fold. Read only through the summary, which is its recipient's own."""

    # No index of its own: the unique (digest, cause) serves every lookup by summary.
    digest = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="digest_items",
        db_index=False,
        verbose_name=_("summary"),
    )
    cause = models.CharField(_("cause"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("summarised notification")
        verbose_name_plural = _("summarised notifications")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["digest", "cause"], name="digest_item_once")]

    def __str__(self) -> str:
        return f"{self.digest_id}: {self.title}"


class ResidentMessage(models.Model):
    """A text message to a resident's phone (issue 13: 派单, 到场 and 完工 of their order), written
    in the same transaction as the change that caused it and sent by the worker through
    ``notify.sms.send_sms``: once per (cause, phone), with retries and backoff like the staff's
    outbox (the same states and lease)."""

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    phone = models.CharField(_("phone"), max_length=20)
    cause = models.CharField(_("cause"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    # The provider's template and its variables (notify.sms), e.g. a sign-in code's. The
    # variables are kept only until the message is sent or given up: then they are emptied and
    # their values read ****** in the text (notify.residents). A message still unsent at
    # ``expires_at`` is not sent (a code that no longer works).
    template = models.CharField(_("template"), max_length=40, blank=True, default="")
    params = models.JSONField(_("template variables"), default=dict, blank=True)
    expires_at = models.DateTimeField(_("not sent after"), null=True, blank=True)
    # The work order it is about (an id: notify sits below desk), for the office to look up.
    order_id = models.BigIntegerField(_("work order"), null=True, blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=140, unique=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=NotificationState.choices,
        default=NotificationState.PENDING,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease = models.CharField(_("lease"), max_length=40, blank=True, default="")
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to a resident")
        verbose_name_plural = _("messages to residents")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="resmsg_due"),
            models.Index(fields=["phone", "-created_at"], name="resmsg_phone"),
            # The purge (notify.purge): the oldest messages first.
            models.Index(fields=["created_at"], name="resmsg_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.phone}"
