"""The demo seed: one property company with two staffed communities and a few weeks of office life.

``seed_demo(now=…)`` builds, in one transaction and deterministically from ``seed``:

* the register (company, communities, buildings, units, households, residents), staff in every
  role with their teams and a duty roster, and the company's service catalogue (DS-2), written
  with the ORM directly because they are plain register rows;
* a few weeks of front-desk contacts and work orders, written **only** through the desk services
  (``contact_log``, ``work_order_create``, ``work_order_transition``) with ``now`` injected per
  step, so every order has a true event timeline and every rule the services hold is obeyed.

Activity is planned first (pure Python, one seeded RNG), then replayed in time order across all
orders. Nothing happens after ``now``: an order whose next step would fall later simply stays in
its current state, which is how the recent orders end up new, dispatched, on site… If the dice
leave a workflow state out, the newest finished orders are re-planned to end in it, so every state
appears at least once whenever there are ten orders or more (one household and one week give
about twenty).
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password

from propdesk.clocks.services import clocks_sweep
from propdesk.community.models import (
    Building,
    Community,
    Company,
    DutyShift,
    Household,
    Membership,
    Place,
    PlaceKind,
    Relation,
    Resident,
    Team,
    TeamKind,
    TeamMember,
    Unit,
    User,
)
from propdesk.core.uploads import atomic_storing_files
from propdesk.demo import names
from propdesk.demo.activities_seed import seed_activities
from propdesk.demo.calls_seed import seed_calls
from propdesk.demo.concierge_seed import seed_concierge
from propdesk.demo.followup_seed import seed_followup, seed_portal_ratings
from propdesk.demo.portal_seed import seed_portal
from propdesk.desk.models import (
    Channel,
    Contact,
    OrderKind,
    Outcome,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
)
from propdesk.desk.services import (
    ContactInput,
    WorkOrderDraft,
    contact_log,
    contact_promise_keep,
    work_order_create,
    work_order_transition,
)
from propdesk.followup.services import VisitDraft, return_visit_record
from propdesk.policy.phones import parse_phone
from propdesk.policy.rules import load_policy
from propdesk.policy.workflow import ACTIONS, Role, State

# Long enough for MinimumLengthValidator, not a common password, unlike any username.
DEMO_PASSWORD = "propdesk-demo"  # noqa: S105 - a published demo login, never a real one
DEFAULT_HOUSEHOLDS_PER_COMMUNITY = 180
ROSTER_DAYS_AHEAD = 14

# Team kind → (name, username slug, members). Customer service is led by the office head and
# staffed by the front desk and the administrators, so it needs no logins of its own.
TEAMS: tuple[tuple[str, str, str, int], ...] = (
    (TeamKind.REPAIR, "维修班", "repair", 3),
    (TeamKind.CLEANING, "清洁班", "cleaning", 2),
    (TeamKind.SECURITY, "保安队", "security", 3),
    (TeamKind.GREENING, "绿化班", "greening", 1),
)
# 班组工作时间 (issue 16): the cleaners work every day with a lunch break, also on holidays;
# DS-1-take (counted in team hours) waits for them to open. The other teams have none set.
_CLEANING_DAY = [["07:00", "11:30"], ["13:30", "17:00"]]
TEAM_HOURS: dict[str, dict[str, list[list[str]]]] = {
    TeamKind.CLEANING: {
        key: _CLEANING_DAY for key in ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday")
    },
}


class SeedRefused(Exception):
    """The database already holds the demo company or one of the demo logins."""


# The owner of the first household of 锦绣花园 signs in to the resident portal (/portal/) with this
# number; the console SMS backend writes the code to the log.
DEMO_RESIDENT_PHONE = "13800138000"
DEMO_RESIDENT_COMMUNITY = "jxhy"


@dataclass(frozen=True)
class Login:
    username: str
    name: str
    role: str
    community: str  # "" for company-wide logins


@dataclass
class SeedReport:
    """What was created, for the command's summary and for tests."""

    company: str
    communities: list[str]
    households: int
    residents: int
    staff: int
    shifts: int
    service_items: int
    contacts: int
    work_orders: int
    events: int
    states: dict[str, int]
    logins: list[Login]
    password: str = DEMO_PASSWORD
    # The phone of the demo's resident with orders to follow in the portal (issue 13).
    portal_resident: str = ""
    resident_phone: str = DEMO_RESIDENT_PHONE


def seed_demo(
    *,
    now: datetime,
    households_per_community: int = DEFAULT_HOUSEHOLDS_PER_COMMUNITY,
    weeks: int = 3,
    seed: int = 2026,
) -> SeedReport:
    """Create the demo company and its history up to ``now`` (aware), in one transaction.

    The same arguments always give the same data. Raises SeedRefused, writing nothing, when the
    demo company or any demo username already exists; ValueError for a naive ``now`` or sizes
    below 1.
    """
    if now.tzinfo is None:
        raise ValueError("seed_demo needs an aware now")
    if households_per_community < 1 or weeks < 1:
        raise ValueError("households_per_community and weeks must be at least 1")
    rng = random.Random(seed)
    with atomic_storing_files():  # the seeded photos go with a failed seed
        if Company.objects.filter(name=names.COMPANY_NAME).exists():
            raise SeedRefused(f"The demo company {names.COMPANY_NAME} already exists.")
        company = Company.objects.create(name=names.COMPANY_NAME)
        people = _People(rng)
        catalogue = _create_catalogue(company)
        password_hash = make_password(DEMO_PASSWORD)  # hashing is slow: once for every login
        logins: list[Login] = []
        offices = [
            _create_office(
                company, spec, people, rng, households_per_community, password_hash, logins
            )
            for spec in names.COMMUNITIES
        ]
        _create_company_logins(company, people, password_hash, logins)
        for office in offices:
            _create_roster(office, now, weeks)
        plans = _Planner(rng, now, catalogue).plan(offices, weeks)
        _replay(plans, now)
        seed_followup(offices, rng, now)
        seed_calls(offices, random.Random(seed + 14), now)
        seed_concierge(offices, now, weeks)
        seed_activities(offices, rng, now)
        seed_portal_ratings(offices, now)
        portal_phone = seed_portal(offices, now)
        report = _report(company, offices, logins)
        report.portal_resident = portal_phone
        return report


