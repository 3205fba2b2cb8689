"""The office's convenience services: the service cart (CS-1), concierge requests (CS-2) and
the community's quarterly activities (CS-3)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propdesk.community.models import Community, Household
from propdesk.core.clock import local_minute
from propdesk.followup.models import Level, Notice, ReturnVisit, SuggestionItem

# --- service cart (CS-1) --------------------------------------------------------------------------


class CartItem(models.Model):
    """One kind of thing the office lends (手推车, 梯子, 雨伞 …) in one community, with its stock.

    ``available`` is how many are on the shelf now: it goes down by one per loan (or portal
    reservation) in one conditional UPDATE (``available > 0``), so two desks lending the last one
    at once cannot both have it; the database refuses a negative count as well."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="cart_items", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=50)
    stock = models.PositiveIntegerField(_("stock"), help_text=_("How many the office owns"))
    available = models.IntegerField(_("on the shelf"), default=0, editable=False)
    loan_hours = models.PositiveIntegerField(
        _("usual loan (hours)"), default=4, help_text=_("The due time a new loan proposes")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("service cart")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="cart_item_name_unique"),
            models.CheckConstraint(
                condition=models.Q(available__gte=0), name="cart_item_available_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(available__lte=models.F("stock")),
                name="cart_item_available_within_stock",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LoanState(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    LENT = "lent", pgettext_lazy("loan", "Lent")
    RETURNED = "returned", pgettext_lazy("loan", "Returned")
    CANCELLED = "cancelled", _("Cancelled")


class ReturnCondition(models.TextChoices):
    INTACT = "intact", _("Intact")
    DAMAGED = "damaged", _("Damaged")
    LOST = "lost", _("Lost")


class Loan(models.Model):
    """One thing lent to a household (CS-1): lent at the front desk (or reserved from the portal,
    then handed over), due back at ``due_at``, returned with its condition. Overdue when
    ``now > due_at`` while lent; the borrower is reminded once (``reminded_at``, LoanReminder)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    item = models.ForeignKey(
        CartItem, on_delete=models.PROTECT, related_name="loans", verbose_name=_("item")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="loans", verbose_name=_("household")
    )
    borrower_name = models.CharField(_("borrower's name"), max_length=50)
    borrower_phone = models.CharField(_("phone"), max_length=20)
    state = models.CharField(_("state"), max_length=10, choices=LoanState.choices)
    reserved_at = models.DateTimeField(_("reserved at"), null=True, blank=True)
    lent_at = models.DateTimeField(_("lent at"), null=True, blank=True)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lent by"),
    )
    due_at = models.DateTimeField(_("due back"))
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("returned to"),
    )
    condition = models.CharField(
        _("condition"), max_length=10, choices=ReturnCondition.choices, blank=True
    )
    return_note = models.CharField(_("note on return"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["-due_at", "-id"]
        indexes = [
            # The overdue sweep: lent, due, not yet reminded (a stored deadline, never a scan).
            models.Index(
                fields=["due_at"],
                name="loan_overdue_due",
                condition=models.Q(state="lent", reminded_at__isnull=True),
            ),
            models.Index(fields=["community", "state", "due_at"], name="loan_comm_state_due"),
            models.Index(fields=["community", "lent_at"], name="loan_comm_lent"),
            models.Index(fields=["household", "state"], name="loan_household_state"),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.household}"

    def is_overdue(self, now: datetime) -> bool:
        return self.state == LoanState.LENT and now > self.due_at


class ReminderState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class LoanReminder(models.Model):
    """The outbox row of an overdue loan's text message to the borrower: one per loan (the
    unique loan is the "once"), written in the transaction that found the loan overdue, sent by
    the worker through ``propdesk.notify.sms.send_sms`` with retries."""

    loan = models.OneToOneField(
        Loan, on_delete=models.CASCADE, related_name="reminder", verbose_name=_("loan")
    )
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="+", verbose_name=_("community")
    )
    phone = models.CharField(_("phone"), max_length=20)
    text = models.CharField(_("text"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="loan_reminder_due")]

    def __str__(self) -> str:
        return f"{self.get_state_display()} · {local_minute(self.created_at)}"


# --- concierge requests (CS-2) --------------------------------------------------------------------


class RequestKind(models.TextChoices):
    ELDERLY = "elderly", _("Help an elderly owner home")
    LUGGAGE = "luggage", _("Carry luggage to the lift")
    SICK_OR_DISABLED = "sick", _("Help a sick or disabled owner")
    OTHER = "other", _("Other help")


class RequestSource(models.TextChoices):
    FRONT_DESK = "front_desk", _("Front desk")
    CONCIERGE = "concierge", _("Concierge")
    RESIDENT = "resident", _("Resident")


class RequestState(models.TextChoices):
    NEW = "new", _("Waiting to be accepted")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ConciergeRequest(models.Model):
    """A request for the concierge's help (CS-2), at any hour: who, where, when, what. Given to
    the concierge on duty at ``wanted_at`` (the roster: a shift of a concierge team), accepted
    (接单) and done (完成) with their times; the times are the request's history."""

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="concierge_requests",
        verbose_name=_("community"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concierge_requests",
        verbose_name=_("household"),
    )
    requester_name = models.CharField(_("owner's name"), max_length=50, blank=True)
    requester_phone = models.CharField(_("phone"), max_length=20, blank=True)
    kind = models.CharField(_("kind of help"), max_length=10, choices=RequestKind.choices)
    location = models.CharField(_("where"), max_length=100)
    note = models.CharField(_("what is needed"), max_length=300, blank=True)
    wanted_at = models.DateTimeField(_("when"))
    source = models.CharField(_("logged by"), max_length=12, choices=RequestSource.choices)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("logged at"))
    state = models.CharField(
        _("state"), max_length=10, choices=RequestState.choices, default=RequestState.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="concierge_requests",
        verbose_name=_("concierge"),
    )
    assigned_at = models.DateTimeField(_("given at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.CharField(_("what was done"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("concierge request")
        verbose_name_plural = _("concierge requests")
        ordering = ["-wanted_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state", "wanted_at"], name="creq_comm_state_time"),
            models.Index(fields=["community", "created_at"], name="creq_comm_created"),
            models.Index(fields=["assignee", "state"], name="creq_assignee_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.location}"


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
