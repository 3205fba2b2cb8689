"""The monthly report of one community (服务质量月报): every target of the office's rules beside
the month's figure, with the lists behind each figure; and leadership's comparison of the
communities it may see.

Months are the community's local months (``Community.time_zone``). Every figure is a SQL
aggregate read through the follow-up and clock selectors; the report costs a fixed number of
queries whatever the number of orders, visits or clocks (the tests pin it). A percentage is a
``Decimal`` to one decimal place, ``None`` when its sample is empty ("no data"), never a
division by zero. Lists are complete except the breaches, capped at ``BREACH_LIST_LIMIT`` rows
(``breaches_total`` says how many there are).

Labels are lazy translations: a report renders in the language active where it is shown (the
PDF and the workbook in Chinese).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from propdesk.calls.selectors import AnswerFigures, answer_figures, calls_policy
from propdesk.clocks.models import Clock, ClockState
from propdesk.clocks.selectors import RuleCompliance, compliance_for_month, month_bounds
from propdesk.clocks.services import policy_for
from propdesk.community.access import caller_phone_as_seen, clock_subject_as_seen
from propdesk.community.models import Community, User
from propdesk.community.selectors import (
    access_community,
    communities_visible,
    user_roles,
)
from propdesk.concierge.selectors import cart_month_figures, concierge_month_figures
from propdesk.concierge.selectors_activities import QuarterFigures, quarter_at, quarter_figures
from propdesk.core.errors import Forbidden, NotFound
from propdesk.core.replica import replica_reads
from propdesk.core.rule_names import rule_name
from propdesk.followup.models import (
    CommonIssue,
    Recovery,
    RecoveryState,
)
from propdesk.followup.selectors import (
    BreakdownRow,
    ComplaintVisitFigures,
    MissingVisit,
    QueueRow,
    QuotaPace,
    SatisfactionFigures,
    TrendPoint,
    TurnedFigures,
    common_issue_figures,
    complaint_return_visit_figures,
    monthly_quota_pace,
    satisfaction_breakdown,
    satisfaction_figures,
    satisfaction_trend,
    suggestions_open_at_end,
    turned_count,
)
from propdesk.incidents.models import Responder
from propdesk.incidents.selectors import EMERGENCY_RULE
from propdesk.policy.deadlines import QUOTA_KINDS
from propdesk.policy.percent import shown_percent
from propdesk.policy.rules import Policy, load_policy
from propdesk.policy.workflow import FIGURE_ROLES, Role

# Who reads a community's report: the office head, administrators, company leadership.
REPORT_ROLES = FIGURE_ROLES
BREACH_LIST_LIMIT = 500
TIME_RULE_TARGET = Decimal(100)  # every clock met in time
# The quotas the target table judges by their own figure (RV-1: households visited in the month,
# CS-3: activities held in the quarter). Where the policy counts one with a quota clock
# (monthly_quota, quarterly_quota), that clock is not judged again as a time rule: one verdict
# per rule.
QUOTA_TARGET_RULES = frozenset({"RV-1", "CS-3"})

Status = Literal["met", "missed", "no_data", "info"]
Label = str | Promise


@dataclass(frozen=True)
class ReportLine:
    """One line of the target table.

    ``target`` and ``figure`` are in ``unit`` ("%", "households", "points", "items", "orders",
    "activities");
    ``comparison`` says how the figure must stand to the target (">=" or "<="); ``status`` is
    met / missed, ``no_data`` when the sample is empty, ``info`` when the rule sets no number.
    ``sample`` is the figure's sample size (None where the figure is itself a count).
    ``list_key`` names the list of the report that backs the figure ("" for none)."""

    key: str
    rule_id: str
    title: Label
    unit: str
    target: Decimal | None
    figure: Decimal | None
    sample: int | None
    sample_label: Label
    status: Status
    comparison: str = ">="
    note: Label = ""
    list_key: str = ""

    @property
    def is_clock(self) -> bool:
        """A time rule's line: its title is the rule's name."""
        return self.key.startswith("clock:")

    @property
    def rule_fallback(self) -> str:
        """The name of a rule the glossary does not name: a time rule's title (the policy's)."""
        return str(self.title) if self.is_clock else ""

    @property
    def rule_cell(self) -> str:
        """The rule column in plain text (PDF, workbook): the rule's name, no ID (GLOSSARY.md:
        IDs are for the back office; the page shows it small beside the name)."""
        return rule_name(self.rule_id, self.rule_fallback)

    @property
    def measure(self) -> Label:
        """The measure column: what a target line counts; "" for a time rule, whose measure is
        the share of its clocks met in time (its table's heading), its name already the rule."""
        return "" if self.is_clock else self.title


@dataclass(frozen=True)
class BreachRow:
    """A clock of the month that was missed: met late (``met_at``) or not at all."""

    rule_id: str
    title: str
    order_id: int | None
    number: str
    subject: str
    started_at: datetime
    due_at: datetime
    breached_at: datetime | None
    met_at: datetime | None
    # The person a clock is about (EM-2 5分钟内到场: the responder called, on site late or
    # not at all); "" for a clock about no one.
    person: str = ""
    # A call's clock with no order (FD-3, a call-back promised at the front desk): the call,
    # its caller and number as the viewer may read it; "" for an order's clock.
    contact: str = ""


@dataclass(frozen=True)
class IssueRow:
    """A common issue opened in the month (RV-7) and how its notice stands."""

    issue_id: int
    title: str
    state: str
    opened_at: datetime
    notice_due_at: datetime | None
    notice_posted_at: datetime | None
    in_time: bool | None  # None while open (or dropped)


@dataclass(frozen=True)
class TurnedRow:
    """A dissatisfied order whose owner a later visit found satisfied in the month."""

    order_id: int
    number: str
    opened_at: datetime
    turned_at: datetime


@dataclass(frozen=True)
class MonthlyReport:
    community_id: int
    community_name: str
    year: int
    month: int
    generated_at: datetime
    lines: tuple[ReportLine, ...]
    satisfaction: SatisfactionFigures
    pace: QuotaPace
    complaints: ComplaintVisitFigures
    turned: TurnedFigures
    compliance: tuple[RuleCompliance, ...]  # the time rules (quota targets apart)
    trend: tuple[TrendPoint, ...]
    breaches: tuple[BreachRow, ...]
    breaches_total: int
    open_items: tuple[QueueRow, ...]
    common_issues: tuple[IssueRow, ...]
    turned_orders: tuple[TurnedRow, ...]
    # RV-2 by team, kind of order and building: ((by, rows), …), largest sample first.
    breakdowns: tuple[tuple[str, tuple[BreakdownRow, ...]], ...] = ()
    policy_titles: dict[str, str] = field(default_factory=dict)
    time_zone: str = "Asia/Shanghai"

    @property
    def month_label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        """《锦绣花园 2026年11月 服务质量月报》 (always Chinese: the paper's title)."""
        return f"{self.community_name} {self.year}年{self.month}月 服务质量月报"

    def line(self, key: str) -> ReportLine:
        for ln in self.lines:
            if ln.key == key:
                return ln
        raise KeyError(key)

    @property
    def target_lines(self) -> tuple[ReportLine, ...]:
        """The seed's targets (RV-*, the return-visit rate and recoveries), time rules apart."""
        return tuple(ln for ln in self.lines if not ln.key.startswith("clock:"))

    @property
    def time_lines(self) -> tuple[ReportLine, ...]:
        return tuple(ln for ln in self.lines if ln.key.startswith("clock:"))

    @property
    def met_count(self) -> int:
        return sum(1 for ln in self.lines if ln.status == "met")

    @property
    def missed_count(self) -> int:
        return sum(1 for ln in self.lines if ln.status == "missed")


def _fill(message: Label, values: dict[str, Any]) -> Label:
    """``message % values`` evaluated when shown, in the language active then."""
    return lazy(lambda: str(message) % values, str)()


def quota_targets(policy: Policy) -> frozenset[str]:
    """The rules of ``policy`` whose quota clock the target table already judges (see
    ``QUOTA_TARGET_RULES``): left out of the time rules, their headline and the comparison."""
    return frozenset(
        rid
        for rid, rule in policy.clocks.items()
        if rid in QUOTA_TARGET_RULES and rule.duration.kind in QUOTA_KINDS
    )


def _status(figure: Decimal | None, target: Decimal | None, comparison: str = ">=") -> Status:
    if target is None:
        return "info"
    if figure is None:
        return "no_data"
    ok = figure >= target if comparison == ">=" else figure <= target
    return "met" if ok else "missed"


def _share_status(part: int, whole: int, target: int | Decimal) -> Status:
    """A share (``part`` of ``whole``) against a target in percent, judged on the counts: the
    figure shown is rounded to one decimal, and 95.96 % (shown 96.0) is below 96 %, 99.95 %
    (shown 100.0) below 100 %. No data without a whole."""
    if not whole:
        return "no_data"
    return "met" if Decimal(part) * 100 >= Decimal(target) * whole else "missed"


def _meets_status(meets: bool | None) -> Status:
    return "no_data" if meets is None else ("met" if meets else "missed")


def report_community(user: User, community_id: int | str | None) -> Community:
    """The community if ``user`` may see it (NotFound otherwise, hidden or missing alike) and
    reads its reports there (Forbidden otherwise)."""
    if community_id in (None, ""):
        raise NotFound("Community not found")
    community = access_community(user, community_id)
    roles = user_roles(user, community.pk)
    if not roles & REPORT_ROLES:
        raise Forbidden(gettext("Your role in this community may not read its reports."))
    return community


def _breaches(
    community: Community,
    start: datetime,
    end: datetime,
    quotas: frozenset[str],
    viewer: User | None,
) -> tuple[BreachRow, ...]:
    """The month's breached clocks; a missed call's number as ``viewer`` may read it."""
    rows = list(
        Clock.objects.filter(
            community=community,
            started_at__gte=start,
            started_at__lt=end,
            state=ClockState.BREACHED,
        )
        .exclude(rule_id__in=quotas)
        .order_by("rule_id", "due_at", "id")
        .values_list(
            "rule_id",
            "title",
            "order_id",
            "order__number",
            "subject",
            "started_at",
            "due_at",
            "breached_at",
            "met_at",
            "contact__caller_name",
            "contact__caller_phone",
        )[:BREACH_LIST_LIMIT]
    )
    people = _responders(community, {r[4] for r in rows if r[0] == EMERGENCY_RULE})
    return tuple(
        BreachRow(
            rule,
            title,
            oid,
            number or "",
            clock_subject_as_seen(viewer, community.pk, subject),
            started,
            due,
            breached,
            met,
            people.get(subject, "") if rule == EMERGENCY_RULE else "",
            _contact_words(viewer, community, caller, phone) if caller or phone else "",
        )
        for (
            rule,
            title,
            oid,
            number,
            subject,
            started,
            due,
            breached,
            met,
            caller,
            phone,
        ) in rows
    )


def _responders(community: Community, subjects: set[str]) -> dict[str, str]:
    """The names of the responders the EM-2 clocks ``subjects`` (user ids) are about, among
    those called to the community's emergencies. One query, none without such clocks."""
    ids = {int(s) for s in subjects if s.isdigit()}
    if not ids:
        return {}
    rows = Responder.objects.filter(emergency__community=community, user_id__in=ids).values_list(
        "user_id", "user__name", "user__username"
    )
    return {str(uid): name or username for uid, name, username in rows}


def _issues(community: Community, start: datetime, end: datetime) -> tuple[IssueRow, ...]:
    rows = (
        CommonIssue.objects.filter(community=community, opened_at__gte=start, opened_at__lt=end)
        .order_by("opened_at", "id")
        .values_list("pk", "title", "state", "opened_at", "notice_due_at", "notice_posted_at")
    )
    out = []
    for pk, title, state, opened, due, posted in rows:
        in_time = None if posted is None or due is None else posted <= due
        out.append(IssueRow(pk, title, state, opened, due, posted, in_time))
    return tuple(out)


def _turned(community: Community, start: datetime, end: datetime) -> tuple[TurnedRow, ...]:
    rows = (
        Recovery.objects.filter(
            community=community,
            state=RecoveryState.TURNED,
            turned_at__gte=start,
            turned_at__lt=end,
        )
        .order_by("turned_at", "id")
        .values_list("order_id", "order__number", "opened_at", "turned_at")
    )
    return tuple(TurnedRow(oid, number, opened, turned) for oid, number, opened, turned in rows)  # type: ignore[arg-type]


def _pace_note(pace: QuotaPace, status: str, running: bool) -> Promise | str:
    """RV-1's note: behind the pace, or, while the month runs and the target is not reached
    yet, that it is on the pace (未达标 alone on the 5th read as a miss)."""
    words = {"expected": pace.expected_by_now, "day": pace.days_elapsed}
    if pace.behind:
        return _fill(_("behind the pace: %(expected)d expected by day %(day)d"), words)
    if running and status != "met":
        return _fill(
            _("month still running, on the pace: %(expected)d expected by day %(day)d"), words
        )
    return ""


def _satisfaction_lines(
    sat: SatisfactionFigures, pace: QuotaPace, running: bool
) -> list[ReportLine]:
    lv = sat.levels
    no_answers = _("no answers") if not lv.answered else ""
    visited_status = _status(Decimal(pace.visited), Decimal(pace.target))
    return [
        ReportLine(
            key="RV-1",
            rule_id="RV-1",
            title=_("Households visited this month"),
            unit="households",
            target=Decimal(pace.target),
            figure=Decimal(pace.visited),
            sample=None,
            sample_label="",
            status=visited_status,
            note=_pace_note(pace, visited_status, running),
        ),
        ReportLine(
            key="RV-2-rate",
            rule_id="RV-2",
            title=_("Satisfaction rate"),
            unit="%",
            target=Decimal(sat.rate_target),
            figure=lv.rate,
            sample=lv.answered,
            sample_label=_("answered visits"),
            status=_meets_status(lv.rate_meets(sat.rate_target)),
            note=no_answers,
        ),
        ReportLine(
            key="RV-2-degree",
            rule_id="RV-2",
            title=_("Satisfaction degree"),
            unit="%",
            target=Decimal(sat.degree_target),
            figure=lv.degree,
            sample=lv.answered,
            sample_label=_("answered visits"),
            status=_meets_status(lv.degree_meets(sat.degree_target)),
            note=no_answers,
        ),
        ReportLine(
            key="return-visit-rate",
            rule_id="RV-2",
            title=_("Return-visit rate (orders resolved with an answered visit)"),
            unit="%",
            target=None,
            figure=sat.return_visit_rate,
            sample=sat.due,
            sample_label=_("orders resolved"),
            status="info" if sat.due else "no_data",
            note=_fill(
                _("%(no_answer)d not answered, %(refused)d refused"),
                {"no_answer": sat.no_answer, "refused": sat.refused},
            ),
        ),
    ]


def _answer_line(community: Community, calls: AnswerFigures) -> ReportLine:
    """FD-1: the share of the month's incoming calls answered within three rings (the ring
    cycle and the number of rings are policy); a missed call counts as not within."""
    policy = calls_policy(community)
    return ReportLine(
        key="FD-1",
        rule_id="FD-1",
        title=_("Calls answered within three rings"),
        unit="%",
        target=Decimal(policy.target_percent),
        figure=calls.rate,
        sample=calls.calls,
        sample_label=_("calls"),
        status=_share_status(calls.within, calls.calls, policy.target_percent),
        note=_fill(
            _("%(late)d answered later, %(missed)d missed"),
            {"late": calls.late, "missed": calls.missed},
        )
        if calls.calls
        else _("no calls reported"),
    )


def _compliance_lines(
    compliance: Sequence[RuleCompliance], policy_titles: dict[str, str]
) -> list[ReportLine]:
    by_rule = {c.rule_id: c for c in compliance}
    rule_ids = sorted(set(policy_titles) | set(by_rule), key=_rule_order)
    out = []
    for rule_id in rule_ids:
        c = by_rule.get(rule_id)
        figure = c.compliance if c else None
        decided = (c.met + c.breached) if c else 0
        note = (
            _fill(
                _("%(started)d started, %(met)d met, %(breached)d breached, %(running)d running"),
                {"started": c.started, "met": c.met, "breached": c.breached, "running": c.running},
            )
            if c
            else _("no clocks this month")
        )
        out.append(
            ReportLine(
                key=f"clock:{rule_id}",
                rule_id=rule_id,
                title=rule_name(rule_id, c.title if c else policy_titles.get(rule_id, "")),
                unit="%",
                target=TIME_RULE_TARGET,
                figure=figure,
                sample=decided,
                sample_label=_("clocks decided"),
                status=_share_status(c.met, decided, TIME_RULE_TARGET) if c else "no_data",
                note=note,
                list_key="breaches" if c and c.breached else "",
            )
        )
    return out


def _activity_line(fig: QuarterFigures, now: datetime) -> ReportLine:
    """CS-3: the activities held in the month's quarter (as of ``now``: held or closed, by the
    activity's date) against the policy's target, judged like every other line: met once as
    many are held, not met until then; while the quarter runs the note says so."""
    held, target = Decimal(fig.held), Decimal(fig.target)
    status = _status(held, target)
    rate = fig.satisfaction.rate
    note = _fill(
        _("%(coming)d to come; satisfaction rate %(rate)s (%(answers)d answers)"),
        {
            "coming": fig.coming,
            "rate": f"{rate}%" if rate is not None else "—",
            "answers": fig.satisfaction.answered,
        },
    )
    if now < fig.quarter.end and status != "met":
        note = _fill(
            _("quarter %(n)d still running: %(note)s"),
            {"n": fig.quarter.number, "note": note},
        )
    return ReportLine(
        key="CS-3",
        rule_id="CS-3",
        title=_fill(_("Community activities held in quarter %(n)d"), {"n": fig.quarter.number}),
        unit="activities",
        target=target,
        figure=held,
        sample=None,
        sample_label="",
        status=status,
        note=note,
    )


def _service_lines(
    community: Community, start: datetime, end: datetime, now: datetime
) -> list[ReportLine]:
    """CS-1 (the service cart's use) and CS-2 (concierge help): counts for information, the
    seed sets no number. Two queries."""
    cart = cart_month_figures(community, start, end, now)
    help_ = concierge_month_figures(community, start, end)
    return [
        ReportLine(
            key="CS-1",
            rule_id="CS-1",
            title=_("Service cart: loans this month"),
            unit="times",
            target=None,
            figure=Decimal(cart.lent),
            sample=None,
            sample_label="",
            status="info",
            note=_fill(
                _(
                    "%(returned)d returned (%(late)d late, %(broken)d damaged or lost), "
                    "%(overdue)d overdue now"
                ),
                {
                    "returned": cart.returned,
                    "late": cart.returned_late,
                    "broken": cart.damaged_or_lost,
                    "overdue": cart.overdue_now,
                },
            ),
        ),
        ReportLine(
            key="CS-2",
            rule_id="CS-2",
            title=_("Concierge requests this month"),
            unit="times",
            target=None,
            figure=Decimal(help_.logged),
            sample=None,
            sample_label="",
            status="info",
            note=_fill(
                _("%(done)d done, %(open)d open, %(cancelled)d cancelled; %(night)d at night"),
                {
                    "done": help_.done,
                    "open": help_.open,
                    "cancelled": help_.cancelled,
                    "night": help_.night,
                },
            ),
        ),
    ]


def _missing_visits_note(missing: Sequence[MissingVisit], now: datetime) -> Promise | str:
    """RV-3's note: the complaints without a return visit, and how many of them are still
    within their follow-up time (CP-2's clock runs: 办结 today, visited within three days), so
    that a rate under 100 % read mid-month says what is late and what is to come."""
    if not missing:
        return ""
    to_come = sum(1 for m in missing if m.follow_up_due is not None and m.follow_up_due > now)
    if not to_come:
        return _fill(_("%(n)d without a return visit"), {"n": len(missing)})
    return _fill(
        _("%(n)d without a return visit, %(k)d of them still within their follow-up time"),
        {"n": len(missing), "k": to_come},
    )


def _contact_words(viewer: User | None, community: Community, caller: str, phone: str) -> str:
    """A call's clock in the breach list (FD-3, a promise with no order): 受理记录, the caller
    and the number, masked unless ``viewer`` calls owners (company leadership reads it so)."""
    number = caller_phone_as_seen(viewer, community.pk, phone) if phone else ""
    return " ".join(w for w in (gettext("contact"), caller, number) if w)


_FAMILY = {"FD": 0, "CP": 1, "EM": 2, "DS": 3, "RV": 4, "CS": 5}


def _rule_order(rule_id: str) -> tuple[int, int, str]:
    family, _sep, rest = rule_id.partition("-")
    num = "".join(ch for ch in rest.split("-")[0] if ch.isdigit())
    return (_FAMILY.get(family, 9), int(num) if num else 0, rule_id)


@replica_reads()
def monthly_report(
    community: Community, year: int, month: int, *, now: datetime, viewer: User | None = None
) -> MonthlyReport:
    """The report of one local month of ``community`` (already scoped: see
    ``report_community``), as of ``now`` (the RV-1 pace counts to it; the opinions and
    suggestions without a written reply are those at the month's end, or now within the month,
    aged to then), for ``viewer``: the callers' numbers in its lists as they may read them
    (community.access.clock_subject_as_seen: whole for the roles that call owners, masked for
    company leadership, and for no viewer at all). The page, the PDF, the workbook and the API
    all read the report from here. A fixed number of queries (about fifteen), whatever the
    data; read from the replica when one is configured (``core.replica``)."""
    policy = policy_for(community)[0]
    quotas = quota_targets(policy)
    policy_titles = {
        rid: rule.title for rid, rule in policy.clocks.items() if rule.enabled and rid not in quotas
    }
    start, end = month_bounds(community, year, month)

    sat = satisfaction_figures(community, year, month)
    pace = monthly_quota_pace(community, year, month, now)
    complaints = complaint_return_visit_figures(community, year, month)
    issues = common_issue_figures(community, year, month)
    turned = turned_count(community, year, month)
    compliance = tuple(compliance_for_month(community, year, month))
    timed = tuple(c for c in compliance if c.rule_id not in quotas)
    trend = tuple(satisfaction_trend(community, year, month))
    breakdowns = tuple(
        (by, tuple(satisfaction_breakdown(community, year, month, by=by)))
        for by in ("team", "kind", "building")
    )
    # RV-5 at the month's end (or now, within it): a later item is not the month's.
    open_items = tuple(suggestions_open_at_end(community, end=end, now=now))
    issue_rows = _issues(community, start, end)
    turned_rows = _turned(community, start, end)
    breaches_total = sum(c.breached for c in timed)
    breaches = _breaches(community, start, end, quotas, viewer) if breaches_total else ()

    lines = [_answer_line(community, answer_figures(community, start, end))]
    lines += _satisfaction_lines(sat, pace, running=now < end)
    lines.append(
        ReportLine(
            key="RV-3",
            rule_id="RV-3",
            title=_("Complaint return-visit rate"),
            unit="%",
            target=Decimal(complaints.target),
            figure=complaints.rate,
            sample=complaints.resolved,
            sample_label=_("complaints resolved"),
            status=_share_status(complaints.visited, complaints.resolved, complaints.target),
            note=_missing_visits_note(complaints.missing, now),
            list_key="missing_complaint_visits" if complaints.missing else "",
        )
    )
    counted = issues.opened - issues.dropped
    lines.append(
        ReportLine(
            key="RV-7",
            rule_id="RV-7",
            title=_("Common issues answered by a notice within 7 days"),
            unit="%",
            target=Decimal(100),
            figure=issues.in_time_rate,
            sample=counted,
            sample_label=_("common issues"),
            status=_share_status(issues.posted_in_time, counted, 100),
            note=_fill(
                _("%(late)d late, %(without)d without a notice"),
                {"late": issues.posted_late, "without": issues.without_notice},
            ),
            list_key="common_issues" if issue_rows else "",
        )
    )
    oldest = max((r.age_days for r in open_items), default=0)
    lines.append(
        ReportLine(
            key="RV-5",
            rule_id="RV-5",
            title=_("Opinions and suggestions still without a written reply"),
            unit="items",
            target=Decimal(0),
            figure=Decimal(len(open_items)),
            sample=None,
            sample_label="",
            status=_status(Decimal(len(open_items)), Decimal(0), "<="),
            comparison="<=",
            note=(_fill(_("oldest %(days)d days"), {"days": oldest})) if open_items else "",
            list_key="open_items" if open_items else "",
        )
    )
    lines.append(
        ReportLine(
            key="turned",
            rule_id="RV-2",
            title=_("Dissatisfied orders turned satisfied"),
            unit="orders",
            target=None,
            figure=Decimal(turned.turned),
            sample=turned.opened,
            sample_label=_("dissatisfied this month"),
            status="info",
            note=_fill(_("%(n)d still awaiting"), {"n": turned.awaiting}),
            list_key="turned_orders" if turned_rows else "",
        )
    )
    lines += _service_lines(community, start, end, now)
    # CS-3: the quarter the month belongs to, as of the month's end (or now, if sooner).
    month_quarter = quarter_at(community, start)
    lines.append(_activity_line(quarter_figures(community, month_quarter, policy), min(now, end)))
    lines += _compliance_lines(timed, policy_titles)

    return MonthlyReport(
        community_id=community.pk,
        community_name=community.name,
        year=year,
        month=month,
        generated_at=now,
        lines=tuple(lines),
        satisfaction=sat,
        pace=pace,
        complaints=complaints,
        turned=turned,
        compliance=timed,
        trend=trend,
        breaches=breaches,
        breaches_total=breaches_total,
        open_items=open_items,
        common_issues=issue_rows,
        turned_orders=turned_rows,
        breakdowns=breakdowns,
        policy_titles=policy_titles,
        time_zone=community.time_zone,
    )


# --- leadership ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommunityHeadline:
    """The headline figures of one community-month, for leadership's side-by-side view."""

    community_id: int
    community_name: str
    households_visited: int
    households_target: int
    answered: int
    rate: Decimal | None
    rate_target: int
    degree: Decimal | None
    degree_target: int
    return_visit_rate: Decimal | None
    complaint_visit_rate: Decimal | None
    complaints_resolved: int
    complaints_missing: int
    issues_in_time_rate: Decimal | None
    turned: int
    clocks_decided: int
    clocks_breached: int
    compliance: Decimal | None
    statuses: dict[str, Status]  # rv1, rate, degree, rv3, rv7, clocks

    @property
    def missed(self) -> int:
        return sum(1 for s in self.statuses.values() if s == "missed")


@replica_reads()
def _headline(community: Community, year: int, month: int, now: datetime) -> CommunityHeadline:
    sat = satisfaction_figures(community, year, month)
    pace = monthly_quota_pace(community, year, month, now)
    complaints = complaint_return_visit_figures(community, year, month)
    issues = common_issue_figures(community, year, month)
    turned = turned_count(community, year, month)
    # RV-1's quota clock is judged by "rv1" (households against the target), not as a clock.
    quotas = quota_targets(load_policy(community.policy))
    compliance = [
        c for c in compliance_for_month(community, year, month) if c.rule_id not in quotas
    ]
    met = sum(c.met for c in compliance)
    breached = sum(c.breached for c in compliance)
    overall = shown_percent(met, met + breached)
    lv = sat.levels
    return CommunityHeadline(
        community_id=community.pk,
        community_name=community.name,
        households_visited=pace.visited,
        households_target=pace.target,
        answered=lv.answered,
        rate=lv.rate,
        rate_target=sat.rate_target,
        degree=lv.degree,
        degree_target=sat.degree_target,
        return_visit_rate=sat.return_visit_rate,
        complaint_visit_rate=complaints.rate,
        complaints_resolved=complaints.resolved,
        complaints_missing=len(complaints.missing),
        issues_in_time_rate=issues.in_time_rate,
        turned=turned.turned,
        clocks_decided=met + breached,
        clocks_breached=breached,
        compliance=overall,
        statuses={
            "rv1": _status(Decimal(pace.visited), Decimal(pace.target)),
            "rate": _meets_status(lv.rate_meets(sat.rate_target)),
            "degree": _meets_status(lv.degree_meets(sat.degree_target)),
            "rv3": _share_status(complaints.visited, complaints.resolved, complaints.target),
            "rv7": _share_status(issues.posted_in_time, issues.opened - issues.dropped, 100),
            "clocks": _share_status(met, met + breached, TIME_RULE_TARGET),
        },
    )


def leadership_communities(user: User) -> list[Community]:
    """The communities whose reports ``user`` compares: company leadership sees every community
    of its company, a superuser every community. Anyone else: Forbidden."""
    if not (user.is_superuser or getattr(user, "is_leadership", False)):
        raise Forbidden(gettext("Only company leadership compares communities."))
    return [
        c
        for c in communities_visible(user).order_by("name", "id")
        if Role.LEADERSHIP in user_roles(user, c.pk)
    ]


def leadership_comparison(
    user: User, year: int, month: int, *, now: datetime | None = None
) -> list[CommunityHeadline]:
    """The headline figures of every community ``user`` leads, side by side, by name. About
    eight queries a community. ``now`` (for the RV-1 pace) defaults to the injected clock."""
    if now is None:
        from propdesk.core.clock import get_clock

        now = get_clock().now()
    return [_headline(c, year, month, now) for c in leadership_communities(user)]


def report_json(report: MonthlyReport) -> dict[str, Any]:
    """The report as plain data (strings for labels), for the API and the exports."""
    from dataclasses import asdict

    def line(ln: ReportLine) -> dict[str, Any]:
        d = asdict(ln)
        d.update(title=str(ln.title), sample_label=str(ln.sample_label), note=str(ln.note))
        return d

    return {
        "community": report.community_id,
        "community_name": report.community_name,
        "month": report.month_label,
        "title": report.title,
        "generated_at": report.generated_at,
        "lines": [line(ln) for ln in report.lines],
        "satisfaction": asdict(report.satisfaction),
        "pace": asdict(report.pace),
        "complaints": asdict(report.complaints),
        "turned": asdict(report.turned),
        "compliance": [asdict(c) | {"compliance": c.compliance} for c in report.compliance],
        "trend": [
            {"month": f"{p.year:04d}-{p.month:02d}", "figures": asdict(p.figures)}
            for p in report.trend
        ],
        "breaches": [asdict(b) for b in report.breaches],
        "breaches_total": report.breaches_total,
        "open_items": [
            {
                "item_id": r.item.pk,
                "kind": r.item.kind,
                "text": r.item.text,
                "household": r.item.household.code if r.item.household else "",
                "created_at": r.item.created_at,
                "age_days": r.age_days,
                "age_hours": r.age_hours,
            }
            for r in report.open_items
        ],
        "common_issues": [asdict(r) for r in report.common_issues],
        "turned_orders": [asdict(r) for r in report.turned_orders],
        "breakdowns": {
            by: [{"key": r.key, "label": r.label, "figures": asdict(r.figures)} for r in rows]
            for by, rows in report.breakdowns
        },
    }


__all__ = [
    "BREACH_LIST_LIMIT",
    "REPORT_ROLES",
    "BreachRow",
    "CommunityHeadline",
    "IssueRow",
    "MonthlyReport",
    "ReportLine",
    "TurnedRow",
    "leadership_communities",
    "leadership_comparison",
    "monthly_report",
    "report_community",
    "report_json",
]
