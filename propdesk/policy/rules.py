"""The office policy file: every clock (which event starts it, meets it, cancels it, how long it
runs, when it warns, who hears of a breach), the office day and the routing of orders.

The shipped default (``default.yaml`` beside this file) reproduces the seed's rules. A community
overrides any part with a nested mapping of the same shape (``Community.policy``), e.g.
``{"clocks": {"CP-1": {"duration": {"value": 15}}}}``. ``load_policy`` validates the result and
raises PolicyError naming the key that is wrong.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from propdesk.policy.deadlines import QUOTA_KINDS, Counting, DurationKind, OfficeDay

DEFAULT_POLICY_PATH = Path(__file__).with_name("default.yaml")

ORDER_FACTS = {
    "kind",
    "complaint_type",
    "is_important",
    "is_long_running",
    "is_construction_legacy",
    "state",
    "has_assignee",
    # Issue 16: the order has an agreed time (预约上门时间); a repair is urgent (急修).
    "has_appointment",
    "is_urgent",
}
# ``flagged`` / ``unflagged``: the marks (is_important, is_long_running, is_construction_legacy)
# the event set on / took off (a ``flag`` event names only the marks it changes).
EVENT_FACTS = {"actor_role", "channel", "waiting", "flagged", "unflagged"}
RECIPIENTS = {
    "responsible",
    "assignee",
    "team_leader",
    "administrator",
    "office_head",
    "receptionist",
    "leadership",
    "subject",
}

# The departments an emergency can call: the team kinds of the register (community.TeamKind).
TEAM_KINDS = {"repair", "cleaning", "security", "greening", "customer_service"}
# The roles that can stand in for an office head who does not acknowledge an emergency.
DEPUTY_ROLES = {"administrator", "receptionist", "office_head", "leadership"}

Scalar = str | bool | int


class PolicyError(ValueError):
    """The policy is not valid; the message names each wrong key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Trigger(_Strict):
    """An event, narrowed by facts it must have (``when``) and facts it must not have
    (``unless``: e.g. a complaint, unless its complaint_type is emergency)."""

    event: str = Field(min_length=1)
    when: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)
    unless: dict[str, Scalar | list[Scalar]] = Field(default_factory=dict)

    @field_validator("when", "unless")
    @classmethod
    def _known_facts(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = set(value) - ORDER_FACTS - EVENT_FACTS
        if unknown:
            raise ValueError(
                f"unknown fact {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(ORDER_FACTS | EVENT_FACTS))}"
            )
        return value

    @staticmethod
    def _fits(have: Any, wanted: Scalar | list[Scalar]) -> bool:
        options = wanted if isinstance(wanted, list) else [wanted]
        if isinstance(have, (set, frozenset)):
            return bool(have & set(options))
        return have in options

    def matches(self, event: str, facts: Mapping[str, Any]) -> bool:
        if event != self.event:
            return False
        if not all(self._fits(facts.get(k), w) for k, w in self.when.items()):
            return False
        return not any(self._fits(facts.get(k), w) for k, w in self.unless.items())


class Duration(_Strict):
    kind: DurationKind
    value: int = Field(default=0, ge=0)
    given_from: str = ""  # the event data key holding the deadline (kind: given)

    @model_validator(mode="after")
    def _value_fits_kind(self) -> Duration:
        needs_value = {DurationKind.MINUTES, DurationKind.DAYS, DurationKind.WORKING_DAYS}
        if self.kind in needs_value and self.value < 1:
            raise ValueError(f"a {self.kind.value} clock needs a value of at least 1")
        if self.kind is DurationKind.GIVEN and not self.given_from:
            raise ValueError("a given deadline needs given_from: the event field that holds it")
        return self


class EscalationStep(_Strict):
    after_minutes: int = Field(ge=0)
    notify: list[str] = Field(min_length=1)

    @field_validator("notify")
    @classmethod
    def _known_recipients(cls, value: list[str]) -> list[str]:
        unknown = set(value) - RECIPIENTS
        if unknown:
            known = ", ".join(sorted(RECIPIENTS))
            raise ValueError(f"unknown recipient {', '.join(sorted(unknown))}; use {known}")
        return value


class ClockRule(_Strict):
    title: str = Field(min_length=1)
    start: list[Trigger] = Field(min_length=1)
    met: list[Trigger] = Field(default_factory=list)
    cancel: list[Trigger] = Field(default_factory=list)
    duration: Duration
    warn_before_minutes: int | None = Field(default=None, ge=1)
    escalation: list[EscalationStep] = Field(min_length=1)
    # A quota: distinct subjects by the period's end (monthly: households; quarterly: activities).
    target: int | None = Field(default=None, ge=1)
    enabled: bool = True
    # wall: every minute counts; team_hours: only the working hours of the order's team
    # (班组工作时间, propdesk.policy.hours) on the office's calendar.
    counting: Counting = Counting.WALL
    # Issue 16: when the order has an agreed time (预约上门时间) later than the event, the
    # duration counts from the agreed time instead (on-site: the agreed time + ``value``
    # minutes of grace; same day: the end of the agreed day); the ``appoint`` event (改约)
    # recomputes a running clock's deadline from the new time.
    from_appointment: bool = False

    @property
    def recurring(self) -> bool:
        return self.duration.kind is DurationKind.WEEKLY

    @model_validator(mode="after")
    def _escalation_in_order(self) -> ClockRule:
        delays = [s.after_minutes for s in self.escalation]
        if delays != sorted(delays):
            raise ValueError("escalation steps must come in order of after_minutes")
        if self.duration.kind in QUOTA_KINDS and self.target is None:
            raise ValueError(f"a {self.duration.kind.value} needs a target")
        if self.counting is Counting.TEAM_HOURS and self.duration.kind is not DurationKind.MINUTES:
            raise ValueError(
                "counting team_hours needs a minutes duration (8 working hours: 480); "
                "working_days already follow the calendar"
            )
        return self


class OfficeDaySpec(_Strict):
    time_zone: str = "Asia/Shanghai"
    day_end: time = time(23, 59, 59)
    late_intake: time = time(20, 0)

    @field_validator("time_zone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value}") from exc
        return value

    def office_day(self) -> OfficeDay:
        return OfficeDay(ZoneInfo(self.time_zone), self.day_end, self.late_intake)


class EmergencyKind(_Strict):
    """One kind of emergency (EM-1): its Chinese name and the departments (team kinds) whose
    on-duty staff it calls."""

    title: str = Field(min_length=1)
    departments: list[str] = Field(min_length=1)

    @field_validator("departments")
    @classmethod
    def _known_departments(cls, value: list[str]) -> list[str]:
        unknown = set(value) - TEAM_KINDS
        if unknown:
            known = ", ".join(sorted(TEAM_KINDS))
            raise ValueError(f"unknown department {', '.join(sorted(unknown))}; use {known}")
        return list(dict.fromkeys(value))


class EmergencyPolicy(_Strict):
    """EM-1: the emergency kinds, the acknowledgement repeat interval (seconds) and after how
    many unacknowledged repeats the alert widens to the deputies (once)."""

    repeat_seconds: int = Field(default=60, ge=10)
    widen_after_rounds: int = Field(default=3, ge=1)
    office_head_deputies: list[str] = Field(default_factory=lambda: ["administrator"])
    kinds: dict[str, EmergencyKind] = Field(default_factory=dict)

    @field_validator("office_head_deputies")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        unknown = set(value) - DEPUTY_ROLES
        if unknown:
            known = ", ".join(sorted(DEPUTY_ROLES))
            raise ValueError(f"unknown role {', '.join(sorted(unknown))}; use {known}")
        return value

    @field_validator("kinds")
    @classmethod
    def _kind_codes(cls, value: dict[str, EmergencyKind]) -> dict[str, EmergencyKind]:
        bad = [k for k in value if not k or len(k) > 30 or not k.replace("_", "").isalnum()]
        if bad:
            raise ValueError(f"a kind code is 1-30 letters, digits or _: {', '.join(bad)}")
        return value


SATISFACTION_LEVELS = (
    "very_satisfied",  # 很满意
    "satisfied",  # 满意
    "fairly_satisfied",  # 基本满意
    "not_very_satisfied",  # 不太满意
    "dissatisfied",  # 不满意
)


class SatisfactionPolicy(_Strict):
    """RV-2: how return-visit answers become the monthly KPIs.

    满意率 (rate) = answers at a satisfied level / answered visits, in percent: 很满意 and 满意,
    and 基本满意 too when ``fairly_satisfied_counts``. 满意度 (degree) = the mean of the level
    ``weights`` (0-100) over answered visits. ``rate_target`` and ``degree_target`` are percent.
    A no-answer schedules a retry ``retry_after_minutes`` later (RV-6). In the resident portal
    the owner rates a finished order from a link that works ``rating_link_days`` after it is
    sent, and may reopen it (没修好, 部分解决) within ``reopen_within_days`` of 完工."""

    weights: dict[str, int] = Field(
        default_factory=lambda: {
            "very_satisfied": 100,
            "satisfied": 80,
            "fairly_satisfied": 60,
            "not_very_satisfied": 30,
            "dissatisfied": 0,
        }
    )
    fairly_satisfied_counts: bool = False
    rate_target: int = Field(default=96, ge=0, le=100)
    degree_target: int = Field(default=75, ge=0, le=100)
    retry_after_minutes: int = Field(default=120, ge=1)
    rating_link_days: int = Field(default=7, ge=1)
    reopen_within_days: int = Field(default=7, ge=0)

    @field_validator("weights")
    @classmethod
    def _five_levels(cls, value: dict[str, int]) -> dict[str, int]:
        if set(value) != set(SATISFACTION_LEVELS):
            raise ValueError(f"give a weight for each level: {', '.join(SATISFACTION_LEVELS)}")
        bad = [k for k, w in value.items() if not 0 <= w <= 100]
        if bad:
            raise ValueError(f"a weight is 0-100: {', '.join(bad)}")
        return value

    @property
    def satisfied_levels(self) -> tuple[str, ...]:
        """The levels that count as satisfied for 满意率."""
        if self.fairly_satisfied_counts:
            return SATISFACTION_LEVELS[:3]
        return SATISFACTION_LEVELS[:2]

    @property
    def dissatisfied_levels(self) -> tuple[str, ...]:
        """The levels that put an order back in front of the office head (不太满意, 不满意)."""
        return SATISFACTION_LEVELS[3:]


class CommonIssuePolicy(_Strict):
    """RV-7: when the product proposes a common issue: similar texts (``similarity``, 0-1,
    cosine of character unigrams and bigrams) from at least ``min_households`` households of
    one building or area within ``window_days``. ``notice_days`` is shown on the issue; the
    clock itself is RV-7's."""

    min_households: int = Field(default=5, ge=2)
    window_days: int = Field(default=30, ge=1)
    similarity: float = Field(default=0.4, gt=0, le=1)


# Who is told of an event (NOTIFY_EVENTS), resolved at the event's moment by the desk.
NOTIFY_RECIPIENTS = {
    "administrator_on_duty",  # the community's administrators on duty now, by the roster
    "administrator",  # every administrator of the community
    "office_head",
    "team_leader",  # the leader of the order's team
    "team_on_duty",  # the order's team members on duty now (the pool, where members may take)
    "assignee",  # the person the order is now with
}
NOTIFY_EVENTS = {
    "complaint_created",  # a new complaint (CP-1: an administrator within 10 minutes)
    "order_routed",  # a repair or housekeeping order reaches its team's pool
    "order_assigned",  # 派单 or 转单 to a person
    "order_returned",  # 退单: back with the reason
    "complaint_to_head",  # written, important (also when marked later) or attitude (CP-3/4/5)
    "agitated_visitor",  # FD-4
    "order_cancelled",  # the order was cancelled while someone had it
    "order_reopened",  # the owner reopened a finished order from the portal (没修好, 部分解决)
    "order_urged",  # 催单: the resident asks for it in the portal (issue 13)
    "order_appointed",  # 改约: the agreed time changed (issue 16)
    "order_urgent",  # a repair marked urgent (急修) after intake (issue 16)
    "suggestion_created",  # a suggestion (建议) nobody has yet: the administrators take it
}


class NotifyRule(_Strict):
    """``to``: who is told; ``otherwise``: who is told when ``to`` finds nobody (no
    administrator on duty: the office head)."""

    to: list[str] = Field(default_factory=list)
    otherwise: list[str] = Field(default_factory=list)

    @field_validator("to", "otherwise")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = set(value) - NOTIFY_RECIPIENTS
        if unknown:
            raise ValueError(
                f"unknown recipient {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(NOTIFY_RECIPIENTS))}"
            )
        return value


class DispatchPolicy(_Strict):
    """How work reaches people. ``direct``: the order kinds that go straight to their routed team
    when logged (no office 派单); ``pool``: members may take (抢单) orders waiting in their team's
    pool; otherwise the leader assigns each."""

    direct: list[str] = Field(default_factory=lambda: ["repair", "housekeeping"])
    pool: bool = True


class NotifyCapPolicy(_Strict):
    """Issue 12: at most ``per_person`` notifications reach one person in any ``window_minutes``;
    the rest of that window are folded into one summary notification, never dropped. The kinds
    in ``uncapped`` (the emergency calls of EM-1 and EM-2) always go through and are not
    counted."""

    per_person: int = Field(default=20, ge=1)
    window_minutes: int = Field(default=10, ge=1)
    uncapped: list[str] = Field(default_factory=lambda: ["emergency", "roster_gap"])


class PortalPolicy(_Strict):
    """The resident portal (issue 13): a resident may urge (催单) an open order once per
    ``urge_period_minutes``; a second press within the period is told when it may press again."""

    urge_period_minutes: int = Field(default=120, ge=1)


class OfficeHours(_Strict):
    """The hours the office answers its phone (local time of ``office_day.time_zone``)."""

    start: time = time(8, 0)
    end: time = time(20, 0)

    @model_validator(mode="after")
    def _start_before_end(self) -> OfficeHours:
        if self.start >= self.end:
            raise ValueError("office hours start before they end")
        return self


class CallsPolicy(_Strict):
    """FD-1: a call is answered within three rings. ``ring_cycle_seconds`` (5 s in China: 1 s on,
    4 s off) × ``rings`` (3) is the longest ring time that counts as within (15 s); a call
    answered at exactly that time is within, one later is not. ``target_percent``: the monthly
    report's target for the share of calls answered within. ``office_hours``: when the call-back
    clock of a missed call (FD-1-callback) runs; a call missed outside them starts it when the
    office opens."""

    ring_cycle_seconds: int = Field(default=5, ge=1, le=60)
    rings: int = Field(default=3, ge=1, le=20)
    target_percent: int = Field(default=100, ge=0, le=100)
    office_hours: OfficeHours = Field(default_factory=OfficeHours)

    @property
    def answer_within_seconds(self) -> int:
        return self.ring_cycle_seconds * self.rings


# Clocks no waiting state may pause: the complaint's 10 minutes to an administrator and the
# emergencies' clocks (EM-*) run whatever the owner or the parts do.
UNPAUSABLE_RULES = frozenset({"CP-1"})
UNPAUSABLE_PREFIXES = ("EM-",)
# The events that begin and end a waiting state (with the waiting kind as the fact ``waiting``).
WAIT_START, WAIT_END = "wait_start", "wait_end"


class WaitingKind(_Strict):
    """One waiting state of an order (业主不在家, 待业主确认, 待料): its Chinese ``title``, the
    clock rules it ``pauses`` while it lasts (each deadline moves by the paused time), and the
    clock rule that ``limit``s it: an ordinary clock started by ``wait_start`` with
    ``when: {waiting: <this kind>}`` and met by ``wait_end``, whose duration is the longest pause
    and whose escalation says who hears of a pause that ran past it."""

    title: str = Field(min_length=1)
    pauses: list[str] = Field(default_factory=list)
    limit: str = ""


class Policy(_Strict):
    _fingerprint: str | None = PrivateAttr(default=None)
    version: str = Field(min_length=1)
    # Issue 16: the grade preset (presets/<name>.yaml) merged over the default before the
    # community's own overrides; "" for none.
    preset: str = ""
    office_day: OfficeDaySpec = Field(default_factory=OfficeDaySpec)
    routing: dict[str, str] = Field(default_factory=dict)
    clocks: dict[str, ClockRule]
    emergencies: EmergencyPolicy = Field(default_factory=EmergencyPolicy)
    satisfaction: SatisfactionPolicy = Field(default_factory=SatisfactionPolicy)
    common_issues: CommonIssuePolicy = Field(default_factory=CommonIssuePolicy)
    dispatch: DispatchPolicy = Field(default_factory=DispatchPolicy)
    notify: dict[str, NotifyRule] = Field(default_factory=dict)
    notify_cap: NotifyCapPolicy = Field(default_factory=NotifyCapPolicy)
    portal: PortalPolicy = Field(default_factory=PortalPolicy)
    calls: CallsPolicy = Field(default_factory=CallsPolicy)
    waiting: dict[str, WaitingKind] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _waiting_names_clocks(self) -> Policy:
        for code, kind in self.waiting.items():
            if not code or len(code) > 20 or not code.replace("_", "").isalnum():
                raise ValueError(f"waiting.{code}: a waiting code is 1-20 letters, digits or _")
            for rule_id in kind.pauses:
                rule = self.clocks.get(rule_id)
                if rule is None:
                    raise ValueError(f"waiting.{code}.pauses: unknown clock {rule_id}")
                if rule_id in UNPAUSABLE_RULES or rule_id.startswith(UNPAUSABLE_PREFIXES):
                    raise ValueError(f"waiting.{code}.pauses: {rule_id} never pauses")
                if rule.duration.kind in QUOTA_KINDS or rule.recurring:
                    raise ValueError(f"waiting.{code}.pauses: {rule_id} is a quota or recurring")
            if kind.limit:
                limit = self.clocks.get(kind.limit)
                if limit is None:
                    raise ValueError(f"waiting.{code}.limit: unknown clock {kind.limit}")
                if not any(t.event == WAIT_START for t in limit.start):
                    raise ValueError(f"waiting.{code}.limit: {kind.limit} must start on wait_start")
                if kind.limit in kind.pauses:
                    raise ValueError(f"waiting.{code}: the limit {kind.limit} cannot pause itself")
        return self

    @field_validator("notify")
    @classmethod
    def _known_events(cls, value: dict[str, NotifyRule]) -> dict[str, NotifyRule]:
        unknown = set(value) - NOTIFY_EVENTS
        if unknown:
            raise ValueError(
                f"unknown event {', '.join(sorted(unknown))}; "
                f"use {', '.join(sorted(NOTIFY_EVENTS))}"
            )
        return value

    def rule(self, rule_id: str) -> ClockRule:
        return self.clocks[rule_id]

    def fingerprint(self) -> str:
        """A stable hash of the whole policy: equal policies, equal fingerprints. Computed once
        per policy object (policies are frozen; load_policy hands out cached ones)."""
        if self._fingerprint is None:
            body = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
            self._fingerprint = hashlib.sha256(body.encode()).hexdigest()[:16]
        return self._fingerprint


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err["loc"]) or "(top)"
        lines.append(f"{where}: {err['msg']}")
    return "; ".join(lines)


