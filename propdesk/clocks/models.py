"""Stored clocks: one row per timed obligation, with its deadline computed once at the start.

The sweeper reads only rows whose ``next_check_at`` has come (an index on it), so its cost grows
with what is due, not with all open orders.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propdesk.core.clock import local_minute
from propdesk.core.rule_names import rule_name


class PolicyVersion(models.Model):
    """The effective policy of a community as it was when clocks started under it."""

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="policy_versions",
        verbose_name=_("community"),
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=32)
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "fingerprint"], name="policy_version_unique"
            )
        ]

    def __str__(self) -> str:
        # The version by when it came into force (its fingerprint tells versions apart).
        return f"{local_minute(self.created_at)} · {self.fingerprint[:8]}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


# A live clock: still to be met, running or breached. A breached clock stays "breached" once met
# late or cancelled (the figures count it as a breach), with its met_at or cancelled_at; a met
# one has its met_at, a cancelled one its cancelled_at. So the live clocks are those with
# neither, and the indexes of the live clocks hold only them: by state alone they held every
# breach the community ever had, met or not, read first by every walk of the nearest deadlines
# (at 1,000,000 orders with one clock in ten once breached, the board 575-656 ms, 110-137 with
# the live clocks alone). A query one of them serves states both terms: SQLite uses a partial
# index only when the query's own condition contains its terms.
LIVE = models.Q(met_at__isnull=True, cancelled_at__isnull=True)


class Clock(models.Model):
    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="clocks",
        verbose_name=_("community"),
        db_index=False,
    )
    order = models.ForeignKey(
        "desk.WorkOrder",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clocks",
        verbose_name=_("work order"),
        db_index=False,
    )
    contact = models.ForeignKey(
        "desk.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clocks",
        verbose_name=_("contact"),
        db_index=False,
    )
    rule_id = models.CharField(_("rule"), max_length=32)
    title = models.CharField(_("title"), max_length=100)
    # Whom or what the clock is about within its order: a responder, a household; "" for the
    # order itself.
    subject = models.CharField(_("subject"), max_length=64, blank=True)
    period = models.PositiveIntegerField(_("period"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warn at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("met by"),
        db_index=False,
    )
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancelled because"), max_length=50, blank=True)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    # When the sweeper must look at this clock next; NULL once nothing more can happen.
    next_check_at = models.DateTimeField(_("next check"), null=True, blank=True)
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="clocks",
        verbose_name=_("policy version"),
        # Read only from the clock (select_related); nothing lists a version's clocks, and a
        # version is never deleted. One index write less per clock started.
        db_index=False,
    )
    progress = models.JSONField(_("progress"), default=list, blank=True)
    # A waiting state of the order (policy ``waiting``) stops the clock: when it was paused (NULL:
    # counting; next_check_at is NULL meanwhile) and the seconds it was paused in all, by which
    # its deadline has moved.
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused for (seconds)"), default=0)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="clock_next_check",
                condition=models.Q(next_check_at__isnull=False),
            ),
            # An order's clocks, a contact's clocks: the foreign keys have no index of their
            # own (nor community, which clock_compliance leads with), and each is indexed only
            # where it is set (an order's clocks have no contact, a call's no order).
            models.Index(
                fields=["order", "state"],
                name="clock_order_state",
                condition=models.Q(order__isnull=False),
            ),
            models.Index(
                fields=["contact", "state"],
                name="clock_contact_state",
                condition=models.Q(contact__isnull=False),
            ),
            models.Index(
                fields=["met_by"], name="clock_met_by", condition=models.Q(met_by__isnull=False)
            ),
            models.Index(fields=["community", "started_at", "rule_id"], name="clock_compliance"),
            # The console's queues: live clocks of some rules, nearest deadline first.
            models.Index(
                fields=["community", "state", "rule_id", "due_at"],
                name="clock_live_rule",
                condition=LIVE,
            ),
            # The board's order: the community's live, unpaused clocks nearest first (the
            # board walks them until it has a page), and an order's own nearest one.
            models.Index(
                fields=["community", "due_at"],
                name="clock_live_due",
                condition=LIVE & models.Q(paused_at__isnull=True),
            ),
            models.Index(
                fields=["order", "due_at"],
                name="clock_live_order_due",
                condition=LIVE & models.Q(paused_at__isnull=True),
            ),
            # The community's own live clocks (no order, no contact: call-backs, quotas,
            # notices), read by clocks_on_event at every call logged with a number
            # (FD-1-callback) and by the call-backs to make: a few rows, where clock_live_rule
            # would walk every live clock of the community, and all its own clocks every call
            # ever missed and called back late.
            models.Index(
                fields=["community", "state"],
                name="clock_community_own_live",
                condition=models.Q(order__isnull=True, contact__isnull=True) & LIVE,
            ),
            # Has each community its quota clock of this period (RV-1 each month, CS-3 each
            # quarter)? Asked of every community at once, every 30 seconds by the worker.
            models.Index(
                fields=["rule_id", "started_at"],
                name="clock_community_own_start",
                condition=models.Q(order__isnull=True, contact__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        # As a person reads it (a back-office page's title): the rule as staff see it, its state
        # in words and the deadline in local time.
        return _("%(rule)s %(title)s · %(state)s · due %(due)s") % {
            "rule": self.rule_id,
            "title": rule_name(self.rule_id, self.title),
            "state": self.get_state_display(),
            "due": local_minute(self.due_at),
        }


# What a person reads for each line of a clock's log (the glossary's 时限 row).
CLOCK_LOG_LABELS = {
    "started": pgettext_lazy("clock", "timing started"),
    "warned": pgettext_lazy("clock", "due soon"),
    "met": pgettext_lazy("clock", "on time"),
    "met_late": pgettext_lazy("clock", "done late"),
    "breached": pgettext_lazy("clock", "overdue"),
    "escalated": pgettext_lazy("clock", "escalated"),
    "cancelled": pgettext_lazy("clock", "cancelled"),
    "recomputed": pgettext_lazy("clock", "deadline recomputed"),
    "paused": pgettext_lazy("clock", "timing paused"),
    "resumed": pgettext_lazy("clock", "timing resumed"),
}


class ClockLog(models.Model):
    """What happened to a clock: started, warned, met, breached, escalated, cancelled,
    recomputed. Append-only; the order's timeline shows it beside the order's own events."""

    clock = models.ForeignKey(
        Clock, on_delete=models.CASCADE, related_name="log", verbose_name=_("clock")
    )
    # Indexed by clocklog_order_time, which leads with the order.
    order = models.ForeignKey(
        "desk.WorkOrder",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField(_("at"))
    what = models.CharField(_("what"), max_length=20)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("clock log entry")
        verbose_name_plural = _("clock log")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"], name="clocklog_order_time")]

    def __str__(self) -> str:
        return (
            f"{self.clock_id} {CLOCK_LOG_LABELS.get(self.what, self.what)} {local_minute(self.at)}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("the clock log is append-only")
        super().save(*args, **kwargs)

    @staticmethod
    def label_for(what: str) -> str:
        """The line's words (CLOCK_LOG_LABELS); an unknown key is shown as it is stored."""
        label = CLOCK_LOG_LABELS.get(what)
        return str(label) if label is not None else what