# --- people -------------------------------------------------------------------------------------


class _People:
    """Chinese names and unique, valid mainland phone numbers from one RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.phones: set[str] = set()
        self.staff_names: set[str] = set()
        # Rank-weighted, so 王李张刘陈 dominate as they do in any real register.
        self._weights = [1 / (rank + 4) for rank in range(len(names.SURNAMES))]

    def surname(self) -> str:
        return self.rng.choices(names.SURNAMES, self._weights)[0]

    def name(self, surname: str | None = None) -> str:
        pool = names.GIVEN_MALE if self.rng.random() < 0.5 else names.GIVEN_FEMALE
        length = 1 if self.rng.random() < 0.35 else 2
        given = "".join(self.rng.choice(pool) for _ in range(length))
        return (surname or self.surname()) + given

    def staff_name(self) -> str:
        while True:
            name = self.name()
            if name not in self.staff_names:
                self.staff_names.add(name)
                return name

    def mobile(self) -> str:
        while True:
            prefix = self.rng.choice(names.MOBILE_PREFIXES)
            number = prefix + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return parse_phone(number).number  # fails loudly if a prefix list goes stale

    def landline(self) -> str:
        while True:
            number = f"{names.LANDLINE_AREA}8{self.rng.randrange(10**7):07d}"
            if number not in self.phones:
                self.phones.add(number)
                return parse_phone(number).number


# --- the register -------------------------------------------------------------------------------


@dataclass
class _Office:
    community: Community
    tz: ZoneInfo
    receptionists: list[User]
    administrators: list[User]
    head: User
    concierge: User
    teams: dict[str, Team]
    leaders: dict[str, User]
    members: dict[str, list[User]]
    households: list[Household] = field(default_factory=list)
    residents: dict[int, list[Resident]] = field(default_factory=dict)
    units: list[tuple[str, str]] = field(default_factory=list)  # (building, unit) numbers
    places: dict[str, Place] = field(default_factory=dict)  # QR sticker places by label


def _create_catalogue(company: Company) -> dict[str, ServiceItem]:
    ServiceItem.objects.bulk_create(
        ServiceItem(
            company=company,
            code=s.code,
            name=s.name,
            kind=s.kind,
            team_kind=s.team_kind,
            steps=list(s.steps),
            time_standard_minutes=s.minutes,
            fee=s.fee,
            fee_note=s.fee_note,
        )
        for s in names.CATALOGUE
    )
    return {item.code: item for item in ServiceItem.objects.filter(company=company)}


def _new_user(
    username: str,
    name: str,
    phone: str,
    company: Company,
    password_hash: str,
    **extra: object,
) -> User:
    user = User(username=username, name=name, phone=phone, company=company, **extra)
    # Checked per user because the similarity validator compares against the user's attributes.
    validate_password(DEMO_PASSWORD, user)
    user.password = password_hash
    if User.objects.filter(username=username).exists():
        raise SeedRefused(f"The login {username} already exists.")
    user.save(force_insert=True)
    return user


# What the company's catalogue and the company itself are: shared by every community, so an
# office head reads them and a superuser changes them.
COMPANY_WIDE = {("community", "company"), ("desk", "serviceitem")}


def _office_head_group() -> Group:
    """The demo's office heads' back-office permissions: every model of propdesk's apps, which
    the back office scopes to the communities each head may see (and whose staff page lets them
    grant only their own roles: community.users_admin); the company and its catalogue read only.
    Other apps' models (groups, API tokens, login records) stay the superuser's."""
    group = Group.objects.get_or_create(name="管理处主任")[0]
    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("propdesk.")]
    perms = [
        p
        for p in Permission.objects.filter(content_type__app_label__in=labels).select_related(
            "content_type"
        )
        if (p.content_type.app_label, p.content_type.model) not in COMPANY_WIDE
        or p.codename.startswith("view_")
    ]
    group.permissions.set(perms)
    return group


def _create_office(
    company: Company,
    spec: names.CommunitySpec,
    people: _People,
    rng: random.Random,
    households: int,
    password_hash: str,
    logins: list[Login],
) -> _Office:
    community = Community.objects.create(
        company=company,
        name=spec.name,
        code=spec.code,
        address=spec.address,
        time_zone="Asia/Shanghai",
        order_prefix=spec.order_prefix,
    )
    memberships: list[Membership] = []

    def staff(username: str, role: Role, label: str) -> User:
        user = _new_user(
            f"{spec.code}-{username}", people.staff_name(), people.mobile(), company, password_hash
        )
        memberships.append(Membership(user=user, community=community, role=role))
        logins.append(Login(user.username, user.name, label, spec.name))
        return user

    receptionists = [staff(f"reception{i}", Role.RECEPTIONIST, "接待员") for i in (1, 2)]
    administrators = [staff(f"admin{i}", Role.ADMINISTRATOR, "管理员") for i in (1, 2)]
    head = staff("head", Role.OFFICE_HEAD, "管理处主任（后台 /admin/）")
    head.is_staff = True  # the back office, scoped to this community (community.backoffice)
    head.save(update_fields=["is_staff"])
    head.groups.add(_office_head_group())
    teams: dict[str, Team] = {}
    leaders: dict[str, User] = {}
    members: dict[str, list[User]] = {}
    team_members: list[TeamMember] = []
    for kind, team_name, slug, size in TEAMS:
        leaders[kind] = staff(f"{slug}-leader", Role.TEAM_LEADER, f"班长（{team_name}）")
        members[kind] = [
            staff(f"{slug}{i}", Role.TEAM_MEMBER, f"班组成员（{team_name}）")
            for i in range(1, size + 1)
        ]
        teams[kind] = Team.objects.create(
            community=community,
            kind=kind,
            name=team_name,
            leader=leaders[kind],
            working_hours=TEAM_HOURS.get(kind, {}),
        )
        team_members += [TeamMember(team=teams[kind], user=u) for u in members[kind]]
    service = Team.objects.create(
        community=community, kind=TeamKind.CUSTOMER_SERVICE, name="客服中心", leader=head
    )
    teams[TeamKind.CUSTOMER_SERVICE] = service
    leaders[TeamKind.CUSTOMER_SERVICE] = head
    members[TeamKind.CUSTOMER_SERVICE] = receptionists + administrators
    team_members += [TeamMember(team=service, user=u) for u in receptionists + administrators]
    concierge = staff("concierge", Role.CONCIERGE, "礼宾员")
    Membership.objects.bulk_create(memberships)
    TeamMember.objects.bulk_create(team_members)

    office = _Office(
        community=community,
        tz=ZoneInfo(community.time_zone),
        receptionists=receptionists,
        administrators=administrators,
        head=head,
        concierge=concierge,
        teams=teams,
        leaders=leaders,
        members=members,
    )
    _create_households(office, spec, people, rng, households)
    _create_places(office)
    return office


# Where the office has put QR stickers (二维码): the first units' lifts and corridors, the garage,
# the east gate, the playground, the pump room. A public repair reported at one carries it.
COMMUNITY_PLACES = (
    ("地下车库B区", PlaceKind.GARAGE),
    ("小区东门", PlaceKind.OUTDOORS),
    ("中心花园儿童游乐区", PlaceKind.OUTDOORS),
    ("水泵房", PlaceKind.EQUIPMENT_ROOM),
)


def _create_places(office: _Office) -> None:
    community = office.community
    buildings = {b.number: b for b in Building.objects.filter(community=community)}
    rows = [Place(community=community, name=n, kind=k) for n, k in COMMUNITY_PLACES]
    for b, u in office.units[:2]:
        for where, kind in (("电梯", PlaceKind.LIFT), ("楼道", PlaceKind.CORRIDOR)):
            label = f"{b}栋{u}单元{where}"
            rows.append(Place(community=community, building=buildings[b], name=label, kind=kind))
    office.places = {p.name: p for p in Place.objects.bulk_create(rows)}


def _create_households(
    office: _Office, spec: names.CommunitySpec, people: _People, rng: random.Random, n: int
) -> None:
    community = office.community
    Building.objects.bulk_create(
        Building(community=community, number=str(b), name=f"{b}栋")
        for b in range(1, spec.buildings + 1)
    )
    buildings = list(Building.objects.filter(community=community))
    Unit.objects.bulk_create(Unit(building=b, number=u) for b in buildings for u in ("1", "2"))
    units = list(Unit.objects.filter(building__community=community).select_related("building"))
    office.units = [(u.building.number, u.number) for u in units]
    # A bigger request than the towers hold gets taller towers rather than an error.
    floors = max(spec.floors, math.ceil(n / (len(units) * spec.rooms_per_floor)))
    slots = [
        (unit, f"{floor}{room:02d}")
        for unit in units
        for floor in range(1, floors + 1)
        for room in range(1, spec.rooms_per_floor + 1)
    ]
    chosen = rng.sample(slots, n)
    # 3-2-1502 is the example in every document and test: keep it typeable in the demo.
    example = next((s for s in slots if _code(*s) == "3-2-1502"), None)
    if example is not None and example not in chosen:
        chosen[0] = example
    chosen.sort(key=lambda s: (int(s[0].building.number), s[0].number, int(s[1])))
    Household.objects.bulk_create(
        Household(
            community=community,
            unit=unit,
            room=room,
            code=_code(unit, room),
            area=_area(rng, room),
        )
        for unit, room in chosen
    )
    office.households = list(Household.objects.filter(community=community).order_by("code"))

    residents: list[Resident] = []
    for index, household in enumerate(office.households):
        surname = people.surname()
        owner_phone = people.landline() if rng.random() < 0.04 else people.mobile()
        if index == 0 and community.code == DEMO_RESIDENT_COMMUNITY:
            owner_phone = DEMO_RESIDENT_PHONE  # the resident portal's demo sign-in (README)
        residents.append(
            Resident(
                household=household,
                name=people.name(surname),
                relation=Relation.OWNER,
                phone=owner_phone,
            )
        )
        if rng.random() < 0.5:
            # A spouse keeps their own surname; a grown-up child takes the owner's.
            family_surname = surname if rng.random() < 0.4 else None
            residents.append(
                Resident(
                    household=household,
                    name=people.name(family_surname),
                    relation=Relation.FAMILY,
                    phone=people.mobile(),
                )
            )
        if rng.random() < 0.15:
            residents.append(
                Resident(
                    household=household,
                    name=people.name(),
                    relation=Relation.TENANT,
                    phone=people.mobile(),
                )
            )
    Resident.objects.bulk_create(residents)
    for resident in Resident.objects.filter(household__community=community).order_by("id"):
        office.residents.setdefault(resident.household_id, []).append(resident)


def _code(unit: Unit, room: str) -> str:
    return f"{unit.building.number}-{unit.number}-{room}"


def _area(rng: random.Random, room: str) -> Decimal:
    # The end flat (01) of each floor is the bigger one, as in most Hangzhou towers.
    low, high = (118, 146) if room.endswith("01") else (86, 102)
    return Decimal(f"{rng.uniform(low, high):.2f}")


def _create_company_logins(
    company: Company, people: _People, password_hash: str, logins: list[Login]
) -> None:
    leader = _new_user(
        "leader", people.staff_name(), people.mobile(), company, password_hash, is_leadership=True
    )
    logins.append(Login(leader.username, leader.name, "公司领导", "全部小区"))
    admin = _new_user(
        "admin",
        "系统管理员",
        "",
        company,
        password_hash,
        is_staff=True,
        is_superuser=True,
    )
    logins.append(Login(admin.username, admin.name, "超级用户（后台 /admin/）", "全部小区"))


def _create_roster(office: _Office, now: datetime, weeks: int) -> None:
    """Day (08:00–20:00) and night (20:00–08:00 next day) shifts, community-local, for every team
    from ``weeks`` back to two weeks ahead: the on-duty lookup needs the future too."""
    today = now.astimezone(office.tz).date()
    first = today - timedelta(days=weeks * 7)
    shifts: list[DutyShift] = []
    for team_kind, team in office.teams.items():
        rota = [office.leaders[team_kind], *office.members[team_kind]]
        for i in range((today - first).days + ROSTER_DAYS_AHEAD + 1):
            day = first + timedelta(days=i)
            morning = datetime.combine(day, time(8), tzinfo=office.tz)
            evening = datetime.combine(day, time(20), tzinfo=office.tz)
            next_morning = datetime.combine(day + timedelta(days=1), time(8), tzinfo=office.tz)
            shifts.append(
                DutyShift(team=team, user=rota[i % len(rota)], starts_at=morning, ends_at=evening)
            )
            shifts.append(
                DutyShift(
                    team=team,
                    user=rota[(i + 1) % len(rota)],
                    starts_at=evening,
                    ends_at=next_morning,
                )
            )
    DutyShift.objects.bulk_create(shifts)


# --- planning the activity ----------------------------------------------------------------------


@dataclass
class _Step:
    at: datetime
    action: str  # an action of the workflow, or a return visit (RETURN_VISITS)
    by: User
    note: str = ""
    assignee: User | None = None
    level: str = ""  # the owner's answer, for a return visit


# Return visits in the replay: an order's same-day call (RV-6) keeps its state; a complaint's
# visit (CP-2, RV-3) is its follow-up.
RETURN_VISITS = {"order_visit": None, "complaint_visit": State.FOLLOWED_UP}
UNHAPPY_LEVELS = ("not_very_satisfied", "dissatisfied")


def _visit_note(said: str, level: str) -> str:
    """A return visit's note as the level has it: what the owner said when the visit went well,
    else one of the unhappy notes (chosen by the text, not by the random stream, so that the
    rest of the demo stays as it was)."""
    if level not in UNHAPPY_LEVELS:
        return said
    return names.UNHAPPY_VISIT_NOTES[len(said) % len(names.UNHAPPY_VISIT_NOTES)]


LEVELS = (
    ("very_satisfied", 45),
    ("satisfied", 38),
    ("fairly_satisfied", 12),
    ("not_very_satisfied", 4),
    ("dissatisfied", 1),
)
REPLY_NOTES = (
    "已电话向业主说明处理安排，业主表示理解",
    "已向业主解释原因并告知今日处理",
    "已回复业主处理结果，业主接受",
)


@dataclass
class _OrderPlan:
    office: _Office
    created_at: datetime
    draft: WorkOrderDraft
    team_kind: str | None  # the team that does the work; None for complaints
    done: str  # completion note
    follow_up: str
    handler: User | None = None  # who takes a complaint (CP-1, CP-3..5)
    minutes: int = 60  # the job's time standard
    steps: list[_Step] = field(default_factory=list)
    forced: bool = False
    planned: str = ""  # a path chosen by the plan, not drawn (see _paths)

    @property
    def first_state(self) -> State:
        """A repair or housekeeping order starts in its team's pool (policy dispatch.direct)."""
        direct = load_policy(self.office.community.policy).dispatch.direct
        routed = self.team_kind not in (None, TeamKind.CUSTOMER_SERVICE)
        return State.DISPATCHED if routed and self.draft.kind in direct else State.NEW


