"""Return visits (RV-1, RV-3, RV-6, CP-2), the suggestions register (RV-4, RV-5), common issues
and their notices (RV-7), home visits (RV-8) and the recovery of dissatisfied owners."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.community.models import Building, Community, Household, Team
from propdesk.core.clock import local_minute
from propdesk.core.models import StoredFile
from propdesk.desk.models import ReplyChannel, WorkOrder


class VisitKind(models.TextChoices):
    ORDER = "order", _("Work order (same-day phone visit)")
    COMPLAINT = "complaint", _("Complaint follow-up")
    MONTHLY = "monthly", _("Monthly satisfaction visit")


class VisitChannel(models.TextChoices):
    PHONE = "phone", _("By phone")
    HOME = "home", _("Home visit")
    # The owner's own rating in the resident portal (业主自评): a return visit the owner made.
    PORTAL = "portal", _("Owner's own rating")


# How the office's staff make a return visit (RV-1: 电话、上门; RV-6: 电话回访): what their form
# offers and what the service takes from them. 业主自评 (``portal``) is the owner's own channel,
# written only by the resident portal.
STAFF_VISIT_CHANNELS: tuple[str, ...] = (VisitChannel.PHONE, VisitChannel.HOME)


class VisitOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    REFUSED = "refused", _("Refused")


class Level(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    FAIRLY_SATISFIED = "fairly_satisfied", _("Fairly satisfied")
    NOT_VERY_SATISFIED = "not_very_satisfied", _("Not very satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class ReturnVisit(models.Model):
    """One call or home visit to an owner: who answered what. A call nobody answered, or a
    refusal, is recorded too (with its retry time) but has no level and is no visit.

    ``order_kind``, ``team`` and ``building`` are copied from the order and household when the
    visit is written, so the KPI breakdowns group one table without joins."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=VisitKind.choices)
    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_visits",
        verbose_name=_("work order"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_visits",
        verbose_name=_("household"),
    )
    channel = models.CharField(_("channel"), max_length=8, choices=VisitChannel.choices)
    phone = models.CharField(_("number called"), max_length=20, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=VisitOutcome.choices)
    level = models.CharField(_("satisfaction"), max_length=20, choices=Level.choices, blank=True)
    opinion = models.TextField(_("what the owner said"), blank=True)
    retry_at = models.DateTimeField(_("try again at"), null=True, blank=True)
    # CS-3: the owner's answer to "what activity would you like" (optional).
    activity_wish = models.CharField(_("activity wished for"), max_length=200, blank=True)
    # Empty on the owner's own rating in the portal (channel ``portal``): nobody from the office.
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visited by"),
    )
    at = models.DateTimeField(_("at"))
    order_kind = models.CharField(_("kind of order"), max_length=20, blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )

    class Meta:
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        ordering = ["-at", "-id"]
        indexes = [
            # The KPIs of a month read only this index (month range, outcome, level).
            models.Index(fields=["community", "at", "outcome", "level"], name="rv_comm_kpi"),
            models.Index(fields=["order", "outcome"], name="rv_order_outcome"),
            models.Index(fields=["household", "at"], name="rv_household_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {local_minute(self.at)}"


class OrderRating(models.Model):
    """The owner's three scores (1 to 5 stars) of a finished order, given in the portal with
    its return visit (channel ``portal``): one rating per order."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    order = models.OneToOneField(
        WorkOrder, on_delete=models.PROTECT, related_name="rating", verbose_name=_("work order")
    )
    visit = models.OneToOneField(
        ReturnVisit, on_delete=models.PROTECT, related_name="rating", verbose_name=_("return visit")
    )
    speed = models.PositiveSmallIntegerField(_("speed of coming"))
    attitude = models.PositiveSmallIntegerField(_("attitude of the staff"))
    result = models.PositiveSmallIntegerField(_("result of the work"))
    phone = models.CharField(_("rated from"), max_length=20)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("owner's rating")
        verbose_name_plural = _("owner's ratings")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["community", "at"], name="rating_comm_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(speed__gte=1, speed__lte=5)
                & models.Q(attitude__gte=1, attitude__lte=5)
                & models.Q(result__gte=1, result__lte=5),
                name="rating_scores_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.speed}/{self.attitude}/{self.result}"


class ItemKind(models.TextChoices):
    OPINION = "opinion", _("Opinion")
    CRITICISM = "criticism", _("Criticism")
    SUGGESTION = "suggestion", _("Suggestion")


class ItemState(models.TextChoices):
    OPEN = "open", _("Open")
    REPLIED = "replied", _("Replied")


class SuggestionItem(models.Model):
    """One opinion, criticism or suggestion of an owner (RV-4), studied and answered in writing
    (RV-5). It may belong to a common issue (RV-7)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    text = models.TextField(_("text"))
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    area = models.CharField(_("area"), max_length=50, blank=True)
    # Tagged 活动: the owner wishes for a community activity (CS-3 plans each quarter's from these).
    is_activity_wish = models.BooleanField(_("activity wish"), default=False)
    visit = models.ForeignKey(
        ReturnVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("return visit"),
    )
    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work order"),
    )
    common_issue = models.ForeignKey(
        "CommonIssue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("common issue"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ItemState.choices, default=ItemState.OPEN
    )
    reply = models.TextField(_("reply to the owner"), blank=True)
    reply_channel = models.CharField(
        _("replied by way of"), max_length=10, choices=ReplyChannel.choices, blank=True
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("opinion or suggestion")
        verbose_name_plural = _("opinions and suggestions")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["community", "state", "created_at"], name="item_comm_state_time"),
        ]

    def __str__(self) -> str:
        return self.text[:30]


