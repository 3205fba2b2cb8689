"""The portal's own rows: one-time sign-in codes (hashed), the throttle keys that serialise their
sending across web processes, the record of sign-ins the office reads, and WeChat bindings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.community.models import Community
from propdesk.core.clock import local_minute


class SignInCode(models.Model):
    """One code sent by SMS: only its salted HMAC is kept. The rows are also the rate limits'
    memory (codes asked for a number, from an address, in the last day): an ask for a number off
    the register is a row too, whose hash no code matches, and no SMS is sent for it."""

    phone = models.CharField(max_length=20, db_index=True)
    client_ip = models.CharField(max_length=45, blank=True, db_index=True)
    code_hash = models.CharField(max_length=64)
    sent_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    burned = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["phone", "sent_at"], name="portal_code_phone_sent")]

    def __str__(self) -> str:
        return f"{self.phone} {local_minute(self.sent_at, '%Y-%m-%d %H:%M:%S')}"


class ThrottleKey(models.Model):
    """A row per phone number or client address, locked (an upsert that writes ``touched_at``)
    while its limits are checked and a code is written, so that two web processes never both
    send the last one. It holds no count (the codes do): the worker (portal.codes) deletes a
    row untouched for longer than the limits' longest window, and the next ask makes it again."""

    key = models.CharField(max_length=80, unique=True)
    # The last ask's time (the injected clock), written under the lock.
    touched_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.key


class Method(models.TextChoices):
    SMS = "sms", _("SMS code")
    WECHAT = "wechat", _("WeChat")


class SignIn(models.Model):
    """A resident's sign-in to the portal, one row per community of their households: who (the
    phone), when, from which address, how. Read in the back office."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    names = models.CharField(_("name"), max_length=200, blank=True)
    at = models.DateTimeField(_("signed in at"), db_index=True)
    client_ip = models.CharField(_("address"), max_length=45, blank=True)
    method = models.CharField(_("sign-in method"), max_length=10, choices=Method.choices)

    class Meta:
        verbose_name = _("resident sign-in")
        verbose_name_plural = _("resident sign-ins")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.names or self.phone} {local_minute(self.at)}"


class WechatBinding(models.Model):
    """A WeChat official account openid bound to a phone after one SMS sign-in in WeChat."""

    openid = models.CharField(max_length=64, unique=True)
    phone = models.CharField(max_length=20, db_index=True)
    bound_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.phone