@dataclass
class _ContactPlan:
    at: datetime
    office: _Office
    by: User
    data: ContactInput | None  # None: an order opened by staff without a contact (patrol)
    orders: list[_OrderPlan]
    kept_at: datetime | None = None  # FD-3: when the promise was kept (None: not yet, or never)


@dataclass
class _Keep:
    """FD-3: the office keeps a front-desk promise and tells the owner."""

    contact_id: int
    by: User


def _final_state(steps: list[_Step], start: State = State.NEW) -> State:
    state = start
    for step in steps:
        if step.action in RETURN_VISITS:
            state = RETURN_VISITS[step.action] or state
        else:
            state = ACTIONS[step.action].leads_to(state)
    return state


class _Timeline:
    """Moves forward from an order's creation; office work waits for office hours."""

    def __init__(self, start: datetime, tz: ZoneInfo, rng: random.Random) -> None:
        self.t = start
        self.tz = tz
        self.rng = rng

    def after(self, low: int, high: int) -> datetime:
        self.t += timedelta(minutes=self.rng.randint(low, high))
        return self.t

    def office(self, low: int, high: int) -> datetime:
        self.after(low, high)
        local = self.t.astimezone(self.tz)
        if not time(8, 30) <= local.time() <= time(17, 30):
            day = local.date() if local.time() < time(8, 30) else local.date() + timedelta(days=1)
            opening = datetime.combine(day, time(8, 30), tzinfo=self.tz)
            self.t = opening + timedelta(minutes=self.rng.randint(0, 90))
        return self.t