class CalendarDay(models.Model):
    """An office's own working day or day off, over the statutory calendar."""

    community = models.ForeignKey(
        "community.Community",
        on_delete=models.CASCADE,
        related_name="calendar_days",
        verbose_name=_("community"),
    )
    day = models.DateField(_("day"))
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("office calendar day")
        verbose_name_plural = _("office calendar")
        ordering = ["community", "day"]
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="calendar_day_unique")
        ]

    def __str__(self) -> str:
        kind = _("working day") if self.is_working else _("day off")
        return f"{self.day} {kind}"


class CalendarSource(models.Model):
    """The statutory calendar data last seen, so a package update triggers a recompute."""

    fingerprint = models.CharField(max_length=100)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.fingerprint


class ClockInput(models.Model):
    """One input of the clock engine as it happened: the event, its facts and data, for whom
    (an order, a contact, or the community itself). Append-only, written by ``clocks_on_event``
    in the event's transaction, so that a month can be replayed exactly under another policy
    (``manage.py replay``). ``data`` is stored with ``propdesk.policy.replay.encode_data`` (its
    datetimes tagged), ``facts`` are the order's facts after the event, ``new`` says the owner
    was just created (the engine read no running clocks)."""

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    order = models.ForeignKey(
        "desk.WorkOrder", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "desk.Contact",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # clockinput_contact, below
    )
    at = models.DateTimeField()
    event = models.CharField(max_length=40)
    subject = models.CharField(max_length=64, blank=True)
    new = models.BooleanField(default=False)
    facts = models.JSONField(default=dict, blank=True)
    roles = models.JSONField(default=list, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The month's owners.
            models.Index(fields=["community", "at"], name="clockinput_community_at"),
            # The community's own clocks (quotas, call-backs, notices): no order, no contact.
            models.Index(
                fields=["community", "id"],
                name="clockinput_community_own",
                condition=models.Q(order__isnull=True, contact__isnull=True),
            ),
            # A contact's inputs (most inputs are an order's: no entry for those).
            models.Index(
                fields=["contact"],
                name="clockinput_contact",
                condition=models.Q(contact__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {local_minute(self.at)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("clock inputs are append-only")
        super().save(*args, **kwargs)