class IssueState(models.TextChoices):
    OPEN = "open", _("Open")
    NOTICE_POSTED = "notice_posted", _("Notice posted")
    DROPPED = "dropped", _("Dropped")


class CommonIssue(models.Model):
    """The same problem raised by many households (RV-7): answered within a week by a written
    notice on the lobby bulletin board."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    area = models.CharField(_("area"), max_length=50, blank=True)
    orders = models.ManyToManyField(
        WorkOrder, blank=True, related_name="common_issues", verbose_name=_("work orders")
    )
    state = models.CharField(
        _("state"), max_length=14, choices=IssueState.choices, default=IssueState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"))
    notice_due_at = models.DateTimeField(_("notice due at"), null=True, blank=True)
    notice_posted_at = models.DateTimeField(_("notice posted at"), null=True, blank=True)
    dropped_at = models.DateTimeField(_("dropped at"), null=True, blank=True)
    drop_reason = models.TextField(_("why dropped"), blank=True)

    class Meta:
        verbose_name = _("common issue")
        verbose_name_plural = _("common issues")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["community", "opened_at"], name="issue_comm_time")]

    def __str__(self) -> str:
        return self.title

    @property
    def clock_subject(self) -> str:
        return f"common_issue:{self.pk}"


class Notice(models.Model):
    """A written notice (书面通知) for the lobby bulletin board; printed on A4, shown on the
    resident portal once posted."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    common_issue = models.ForeignKey(
        CommonIssue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("common issue"),
    )
    # Empty: the whole community's notice; set: for that building's households (and the board).
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("body"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("written by"),
    )
    written_at = models.DateTimeField(_("written at"))
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["community", "posted_at"], name="notice_comm_posted")]

    def __str__(self) -> str:
        return self.title


def notice_photo_path(instance: NoticePhoto, filename: str) -> str:
    return f"notices/{instance.notice.community_id}/{instance.notice_id}/{filename}"


class NoticePhoto(StoredFile):
    """The photo of the notice on the board: the proof it was posted."""

    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, related_name="photos", verbose_name=_("notice")
    )
    file = models.FileField(_("file"), upload_to=notice_photo_path)

    class Meta:
        verbose_name = _("notice photo")
        verbose_name_plural = _("notice photos")
        ordering = ["uploaded_at", "id"]


class HomeVisitState(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class HomeVisit(models.Model):
    """An administrator's visit at home for a prominent issue of a few households (RV-8)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    administrator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="home_visits",
        verbose_name=_("administrator"),
    )
    households = models.ManyToManyField(
        Household, related_name="home_visits", verbose_name=_("households")
    )
    common_issue = models.ForeignKey(
        CommonIssue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="home_visits",
        verbose_name=_("common issue"),
    )
    reason = models.TextField(_("the issue"))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=HomeVisitState.choices,
        default=HomeVisitState.ASSIGNED,
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["community", "state", "due_at"], name="hv_comm_state_due")]

    def __str__(self) -> str:
        return f"{self.administrator} · {local_minute(self.due_at)}"

    @property
    def clock_subject(self) -> str:
        """RV-8's subject: the administrator (escalations reach them), then this visit."""
        return f"{self.administrator_id}:home_visit:{self.pk}"


class RecoveryState(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting recovery")
    TURNED = "turned", _("Turned satisfied")


class Recovery(models.Model):
    """An order whose owner answered 不太满意 or 不满意: back in front of the office head until a
    later visit finds the owner satisfied."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, related_name="recoveries", verbose_name=_("work order")
    )
    visit = models.ForeignKey(
        ReturnVisit, on_delete=models.PROTECT, related_name="+", verbose_name=_("return visit")
    )
    owner_words = models.TextField(_("the owner's words"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=RecoveryState.choices, default=RecoveryState.AWAITING
    )
    opened_at = models.DateTimeField(_("opened at"))
    turned_at = models.DateTimeField(_("turned at"), null=True, blank=True)
    turned_visit = models.ForeignKey(
        ReturnVisit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("satisfied visit"),
    )

    class Meta:
        verbose_name = _("dissatisfied order")
        verbose_name_plural = _("dissatisfied orders")
        ordering = ["opened_at", "id"]
        indexes = [
            models.Index(fields=["community", "state", "opened_at"], name="recovery_comm_state"),
            models.Index(fields=["community", "turned_at"], name="recovery_comm_turned"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(state="awaiting"),
                name="recovery_one_awaiting_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.get_state_display()}"
