"""Contacts (calls, visits, letters, messages), work orders, their append-only events, and the
service catalogue (the company's Service Refinement Plan)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from propdesk.community.models import Community, Household, Place, Team, TeamKind
from propdesk.core.clock import local_minute
from propdesk.core.models import StoredFile
from propdesk.policy.workflow import State


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    WRITTEN = "written", _("Written letter")
    ONLINE = "online", _("Online message")
    # Issue 13: the resident reported it in the portal, no staff member took it.
    RESIDENT = "resident", _("Resident self-service")


class OrderKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    REPAIR = "repair", pgettext_lazy("order kind", "Repair")  # 报修 (GLOSSARY), not 维修
    HOUSEKEEPING = "housekeeping", _("Housekeeping")
    CONSULTATION = "consultation", _("Consultation")
    SUGGESTION = "suggestion", _("Suggestion")
    CONCIERGE = "concierge", _("Concierge")
    OTHER = "other", _("Other")


class ComplaintType(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    WRITTEN = "written", _("Written complaint")
    ATTITUDE = "attitude", _("Service attitude")
    GENERAL = "general", _("General complaint")


class OrderState(models.TextChoices):
    """The states. These labels are the words over every kind (a filter over all orders); an
    order shows its state in its kind's words (``state_label``): GLOSSARY.md, a repair or a
    service is 完工, a complaint 受理 and 办结."""

    NEW = State.NEW.value, _("New")
    DISPATCHED = State.DISPATCHED.value, _("Dispatched")
    ACCEPTED = State.ACCEPTED.value, pgettext_lazy("order state, any kind", "Accepted or taken")
    ON_SITE = State.ON_SITE.value, _("On site")
    RESOLVED = (
        State.RESOLVED.value,
        pgettext_lazy("order state, any kind", "Completed or handled to the end"),
    )
    FOLLOWED_UP = State.FOLLOWED_UP.value, _("Followed up")
    CLOSED = State.CLOSED.value, _("Closed")
    RETURNED = State.RETURNED.value, _("Returned")
    CANCELLED = State.CANCELLED.value, _("Cancelled")
    REOPENED = State.REOPENED.value, _("Reopened")


_STATE_VALUES = frozenset(OrderState.values)


# The states a kind names in its own words (GLOSSARY.md): the administrator takes (受理) a
# complaint and handles it to the end (办结); a repair or a service is completed (完工); an
# emergency is handled (处置完毕), neither. A suggestion or a consultation is the office's, as a
# complaint is: 办结. A state not here reads as OrderState's label.
_COMPLAINT_WORDS = {
    State.ACCEPTED.value: pgettext_lazy("complaint state", "Taken"),
    State.RESOLVED.value: pgettext_lazy("complaint state", "Handled to the end"),
}
_OFFICE_WORDS = {State.RESOLVED.value: pgettext_lazy("complaint state", "Handled to the end")}
_SERVICE_WORDS = {
    State.ACCEPTED.value: pgettext_lazy("service state", "Accepted"),
    State.RESOLVED.value: pgettext_lazy("service state", "Completed"),
}
_EMERGENCY_WORDS = {State.RESOLVED.value: pgettext_lazy("emergency state", "Handled")}
_KIND_STATE_WORDS: dict[str, dict[str, Any]] = {
    "complaint": _COMPLAINT_WORDS,
    "consultation": _OFFICE_WORDS,
    "suggestion": _OFFICE_WORDS,
    "repair": _SERVICE_WORDS,
    "housekeeping": _SERVICE_WORDS,
    "concierge": _SERVICE_WORDS,
    "other": _SERVICE_WORDS,
}


def state_label(state: str, kind: str, *, emergency: bool = False) -> str:
    """The one place a work order's state gets its words: ``state`` of an order of ``kind`` (an
    emergency is stored as a complaint but is its own thing), in the active language. Every
    screen, message, paper form, workbook, text message and the API's ``state_display`` read
    it (``WorkOrder.get_state_display``)."""
    words = _EMERGENCY_WORDS if emergency else _KIND_STATE_WORDS.get(kind, {})
    label = words.get(state)
    if label is None:
        label = OrderState(state).label if state in _STATE_VALUES else state
    return str(label)


class ReplyChannel(models.TextChoices):
    # The office answering by phone is 电话; "Phone call" alone is the channel a call came in by
    # (来电), which is not how the owner was answered.
    PHONE = "phone", pgettext_lazy("reply channel", "Phone call")
    VISIT = "visit", _("In person")
    SMS = "sms", _("Text message")
    WECHAT = "wechat", _("WeChat")
    WRITTEN = "written", _("In writing")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved on the spot")
    WORK_ORDER = "work_order", _("Work order opened")
    PROMISED = "promised", _("Promised a time")


class ServiceItem(models.Model):
    """One line of the Service Refinement Plan (《服务细化方案》): DS-2."""

    company = models.ForeignKey(
        "community.Company",
        on_delete=models.PROTECT,
        related_name="service_items",
        verbose_name=_("company"),
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("order kind"), max_length=20, choices=OrderKind.choices)
    team_kind = models.CharField(_("team"), max_length=20, choices=TeamKind.choices)
    steps = models.JSONField(_("standard steps"), default=list, blank=True)
    time_standard_minutes = models.PositiveIntegerField(_("time standard (minutes)"))
    fee = models.DecimalField(_("fee (yuan)"), max_digits=9, decimal_places=2, default=0)
    fee_note = models.CharField(_("fee note"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service catalogue")
        ordering = ["company", "code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="service_item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Contact(models.Model):
    """Every call, visit, letter and online message the front desk takes (FD-2, FD-3)."""

    # No index of their own for the community and the household: each leads one of Meta's
    # indexes, which answer every lookup by them (a call logged writes two indexes fewer).
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("community"),
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    caller_name = models.CharField(_("caller's name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    caller_phone_ext = models.CharField(_("extension"), max_length=6, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("household"),
        db_index=False,
    )
    room_text = models.CharField(_("room as told"), max_length=40, blank=True)
    intent = models.CharField(_("intent"), max_length=20, choices=OrderKind.choices)
    content = models.TextField(_("what was said"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    resolution = models.TextField(_("how it was resolved"), blank=True)
    promised_at = models.DateTimeField(_("promised resolution time"), null=True, blank=True)
    promise_reason = models.TextField(_("why it cannot be done now"), blank=True)
    promise_kept_at = models.DateTimeField(_("promise kept at"), null=True, blank=True)
    promise_result = models.TextField(_("what was done for the promise"), blank=True)
    owner_agitated = models.BooleanField(_("owner agitated, moved to a quiet room"), default=False)
    # Empty for a resident's own report in the portal (channel RESIDENT): no staff member took it.
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    created_at = models.DateTimeField(_("logged at"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["community", "-received_at"], name="contact_comm_time"),
            models.Index(fields=["household", "-received_at"], name="contact_household_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {local_minute(self.received_at)} {self.caller_name}"


class WorkOrder(models.Model):
    """The 《服务工作单》. Its state changes only through desk.services, each with an event."""

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="work_orders",
        verbose_name=_("community"),
        db_index=False,
    )
    number = models.CharField(_("number"), max_length=32)
    kind = models.CharField(_("kind"), max_length=20, choices=OrderKind.choices)
    complaint_type = models.CharField(
        _("complaint type"), max_length=12, choices=ComplaintType.choices, blank=True
    )
    is_important = models.BooleanField(_("important"), default=False)
    is_long_running = models.BooleanField(_("long-running"), default=False)
    is_construction_legacy = models.BooleanField(_("construction legacy"), default=False)
    # Issue 16: an urgent repair (急修), marked at intake or later (mark_urgent, unmark_urgent):
    # its arrival clock (DS-1-arrival).
    is_urgent = models.BooleanField(_("urgent repair"), default=False)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("household"),
        db_index=False,
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    # The place whose QR sticker the report came from (or the front desk picked): its label is
    # also in ``location``; the place's page lists its open orders.
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("sticker place"),
        db_index=False,
    )
    description = models.TextField(_("description"))
    reporter_name = models.CharField(_("reported by"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    appointment_at = models.DateTimeField(
        _("appointment"),
        null=True,
        blank=True,
        help_text=_("When the owner asked us to come (the technician's plan)"),
    )
    no_written_material = models.BooleanField(
        _("the owner left no written material"), default=False
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("contact"),
        db_index=False,  # wo_contact, below
    )
    service_item = models.ForeignKey(
        ServiceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service item"),
        db_index=False,  # read only through its order; no list of a service item's orders
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        verbose_name=_("team"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_orders",
        verbose_name=_("assignee"),
        db_index=False,
    )
    state = models.CharField(
        _("state"), max_length=12, choices=OrderState.choices, default=OrderState.NEW
    )
    # Optimistic lock: every change bumps it; an action names the version it was decided on.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The order waits for the owner or for parts (issue 16): the waiting kind (a key of the
    # policy's ``waiting``; "" when it does not wait) and since when. Set by ``wait``, cleared by
    # ``end_wait`` or the next action that moves the order on.
    waiting = models.CharField(_("waiting for"), max_length=20, blank=True, default="")
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # Empty for an order a resident reported in the portal (its reporter fields say who).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
        db_index=False,  # read only through its order; no list of the orders someone opened
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # What the team wrote on completion (with the resolve note): materials used, fee charged.
    materials = models.CharField(_("materials used"), max_length=200, blank=True)
    fee_charged = models.DecimalField(
        _("fee charged (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    # CP-5: the staff member a service-attitude complaint names, and that person's account.
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attitude_complaints",
        verbose_name=_("staff member complained about"),
        db_index=False,
    )
    staff_account = models.TextField(_("the staff member's account"), blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="work_order_number_unique")
        ]
        # The foreign keys that lead a composite index below have no single-column index of
        # their own (community, team, assignee, household, place): one index write less per
        # order for each. A key empty on most orders is indexed only where it is set. Keys
        # nothing looks orders up by (created_by, service_item) have no index at all: each
        # index is a page more for every create to write (bench/RESULTS.md, "The pages a
        # create writes"); deleting such a user or service item, which the app never does and
        # PROTECT refuses while orders name it, reads the table instead.
        indexes = [
            # A community's orders in some states, newest first. On PostgreSQL it carries each
            # order's id (INCLUDE), so that the board counts its open orders and the overdue
            # among them from the index alone (queues._open_and_overdue); SQLite's indexes hold
            # the row's id already (Django leaves ``include`` out there).
            models.Index(
                fields=["community", "state", "-created_at"],
                name="wo_comm_state_time",
                include=["id"],
            ),
            models.Index(fields=["community", "-created_at"], name="wo_comm_time"),
            models.Index(fields=["community", "kind", "state"], name="wo_comm_kind_state"),
            models.Index(fields=["team", "state"], name="wo_team_state"),
            # A person's orders in some states; with community and team, a person's jobs as
            # the access scope sees them are counted from the index alone (a leader holding
            # 9,851 at 1,000,000 orders: each order read by its key before).
            models.Index(
                fields=["assignee", "state", "community", "team"], name="wo_assignee_scope"
            ),
            models.Index(fields=["household", "-created_at"], name="wo_household_time"),
            # 查找工单 by the name a caller gave (desk.search._reported_by): a community's
            # orders whose reporter's name begins so (王, 王先生). On PostgreSQL in the pattern
            # operator class, so that LIKE '王%' is a range of it whatever the database's
            # collation; SQLite reads a range of names (>= '王' and < '王' + U+10FFFF).
            models.Index(
                fields=["community", "reporter_name"],
                name="wo_comm_reporter",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            # 查找工单 by a whole phone number (desk.search._reported_without_a_call): the
            # orders opened with no call, visit or portal report (the API's, an emergency's),
            # whose reporter's number the calls cannot find. An entry only for such an order:
            # the front desk's intake, whose orders all have a contact, writes nothing more. Read
            # with ``contact IS NULL`` in the query: SQLite uses a partial index only for a
            # condition it sees to be the index's own.
            models.Index(
                fields=["community", "reporter_phone"],
                name="wo_comm_reporter_phone",
                condition=models.Q(contact__isnull=True),
            ),
            models.Index(fields=["place", "state"], name="wo_place_state"),
            # Orders resolved in a month, by kind (return-visit rates, followup.selectors).
            models.Index(fields=["community", "kind", "resolved_at"], name="wo_comm_kind_resolved"),
            # The board's first rows: a community's open emergencies, without reading its other
            # open orders (41,000 at 1,000,000 orders).
            models.Index(
                fields=["community", "state"],
                name="wo_comm_emergency",
                condition=models.Q(complaint_type="emergency"),
            ),
            # The office head's written, important and service-attitude complaints, open ones
            # by state, without reading the community's other open complaints (4,173 at
            # 1,000,000 orders, to keep 135). An entry only for such a complaint: the create of
            # any other order writes nothing more. Its columns are wo_comm_kind_state's (kind is
            # always the same word here): with fewer columns than that index, SQLite chose that
            # one. Read with the words written into the query (``queues.special_complaints``,
            # ``core.literal``): SQLite uses a partial index only for a condition it sees to be
            # the index's own.
            models.Index(
                fields=["community", "kind", "state"],
                name="wo_comm_special",
                condition=models.Q(kind="complaint")
                & (
                    models.Q(complaint_type__in=["written", "attitude"])
                    | models.Q(is_important=True)
                ),
            ),
            # The orders opened from a contact (its page, the intake's message): the desk's and
            # the portal's; an order opened through the API or for an emergency has none.
            models.Index(
                fields=["contact"], name="wo_contact", condition=models.Q(contact__isnull=False)
            ),
            # CP-5: the service-attitude complaints naming a staff member, newest first (the
            # staff member's record), without walking the community's orders.
            models.Index(
                fields=["staff_member", "-created_at"],
                name="wo_staff_member",
                condition=models.Q(staff_member__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_emergency(self) -> bool:
        """An emergency is stored as a complaint of type emergency, but it is its own thing."""
        return self.kind == OrderKind.COMPLAINT and self.complaint_type == ComplaintType.EMERGENCY

    def get_state_display(self) -> str:  # type: ignore[no-redef]  # the choices' one, replaced
        """The state in this order's words (``state_label``: 已办结 on a complaint, 已完工 on a
        repair), not the words over every kind."""
        return state_label(self.state, self.kind, emergency=self.is_emergency)

    @property
    def kind_label(self) -> str:
        """The order's kind as a person reads it, in the active language: 紧急事件 for an
        emergency (never a kind of complaint), else the kind, with the complaint type for a
        complaint (投诉 · 书面投诉). From the enums, not get_FOO_display(), which rebuilds
        every lazy choice label on each call (the board draws hundreds)."""
        if self.is_emergency:
            return str(ComplaintType.EMERGENCY.label)
        kind = str(OrderKind(self.kind).label) if self.kind in OrderKind.values else self.kind
        if self.kind == OrderKind.COMPLAINT and self.complaint_type in ComplaintType.values:
            return f"{kind} · {ComplaintType(self.complaint_type).label}"
        return kind


class OwnerReopen(models.TextChoices):
    """Why the owner reopens a finished job from the resident portal."""

    NOT_FIXED = "not_fixed", _("Not fixed")
    PARTLY = "partly", _("Partly solved")


class EventAction(models.TextChoices):
    """Every line a work order's timeline can have: the one vocabulary of events, with the words
    a person reads (GLOSSARY.md). Written only through desk.services.order_event_write."""

    CREATE = "create", _("Opened")
    TAKE = "take", _("Taken by the administrator")
    CLAIM = "claim", _("Taken from the pool")
    DISPATCH = "dispatch", _("Dispatched")
    ASSIGN = "assign", _("Dispatched to a member")
    TRANSFER = "transfer", _("Transferred")
    ACCEPT = "accept", _("Accepted")
    RETURN = "return", _("Given back")
    CHECK_IN = "check_in", _("Arrived on site")
    REPLY = "reply", _("Answered the owner")
    RESOLVE = "resolve", _("Completed")
    FOLLOW_UP = "follow_up", _("Follow-up recorded")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")
    CANCEL = "cancel", _("Cancelled the order")
    URGE = "urge", _("Urged by the owner")
    CONTACT_OWNER = "contact_owner", _("Weekly progress call")
    WAIT = "wait", _("Waiting")
    END_WAIT = "end_wait", _("Waiting ended")
    FLAG = "flag", _("Marks changed")
    ATTACH = "attach", _("File attached")
    STAFF_ACCOUNT = "staff_account", _("Staff member's account recorded")
    RECTIFICATION_SET = "rectification_set", _("Rectification set")
    RECTIFICATION_DONE = "rectification_done", _("Rectification confirmed")
    RETURN_VISIT = "return_visit", _("Return visit")
    EMERGENCY_LOGGED = "emergency_logged", _("Emergency reported")
    EMERGENCY_MERGED = "emergency_merged", _("Reported again (merged)")
    RESPONDER_NOTIFIED = "responder_notified", _("Responder called")
    ROSTER_GAP = "roster_gap", _("Nobody on duty")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged the emergency")
    RESPONDER_ARRIVED = "responder_arrived", _("Responder arrived")
    RESPONDER_REPEATED = "responder_repeated", _("Called again")
    DEPUTIES_NOTIFIED = "deputies_notified", _("Deputies called")
    EMERGENCY_RESOLVED = "emergency_resolved", _("Emergency handled")
    # Issue 16: the agreed time (预约上门时间) set or changed (改约); data: appointment_at,
    # previous, source.
    APPOINT = "appoint", _("Appointment agreed")
    # Issue 16: a repair marked urgent (急修) after intake, or no longer; data: is_urgent.
    MARK_URGENT = "mark_urgent", _("Marked as an urgent repair")
    UNMARK_URGENT = "unmark_urgent", _("No longer an urgent repair")

    @classmethod
    def label_for(cls, action: str, kind: str = "") -> str:
        """The timeline's word for ``action`` on an order of ``kind``: a complaint is handled to
        the end (办结), not completed (完工); handed to another administrator, it is dispatched
        (已派单), not dispatched to a team's member (派单给成员)."""
        if action == cls.RESOLVE and kind == "complaint":
            return str(_("Handled to the end"))
        if action == cls.ASSIGN and kind == "complaint":
            return str(cls.DISPATCH.label)
        try:
            return str(cls(action).label)
        except ValueError:
            return action