class _Planner:
    def __init__(
        self, rng: random.Random, now: datetime, catalogue: dict[str, ServiceItem]
    ) -> None:
        self.rng = rng
        self.now = now
        self.catalogue = catalogue

    # The whole plan: contacts day by day, each order's path, then every state made present.
    def plan(self, offices: list[_Office], weeks: int) -> list[_ContactPlan]:
        contacts: list[_ContactPlan] = []
        for office in offices:
            # About one contact a day per 45 households, as at a real desk; a tiny test estate
            # gets a trickle, which keeps the tests fast.
            per_day = max(1, round(len(office.households) / 45))
            today = self.now.astimezone(office.tz).date()
            for back in range(weeks * 7 - 1, -1, -1):
                day = today - timedelta(days=back)
                weekend = day.weekday() >= 5
                count = max(0, self.rng.randint(per_day - 1, per_day + 3) - (2 if weekend else 0))
                for at in sorted(self._contact_time(day, office.tz) for _ in range(count)):
                    # Leave a few minutes so the contact is logged before "now".
                    if at <= self.now - timedelta(minutes=3):
                        contacts.append(self._contact(office, at))
            # This morning's desk answered a question on the spot and promised a time for
            # something it could not do at once (FD-3).
            contacts.append(self._contact(office, self.now - timedelta(minutes=95), "consult"))
            contacts.append(self._contact(office, self.now - timedelta(minutes=185), "promise"))
            # A complaint of this morning, taken and answered the same day (CP-1, CP-6).
            answered = self._contact(office, self.now - timedelta(hours=5), "complaint")
            for order in answered.orders:
                order.planned = "closed"
            contacts.append(answered)
            # A complaint came in a few minutes ago: an administrator has minutes left (CP-1).
            fresh = self._contact(office, self.now - timedelta(minutes=4), "complaint")
            for order in fresh.orders:
                order.forced = True  # stays new: nobody has taken it yet
            contacts.append(fresh)
        contacts.sort(key=lambda c: c.at)
        orders = [o for c in contacts for o in c.orders]
        for order in orders:
            order.steps = (
                [] if order.forced else self._paths(order, order.planned or self._scenario(order))
            )
        self._cover_every_state(orders)
        return contacts

    def _contact_time(self, day: date, tz: ZoneInfo) -> datetime:
        if self.rng.random() < 0.88:
            minute = self.rng.randint(8 * 60 + 30, 17 * 60 + 30)
        else:
            minute = self.rng.randint(17 * 60 + 30, 21 * 60 + 30)  # the evening desk
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)

    def _resident(self, office: _Office) -> tuple[Household, Resident]:
        household = self.rng.choice(office.households)
        residents = office.residents[household.pk]
        return household, residents[0] if self.rng.random() < 0.6 else self.rng.choice(residents)

    def _room_text(self, household: Household) -> str:
        b, u, room = household.code.split("-")
        # Receptionists write it both ways; the services read both.
        return household.code if self.rng.random() < 0.7 else f"{b}栋{u}单元{room}室"

    def _contact(self, office: _Office, at: datetime, kind: str = "") -> _ContactPlan:
        r = self.rng
        kind = (
            kind
            or r.choices(
                [
                    "repair",
                    "public",
                    "legacy",
                    "housekeeping",
                    "complaint",
                    "consult",
                    "suggest",
                    "promise",
                ],
                weights=[26, 10, 2, 10, 18, 16, 8, 8],
            )[0]
        )
        by = r.choice(office.receptionists)
        household, caller = self._resident(office)
        channel = r.choices([Channel.PHONE, Channel.VISIT, Channel.ONLINE], weights=[55, 30, 15])[0]
        room_text = self._room_text(household)

        def said(intent: str, content: str, outcome: str, **extra: Any) -> ContactInput:
            return ContactInput(
                channel=extra.pop("channel", channel),
                intent=intent,
                content=content,
                outcome=outcome,
                caller_name=caller.name,
                caller_phone=caller.phone,
                household=household,
                room_text=room_text,
                **extra,
            )

        def order(draft: WorkOrderDraft, case: names.Case, team_kind: str | None) -> _OrderPlan:
            item = draft.service_item
            return _OrderPlan(
                office=office,
                created_at=at,
                draft=draft,
                team_kind=team_kind,
                done=case.done,
                follow_up=r.choice(names.REPAIR_FOLLOW_UPS),
                minutes=item.time_standard_minutes if item else 60,
            )

        if kind == "public" and r.random() < 0.4:
            # Found on a patrol: staff open the order themselves, there is no caller.
            case = r.choice(names.PUBLIC_REPAIRS)
            draft = WorkOrderDraft(
                kind=OrderKind.REPAIR,
                description=f"巡查发现：{case.description}",
                location=(location := self._location(office, case)),
                place=office.places.get(location),
            )
            staff = r.choice(office.receptionists + office.administrators)
            return _ContactPlan(at, office, staff, None, [order(draft, case, TeamKind.REPAIR)])

        if kind in ("repair", "public", "legacy"):
            pool = {
                "repair": names.REPAIRS,
                "public": names.PUBLIC_REPAIRS,
                "legacy": names.LEGACY_REPAIRS,
            }[kind]
            case = r.choice(pool)
            location = self._location(office, case)
            draft = WorkOrderDraft(
                kind=OrderKind.REPAIR,
                description=case.description,
                location=location,
                place=office.places.get(location),
                service_item=self.catalogue.get(case.item),
                is_construction_legacy=kind == "legacy",
                is_long_running=kind == "legacy",
            )
            plans = [order(draft, case, TeamKind.REPAIR)]
            content = case.said
            if kind == "repair" and r.random() < 0.1:
                extra = r.choice(names.HOUSEKEEPING)
                content += f"；另外想预约{extra.description.split('：')[0]}"
                plans.append(order(self._housekeeping_draft(extra), extra, TeamKind.CLEANING))
            data = said(
                OrderKind.REPAIR,
                content,
                Outcome.WORK_ORDER,
                work_orders=[p.draft for p in plans],
            )
            return _ContactPlan(at, office, by, data, plans)

        if kind == "housekeeping":
            case = r.choice(names.HOUSEKEEPING)
            plan = order(self._housekeeping_draft(case), case, TeamKind.CLEANING)
            data = said(
                OrderKind.HOUSEKEEPING, case.said, Outcome.WORK_ORDER, work_orders=[plan.draft]
            )
            return _ContactPlan(at, office, by, data, [plan])

        if kind == "complaint":
            return self._complaint(office, at, by, channel, said)

        if kind == "consult" or (kind == "suggest" and r.random() < 0.6):
            answer = r.choice(names.CONSULTATIONS if kind == "consult" else names.SUGGESTIONS)
            intent = OrderKind.CONSULTATION if kind == "consult" else OrderKind.SUGGESTION
            data = said(intent, answer.said, Outcome.RESOLVED, resolution=answer.answer)
            return _ContactPlan(at, office, by, data, [])

        if kind == "suggest":
            case = r.choice(names.SUGGESTION_ORDERS)
            draft = WorkOrderDraft(
                kind=OrderKind.SUGGESTION, description=case.description, location=case.location
            )
            plan = order(draft, case, TeamKind.CUSTOMER_SERVICE)
            plan.handler = r.choice(office.administrators)
            data = said(OrderKind.SUGGESTION, case.said, Outcome.WORK_ORDER, work_orders=[draft])
            return _ContactPlan(at, office, by, data, [plan])

        promise = r.choice(names.PROMISES)
        promised_day = at.astimezone(office.tz).date() + timedelta(days=promise.days)
        data = said(
            promise.intent,
            promise.said,
            Outcome.PROMISED,
            promised_at=datetime.combine(promised_day, time(17), tzinfo=office.tz),
            promise_reason=promise.reason,
        )
        assert data.promised_at is not None
        kept_at = None
        if r.random() < 0.9:  # most promises are kept, a few hours before the time given
            kept_at = max(
                at + timedelta(minutes=30), data.promised_at - timedelta(hours=r.randint(1, 6))
            )
        return _ContactPlan(at, office, by, data, [], kept_at=kept_at)

    def _housekeeping_draft(self, case: names.Case) -> WorkOrderDraft:
        return WorkOrderDraft(
            kind=OrderKind.HOUSEKEEPING,
            description=case.description,
            service_item=self.catalogue[case.item],
        )

    def _location(self, office: _Office, case: names.Case) -> str:
        if not case.location:
            return ""
        building, unit = self.rng.choice(office.units)
        return case.location.format(b=building, u=unit)

    def _complaint(
        self,
        office: _Office,
        at: datetime,
        by: User,
        channel: str,
        said: Callable[..., ContactInput],
    ) -> _ContactPlan:
        r = self.rng
        case = r.choice(names.COMPLAINTS)
        if case.complaint_type == "written":
            channel = Channel.WRITTEN
        # The office head handles written (CP-3), important (CP-4) and attitude (CP-5) ones.
        to_head = case.important or case.complaint_type in ("written", "attitude")
        handler = office.head if to_head else r.choice(office.administrators)
        draft = WorkOrderDraft(
            kind=OrderKind.COMPLAINT,
            complaint_type=case.complaint_type,
            description=case.description,
            is_important=case.important,
            is_long_running=case.long_running,
            location="小区公共区域" if case.public else "",
        )
        plan = _OrderPlan(
            office=office,
            created_at=at,
            draft=draft,
            team_kind=None,
            done=case.done,
            follow_up=case.follow_up,
            handler=handler,
        )
        data = said(
            OrderKind.COMPLAINT,
            case.said,
            Outcome.WORK_ORDER,
            channel=channel,
            # FD-4: an agitated visitor is taken to the meeting room.
            owner_agitated=channel == Channel.VISIT and r.random() < 0.25,
            work_orders=[draft],
            # CP-3: the demo keeps no scans; a letter's complaint says so, as the desk must.
            no_written_material=channel == Channel.WRITTEN,
        )
        return _ContactPlan(at, office, by, data, [plan])

    # --- paths --------------------------------------------------------------------------------

    def _scenario(self, order: _OrderPlan) -> str:
        if order.draft.is_long_running or order.draft.is_construction_legacy:
            return "stalled"  # weeks open, called weekly (FD-5, CP-7)
        young = self.now - order.created_at < timedelta(days=3)
        x = self.rng.random()
        if x < 0.06:
            return "cancelled"
        if x < 0.13:
            return "returned" if young else "return_then_closed"
        if x < 0.19:
            return "reopened" if young else "reopen_then_closed"
        if x < 0.23:
            return "stalled"
        return "closed"

    def _paths(self, order: _OrderPlan, scenario: str) -> list[_Step]:
        """The order's steps for ``scenario``, cut at ``now``."""
        t = _Timeline(order.created_at, order.office.tz, self.rng)
        r = self.rng
        if scenario == "cancelled":
            steps = [] if r.random() < 0.5 else self._dispatch(order, t)
            if steps and steps[-1].action == "claim":
                steps.pop()  # cancelled before anybody took it
            steps.append(
                _Step(t.after(20, 180), "cancel", self._desk(order), r.choice(names.CANCEL_NOTES))
            )
        elif scenario == "returned":
            steps = self._returned(order, t)
        elif scenario == "return_then_closed":
            steps = self._returned(order, t)
            steps += self._work(order, t, again=True) + self._closing(order, t)
        elif scenario in ("reopened", "reopen_then_closed"):
            steps = self._work(order, t) + self._closing(order, t)
            steps.append(
                _Step(
                    t.office(60, 60 * 24),
                    "reopen",
                    r.choice(order.office.administrators),
                    r.choice(names.REOPEN_NOTES),
                )
            )
            if scenario == "reopen_then_closed":
                steps += self._work(order, t, again=True) + self._closing(order, t)
        else:
            steps = self._work(order, t) + self._closing(order, t)
            if scenario == "stalled":
                steps = steps[: r.randint(1, max(1, len(steps) - 3))]
        return [s for s in itertools.takewhile(lambda s: s.at <= self.now, steps)]

    def _desk(self, order: _OrderPlan) -> User:
        return self.rng.choice(order.office.receptionists)

    def _dispatch(self, order: _OrderPlan, t: _Timeline, *, again: bool = False) -> list[_Step]:
        office = order.office
        if order.team_kind is None or order.team_kind == TeamKind.CUSTOMER_SERVICE:
            # CP-1: an administrator within 10 minutes; a returned complaint goes to the head.
            handler = office.head if again and order.team_kind is None else order.handler
            steps = [_Step(t.after(2, 9), "dispatch", self._desk(order), assignee=handler)]
            if order.draft.complaint_type == "written" and not again:
                # CP-3: the head has an administrator investigate and reply.
                admin = self.rng.choice(office.administrators)
                steps.append(_Step(t.after(10, 60), "assign", office.head, assignee=admin))
            return steps
        # DS-1: a repair or housekeeping order waits in its team's pool from the start; a returned
        # or reopened one is sent back there by the office. The leader hands it to a member, or
        # a member takes it from the pool (抢单).
        steps = [_Step(t.after(3, 25), "dispatch", self._desk(order))] if again else []
        member = self.rng.choice(office.members[order.team_kind])
        if self.rng.random() < 0.6:
            leader = office.leaders[order.team_kind]
            steps.append(_Step(t.after(3, 20), "assign", leader, assignee=member))
        else:
            steps.append(_Step(t.after(2, 20), "claim", member))
        return steps

    def _worker(self, order: _OrderPlan, steps: list[_Step]) -> User:
        """Whoever holds the order after the last dispatch, assign or claim."""
        for step in reversed(steps):
            if step.action == "claim":
                return step.by
            if step.action in ("assign", "dispatch"):
                if step.assignee is not None:
                    return step.assignee
                break
        assert order.team_kind is not None
        return order.office.leaders[order.team_kind]

    def _returned(self, order: _OrderPlan, t: _Timeline) -> list[_Step]:
        steps = self._dispatch(order, t)
        worker = self._worker(order, steps)
        notes = names.COMPLAINT_RETURN_NOTES if order.team_kind is None else names.RETURN_NOTES
        steps.append(_Step(t.after(15, 120), "return", worker, self.rng.choice(notes)))
        return steps

    def _work(self, order: _OrderPlan, t: _Timeline, *, again: bool = False) -> list[_Step]:
        r = self.rng
        steps = self._dispatch(order, t, again=again)
        if again:
            # Re-dispatching is office work: it waits for the office to open.
            t.office(0, 0)
        worker = self._worker(order, steps)
        if steps[-1].action != "claim":  # 抢单 is taking it: nothing more to accept
            steps.append(_Step(t.after(2, 15), "accept", worker))
        if order.team_kind is None and not again:
            # CP-3 … CP-6: the owner is answered the same day, the head in person when it is theirs.
            steps.append(_Step(t.after(20, 150), "reply", worker, r.choice(REPLY_NOTES)))
        housekeeping = order.draft.kind == OrderKind.HOUSEKEEPING
        # A complaint is answered and handled to the end, never checked in on site.
        on_site = order.team_kind not in (None, TeamKind.CUSTOMER_SERVICE) or (
            order.draft.kind != OrderKind.COMPLAINT and r.random() < 0.5
        )
        if on_site:
            # Housekeeping is booked for a later slot; repairs go at once.
            at = t.office(60, 60 * 20) if housekeeping else t.after(10, 45)
            steps.append(_Step(at, "check_in", worker))
        low = max(10, int(order.minutes * 0.7))
        steps.append(_Step(t.after(low, int(order.minutes * 1.5)), "resolve", worker, order.done))
        return steps

    def _closing(self, order: _OrderPlan, t: _Timeline) -> list[_Step]:
        r = self.rng
        office = order.office
        steps: list[_Step] = []
        if order.team_kind is None:
            # CP-2 within 3 days; a major complaint's return visit only by the head (RV-3).
            by = office.head if order.handler == office.head else r.choice(office.administrators)
            at = t.office(120, 60 * 30)
            level = self._level()
            steps.append(
                _Step(at, "complaint_visit", by, _visit_note(order.follow_up, level), level=level)
            )
            closer = office.head
        else:
            if order.draft.kind not in (OrderKind.REPAIR, OrderKind.HOUSEKEEPING):
                if r.random() < 0.85:  # the desk tells the owner it is done
                    steps.append(
                        _Step(t.office(30, 240), "follow_up", self._desk(order), order.follow_up)
                    )
            elif r.random() < 0.1:
                # The desk never made the return call: RV-6 breaches (a repair's 回访 is a return
                # visit; 跟踪回访 on the order is a complaint's, workflow.follow_up). The hours go
                # by as when it wrote the owner's word on the order, so the demo's later draws
                # and times stay as they were.
                t.office(30, 240)
            elif r.random() < 0.9:  # RV-6: the desk phones the owner the same day
                at, by = t.office(30, 240), self._desk(order)
                level = self._level()
                steps.append(
                    _Step(at, "order_visit", by, _visit_note(order.follow_up, level), level=level)
                )
            closer = r.choice(office.administrators)
        steps.append(_Step(t.office(20, 60 * 8), "close", closer))
        return steps

    def _level(self) -> str:
        return self.rng.choices([lv for lv, _ in LEVELS], [w for _, w in LEVELS])[0]

    def _cover_every_state(self, orders: list[_OrderPlan]) -> None:
        """Re-plan the newest closed orders until every workflow state appears at least once."""
        finals = Counter(_final_state(o.steps, o.first_state) for o in orders)
        for wanted in State:
            if finals[wanted]:
                continue
            for order in sorted(orders, key=lambda o: o.created_at, reverse=True):
                if order.forced or finals[_final_state(order.steps, order.first_state)] < 2:
                    continue
                steps = self._steps_ending_in(order, wanted)
                if steps is not None:
                    finals[_final_state(order.steps, order.first_state)] -= 1
                    order.steps, order.forced = steps, True
                    finals[wanted] += 1
                    break

    def _steps_ending_in(self, order: _OrderPlan, wanted: State) -> list[_Step] | None:
        for scenario in ("closed", "returned", "cancelled", "reopened") * 8:
            steps = self._paths(order, scenario)
            for k in range(len(steps), -1, -1):
                if _final_state(steps[:k], order.first_state) == wanted:
                    return steps[:k]
        return None