def parse_policy(data: Mapping[str, Any]) -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(_format(exc)) from exc


@lru_cache(maxsize=1)
def default_policy_data() -> dict[str, Any]:
    try:
        data = yaml.safe_load(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PolicyError(f"{DEFAULT_POLICY_PATH.name}: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyError(f"{DEFAULT_POLICY_PATH.name}: the top level must be a mapping")
    return data


def load_policy(overrides: Mapping[str, Any] | None = None) -> Policy:
    """The default policy with ``overrides`` merged in, validated. Raises PolicyError."""
    if not overrides:  # a community on the defaults (most): nothing to write out as the key
        return _cached_policy("{}")
    return _cached_policy(json.dumps(dict(overrides), sort_keys=True, default=str))


@lru_cache(maxsize=256)
def _cached_policy(overrides_json: str) -> Policy:
    overrides = json.loads(overrides_json)
    base = default_policy_data()
    preset = overrides.get("preset")
    if preset:
        if not isinstance(preset, str) or preset not in preset_names():
            raise PolicyError(
                f"preset: unknown preset {preset}; use {', '.join(preset_names()) or 'none'}"
            )
        data = preset_data(preset)
        if data["source"].get("verified") is not True:
            # Issue 16: presets only where a source confirms them. A draft whose numbers no
            # source seen here confirms is kept for review, never applied.
            raise PolicyError(
                f"preset: {preset} is a draft: its numbers are not yet confirmed by the source it "
                "names (source.verified is false); set the clocks in the policy instead"
            )
        base = _deep_merge(base, data["policy"])
    return parse_policy(_deep_merge(base, overrides))


# --- grade presets (issue 16) --------------------------------------------------------------------

PRESETS_DIR = Path(__file__).with_name("presets")


def preset_names() -> list[str]:
    """The grade presets beside this file (presets/<name>.yaml), sorted; only those whose
    ``source.verified`` is true can be applied (the others are drafts)."""
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


@lru_cache(maxsize=16)
def preset_data(name: str) -> dict[str, Any]:
    """One preset file: ``title``, ``source`` (where its numbers come from, and whether they
    were checked against the source's text) and ``policy`` (overrides of the default, the same
    shape as a community's). Raises PolicyError for a missing or malformed file."""
    path = PRESETS_DIR / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"preset {name}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("policy"), dict):
        raise PolicyError(f"preset {name}: needs a policy mapping")
    if not isinstance(data.get("source"), dict):
        raise PolicyError(f"preset {name}: needs its source (title, issuer, clause, url)")
    return data


def load_policy_text(text: str) -> Policy:
    """Parse a whole policy file (YAML or JSON text)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(str(exc)) from exc
    if not isinstance(data, dict):
        raise PolicyError("the top level must be a mapping")
    return parse_policy(data)