class AppendOnlyQuerySet(models.QuerySet["WorkOrderEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("work order events are append-only")

    def delete(self) -> NoReturn:
        raise PermissionError("work order events are append-only")


class WorkOrderEvent(models.Model):
    """One change of a work order: who, when, what, from which state to which. Append-only."""

    # No single-column indexes on order and community: the composite indexes below lead with
    # them (one index write less per event; ~210 MB less at 10M events, bench/RESULTS.md).
    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("work order"),
        db_index=False,
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        db_index=False,  # read only through its order's history; no list of someone's events
    )
    action = models.CharField(_("action"), max_length=20, choices=EventAction.choices)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order event")
        verbose_name_plural = _("work order events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["order", "at"], name="event_order_time"),
            # The live screens' cursor: the newest event of each community, one index seek
            # (propdesk/web/live.py).
            models.Index(fields=["community", "id"], name="event_comm_id"),
        ]

    def __str__(self) -> str:
        # The order's number, the act in the timeline's words (办结 on a complaint) and the
        # local time (an inline's rows have their order at hand: no query).
        order = self.order
        return (
            f"{order} · {EventAction.label_for(self.action, order.kind)} · {local_minute(self.at)}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("work order events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("work order events are append-only")


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"orders/{instance.order.community_id}/{instance.order_id}/{filename}"


class Attachment(StoredFile):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        LETTER = "letter", _("Scanned letter")
        OTHER = "other", _("Other")

    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("work order"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    file = models.FileField(_("file"), upload_to=attachment_path)
    # Empty for a photo a resident sent with their report in the portal.
    uploaded_by = models.ForeignKey(  # type: ignore[assignment]
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]


class WorkOrderSequence(models.Model):
    """The last number given out per community and (community-local) day."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "day"], name="sequence_unique")]

    def __str__(self) -> str:
        return f"{self.community_id} {self.day} {self.last}"


class Rectification(models.Model):
    """CP-5: the measures a staff member must carry out by a deadline after a service-attitude
    complaint, and the penalty; the staff member's record lists them."""

    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("work order"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rectifications",
        verbose_name=_("staff member"),
    )
    measures = models.TextField(_("rectification measures"))
    penalty = models.CharField(_("penalty"), max_length=200)
    deadline = models.DateTimeField(_("deadline"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        ordering = ["-set_at", "-id"]
        indexes = [models.Index(fields=["staff_member", "-set_at"], name="rect_staff_time")]

    def __str__(self) -> str:
        return f"{self.staff_member} · {local_minute(self.deadline)}"


class Announcement(models.Model):
    """What happened to a work order or a contact that staff must hear of, written in the
    transaction of the change (one row per event, nothing else resolved there). The worker
    (desk.services.telling.announcements_tell) resolves who is told as of ``created_at`` (the
    event's time: the duty roster and the notification cap of that moment) and writes their
    notifications in one transaction with ``done_at``; the notifications' dedupe keys make a
    second run after a crash write nothing new."""

    # No index on community or order: the worker reads the pending rows by id, the purge the done
    # ones by time; a row is never looked up by either (each index a page more per create).
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
        db_index=False,
    )
    # policy.rules.NOTIFY_EVENTS, or one of telling.FIXED_RECIPIENTS (not the policy's to decide)
    event = models.CharField(_("event"), max_length=40)
    order = models.ForeignKey(
        WorkOrder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work order"),
        db_index=False,
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
        db_index=False,  # announce_contact, below
    )
    # The order's team and assignee at the event (a later transfer does not redirect it).
    team_id_then = models.IntegerField(null=True, blank=True)
    assignee_id_then = models.IntegerField(null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=100)
    title = models.TextField(_("title"))  # already in the office's words, as shown
    exclude = models.JSONField(default=list, blank=True)  # user ids never told (the actor)
    recipient_ids = models.JSONField(null=True, blank=True)  # given by the caller, else policy
    # What the notification carries besides what the worker adds (an order's number and link):
    # a return visit's id and level, a concierge request's id and link (one of neither an order
    # nor a contact, whose recipients are given or a fixed role: telling.FIXED_RECIPIENTS).
    payload = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("announcement to staff")
        verbose_name_plural = _("announcements to staff")
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], name="announce_pending", condition=models.Q(done_at__isnull=True)
            ),
            # The retention job (announcements_purge): the oldest done rows, and none at all
            # in one probe when nothing is old enough.
            models.Index(
                fields=["done_at"], name="announce_done", condition=models.Q(done_at__isnull=False)
            ),
            # A contact's announcements (most are an order's: no entry for those).
            models.Index(
                fields=["contact"],
                name="announce_contact",
                condition=models.Q(contact__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.cause
