"""The office's register: company → communities → buildings → units → households → residents,
and the staff, their roles per community, teams and duty rosters."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from propdesk.core.clock import local_minute
from propdesk.policy.phones import AREA_CODE
from propdesk.policy.workflow import Role


class RoleChoices(models.TextChoices):
    RECEPTIONIST = Role.RECEPTIONIST.value, _("Receptionist")
    ADMINISTRATOR = Role.ADMINISTRATOR.value, _("Administrator")
    OFFICE_HEAD = Role.OFFICE_HEAD.value, _("Office head")
    TEAM_LEADER = Role.TEAM_LEADER.value, _("Team leader")
    TEAM_MEMBER = Role.TEAM_MEMBER.value, _("Team member")
    CONCIERGE = Role.CONCIERGE.value, _("Concierge")
    LEADERSHIP = Role.LEADERSHIP.value, _("Company leadership")


class TeamKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    CLEANING = "cleaning", _("Cleaning")
    SECURITY = "security", _("Security")
    GREENING = "greening", _("Greening")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    # CS-2: the concierges' roster (礼宾); a request goes to the concierge on duty.
    CONCIERGE = "concierge", _("Concierge")


class Company(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="communities", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(
        _("code"), max_length=20, help_text=_("Short code, unique in the company")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    order_prefix = models.CharField(
        _("work order prefix"),
        max_length=8,
        default="GD",
        help_text=_("Work orders are numbered PREFIX-YYYYMMDD-NNNN"),
    )
    area_code = models.CharField(
        _("area code"),
        max_length=4,
        blank=True,
        validators=[
            RegexValidator(AREA_CODE, _("An area code is 0 and two or three digits, e.g. 0755."))
        ],
        help_text=_(
            "The telephone area code of the community's city (e.g. 0755): a local landline "
            "typed without it (8888 1234) gets it."
        ),
    )
    policy = models.JSONField(
        _("policy overrides"),
        default=dict,
        blank=True,
        help_text=_("This community's changes to the default office policy"),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="community_code_unique"),
            models.UniqueConstraint(fields=["company", "name"], name="community_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from zoneinfo import available_timezones

        from django.core.exceptions import ValidationError

        if self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone: %s") % self.time_zone})
        from propdesk.policy.rules import PolicyError, load_policy

        try:
            load_policy(self.policy or {})
        except PolicyError as exc:
            raise ValidationError({"policy": str(exc)}) from exc


class Building(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("community")
    )
    number = models.CharField(_("building number"), max_length=6)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["community", "number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="building_unique")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.number}栋"


class Unit(models.Model):
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    number = models.CharField(_("unit number"), max_length=4)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique")]

    def __str__(self) -> str:
        return f"{self.building}{self.number}单元"


class Household(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="households", verbose_name=_("community")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="households", verbose_name=_("unit")
    )
    room = models.CharField(_("room"), max_length=6)
    # building-unit-room, e.g. 3-2-1502: what the office types and says.
    code = models.CharField(_("room number"), max_length=20)
    area = models.DecimalField(
        _("floor area (m²)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["community", "code"]
        constraints = [
            models.UniqueConstraint(fields=["community", "code"], name="household_code_unique")
        ]

    def __str__(self) -> str:
        return self.code


class PlaceKind(models.TextChoices):
    LIFT = "lift", _("Lift")
    CORRIDOR = "corridor", _("Corridor")
    LOBBY = "lobby", _("Lobby")
    GARAGE = "garage", _("Garage")
    EQUIPMENT_ROOM = "equipment_room", _("Equipment room")
    EQUIPMENT = "equipment", _("Equipment")
    OUTDOORS = "outdoors", _("Outdoor area")
    OTHER = "other", _("Other place")


class Place(models.Model):
    """A place of the community where a QR sticker goes (a lift, a corridor, the garage, an
    equipment room, a piece of equipment): scanning its sticker opens a report with the place
    filled in (propdesk.community.places). An inactive place's stickers no longer work."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="places", verbose_name=_("community")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="places",
        verbose_name=_("building"),
        help_text=_("Empty for a place of the whole community (the garage, the east gate)"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    name = models.CharField(
        _("label"),
        max_length=30,
        help_text=_(
            "As printed on the QR code and read by owners, e.g. the lift of building 3, unit 1"
        ),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Clear it to revoke every sticker of this place")
    )

    class Meta:
        verbose_name = _("sticker place")
        verbose_name_plural = _("sticker places")
        ordering = ["community", "building", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="place_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.name = (self.name or "").strip()
        building = self.building if self.building_id else None
        if building is not None and building.community_id != self.community_id:
            raise ValidationError({"building": _("This building is not in the place's community.")})


class Relation(models.TextChoices):
    OWNER = "owner", _("Owner")
    TENANT = "tenant", _("Tenant")
    FAMILY = "family", _("Family member")


class Resident(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="residents", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=10, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    phone_ext = models.CharField(_("extension"), max_length=6, blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.household}）"


class User(AbstractUser):
    """A staff member. Roles are per community (Membership); leadership sees every community of
    its company."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("company"),
    )
    is_leadership = models.BooleanField(
        _("company leadership"),
        default=False,
        help_text=_("Sees and approves across every community of the company"),
    )
    # When the password last changed (set_password); API tokens issued before it are refused.
    # None: not since this was recorded.
    password_changed_at = models.DateTimeField(
        _("password changed at"), null=True, blank=True, editable=False
    )
    # The console's language: empty is the office's (settings.LANGUAGE_CODE, Chinese), whatever
    # the browser asks; the user switches in the top bar (propdesk.core.language).
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Empty: the office's language (Simplified Chinese)"),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def get_short_name(self) -> str:
        """The name the back office greets a person by (欢迎，唐晓婷): their full name, else
        Django's first name, else the login name."""
        return self.name or self.first_name or self.username

    def get_full_name(self) -> str:
        return self.name or super().get_full_name() or self.username

    def set_password(self, raw_password: str | None) -> None:
        # Every way a password changes (the console, the back office, changepassword) goes
        # through here and then saves the user; a rehash on login does not, and is no change.
        from propdesk.core.clock import get_clock

        super().set_password(raw_password)
        self.password_changed_at = get_clock().now()

    def __str__(self) -> str:
        return self.name or self.username


class Membership(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("staff member")
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("community"),
    )
    role = models.CharField(_("role"), max_length=20, choices=RoleChoices.choices)

    class Meta:
        verbose_name = _("role in a community")
        verbose_name_plural = _("roles in communities")
        constraints = [
            models.UniqueConstraint(fields=["user", "community", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.community} · {self.get_role_display()}"


class Team(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="teams", verbose_name=_("community")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=50)
    leader = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
        verbose_name=_("team leader"),
    )
    members = models.ManyToManyField(
        User, through="TeamMember", related_name="teams", verbose_name=_("members"), blank=True
    )
    # 班组工作时间 (issue 16): {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], …, "sun": [],
    # "holiday": []} in the community's local time, read by propdesk.policy.hours.WeekHours.
    # Empty: none set, and a clock that counts team hours counts the wall clock.
    working_hours = models.JSONField(
        _("working hours"),
        default=dict,
        blank=True,
        help_text=_("The team's weekly working hours, for clocks that count team hours"),
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["community", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.community} · {self.name}"


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, verbose_name=_("team"))
    user = models.ForeignKey(User, on_delete=models.CASCADE, verbose_name=_("staff member"))

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.team} · {self.user}"


class DutyShift(models.Model):
    """Who is on duty for a team from ``starts_at`` to ``ends_at`` (may cross midnight)."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("team")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("staff member")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["team", "starts_at", "ends_at"], name="shift_team_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.user} · {local_minute(self.starts_at)}"


class BackOfficeAction(models.TextChoices):
    ADD = "add", _("Added")
    CHANGE = "change", _("Changed")
    DELETE = "delete", _("Deleted")


class BackOfficeEventQuerySet(models.QuerySet["BackOfficeEvent"]):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("back-office events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("back-office events are append-only")


class BackOfficeEvent(models.Model):
    """One change made in the back office (add, change, delete): who, when, what, in which
    community. Append-only, like the work orders' events; the database refuses UPDATE and DELETE.
    The staff member and the community are kept by id and by name without a database constraint,
    so the record outlives what it records (a deleted user, a deleted community)."""

    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_name = models.CharField(_("by (name)"), max_length=150)
    community = models.ForeignKey(
        Community,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    action = models.CharField(_("action"), max_length=10, choices=BackOfficeAction.choices)
    model = models.CharField(_("kind of record"), max_length=100)
    object_id = models.CharField(_("record id"), max_length=64)
    object_repr = models.CharField(_("record"), max_length=200)
    changes = models.JSONField(_("details"), default=list, blank=True)

    objects = BackOfficeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("back-office change")
        verbose_name_plural = _("back-office changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["community", "at"], name="backoffice_comm_time")]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display()} {self.model} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("back-office events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("back-office events are append-only")