# --- replaying the plan through the services ----------------------------------------------------


@dataclass
class _Running:
    order_id: int
    version: int
    plan: _OrderPlan
    index: int = 0


def _replay(contacts: list[_ContactPlan], now: datetime) -> None:
    """Run every contact and step in time order, across all orders, with ``now`` = its time."""
    seq = itertools.count()  # breaks ties so the heap never compares plans
    queue: list[tuple[datetime, int, _ContactPlan | _Running | _Keep]] = [
        (c.at, next(seq), c) for c in contacts
    ]
    heapq.heapify(queue)
    while queue:
        at, _, item = heapq.heappop(queue)
        # The worker would have swept all along: breaches and escalations land at their time,
        # not in one late burst when the app first starts.
        clocks_sweep(now=at)
        if isinstance(item, _Keep):
            contact_promise_keep(
                contact_id=item.contact_id, by=item.by, now=at, result="已按承诺处理并电话告知业主"
            )
            continue
        if isinstance(item, _ContactPlan):
            community = item.office.community
            if item.data is None:
                created = [
                    work_order_create(
                        community=community, by=item.by, now=at, draft=item.orders[0].draft
                    )
                ]
            else:
                contact = contact_log(community=community, by=item.by, now=at, data=item.data)
                created = list(contact.work_orders.order_by("id"))
                if item.kept_at is not None and item.kept_at <= now:
                    heapq.heappush(queue, (item.kept_at, next(seq), _Keep(contact.pk, item.by)))
            for order, plan in zip(created, item.orders, strict=True):
                running = _Running(order.pk, order.version, plan)
                if plan.steps:
                    heapq.heappush(queue, (plan.steps[0].at, next(seq), running))
            continue
        step = item.plan.steps[item.index]
        if step.action in RETURN_VISITS:
            order = WorkOrder.objects.select_related("community").get(pk=item.order_id)
            return_visit_record(
                community=order.community,
                by=step.by,
                now=step.at,
                draft=VisitDraft(
                    kind="complaint" if step.action == "complaint_visit" else "order",
                    order=order,
                    level=step.level,
                    opinion=step.note,
                ),
            )
            order.refresh_from_db(fields=["version"])
        else:
            order = work_order_transition(
                order_id=item.order_id,
                action=step.action,
                by=step.by,
                now=step.at,
                version=item.version,
                note=step.note,
                assignee=step.assignee,
            )
        item.version = order.version
        item.index += 1
        if item.index < len(item.plan.steps):
            heapq.heappush(queue, (item.plan.steps[item.index].at, next(seq), item))
    clocks_sweep(now=now)


# --- the report ---------------------------------------------------------------------------------


def _report(company: Company, offices: list[_Office], logins: list[Login]) -> SeedReport:
    orders = WorkOrder.objects.filter(community__company=company)
    states = Counter(orders.values_list("state", flat=True))
    return SeedReport(
        company=company.name,
        communities=[o.community.name for o in offices],
        households=Household.objects.filter(community__company=company).count(),
        residents=Resident.objects.filter(household__community__company=company).count(),
        staff=User.objects.filter(company=company).count(),
        shifts=DutyShift.objects.filter(team__community__company=company).count(),
        service_items=ServiceItem.objects.filter(company=company).count(),
        contacts=Contact.objects.filter(community__company=company).count(),
        work_orders=orders.count(),
        events=WorkOrderEvent.objects.filter(community__company=company).count(),
        states={s.value: states.get(s.value, 0) for s in State},
        logins=logins,
    )
