"""Team working hours (班组工作时间, issue 16 item 3) without a database: interval arithmetic on
the real Chinese 2026 calendar, at its boundaries, and Hypothesis properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propdesk.policy.calendar import WorkingCalendar
from propdesk.policy.deadlines import Counting, DurationKind, OfficeDay, compute_due
from propdesk.policy.engine import Facts, Running, react, resume_clock, start_clock
from propdesk.policy.hours import DAY_KEYS, HoursError, WeekHours, WorkingHours, shift_due
from propdesk.policy.rules import PolicyError, load_policy

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
OFFICE = OfficeDay(SH, time(23, 59, 59), time(20, 0))

# A repair team: 08:30-12:00 and 13:30-17:30 on weekdays (午休 12:00-13:30), Saturday morning.
DAY = [["08:30", "12:00"], ["13:30", "17:30"]]
REPAIR = WeekHours.from_mapping(
    {"mon": DAY, "tue": DAY, "wed": DAY, "thu": DAY, "fri": DAY, "sat": [["09:00", "12:00"]]}
)
# A night team: 20:00 to 06:00 every night, written as two intervals per day.
NIGHT_ROW = [["00:00", "06:00"], ["20:00", "24:00"]]
NIGHT = WeekHours.from_mapping({k: NIGHT_ROW for k in ("mon", "tue", "wed", "thu", "fri")})


def at(*args: int, tz: ZoneInfo = SH) -> datetime:
    return datetime(*args, tzinfo=tz)


def hours(week: WeekHours = REPAIR, zone: ZoneInfo = SH, **overrides: bool) -> WorkingHours:
    days = {date.fromisoformat(k[1:].replace("_", "-")): v for k, v in overrides.items()}
    cal = WorkingCalendar(days)
    return WorkingHours(week, cal, zone)


# --- boundaries -----------------------------------------------------------------------------------


def test_started_in_the_lunch_break_counts_from_the_afternoon_opening() -> None:
    # Thursday 2026-11-26, 12:10: nothing counts until 13:30; 60 minutes later is 14:30.
    assert hours().add(at(2026, 11, 26, 12, 10), 60) == at(2026, 11, 26, 14, 30)
    assert hours().counted(at(2026, 11, 26, 12, 0), at(2026, 11, 26, 13, 30)) == timedelta(0)


def test_a_deadline_that_would_fall_in_the_lunch_break_moves_past_it() -> None:
    # 11:30 + 60 counted minutes: 30 before lunch, 30 after 13:30.
    assert hours().add(at(2026, 11, 26, 11, 30), 60) == at(2026, 11, 26, 14, 0)


def test_a_deadline_exactly_at_closing_stays_at_closing() -> None:
    assert hours().add(at(2026, 11, 26, 11, 30), 30) == at(2026, 11, 26, 12, 0)


def test_after_closing_it_counts_from_the_next_mornings_opening() -> None:
    # Thursday 17:00 + 60: 30 today, 30 on Friday from 08:30.
    assert hours().add(at(2026, 11, 26, 17, 0), 60) == at(2026, 11, 27, 9, 0)


def test_an_ordinary_saturday_keeps_the_teams_own_saturday_hours() -> None:
    # Friday 2026-11-27 17:00 + 120: 30 on Friday, 90 on Saturday morning from 09:00.
    assert hours().add(at(2026, 11, 27, 17, 0), 120) == at(2026, 11, 28, 10, 30)


def test_started_on_a_day_off_counts_from_the_next_working_morning() -> None:
    # Sunday 2026-11-29 (no Sunday hours): counting starts Monday 08:30.
    assert hours().add(at(2026, 11, 29, 10, 0), 30) == at(2026, 11, 30, 9, 0)


def test_across_the_national_day_holiday_nothing_counts() -> None:
    # 国庆 2026: 10-01 to 10-07 off (10-08 a working Thursday). Wednesday 09-30 17:00 + 60:
    # 30 on 09-30, then nothing on the holiday (not even the holiday's Saturday 10-03), 30 on 10-08.
    h = hours()
    assert h.add(at(2026, 9, 30, 17, 0), 60) == at(2026, 10, 8, 9, 0)
    assert h.counted(at(2026, 10, 1, 0, 0), at(2026, 10, 8, 0, 0)) == timedelta(0)


def test_an_adjusted_working_saturday_uses_a_weekdays_hours() -> None:
    # 2026-10-10 is a Saturday worked for 国庆 (调休): Monday's hours, lunch break included.
    h = hours()
    assert h.counted(at(2026, 10, 10, 0, 0), at(2026, 10, 11, 0, 0)) == timedelta(hours=7.5)
    assert h.add(at(2026, 10, 10, 11, 0), 90) == at(2026, 10, 10, 14, 0)


def test_the_offices_own_day_off_has_no_hours_and_its_own_working_day_has_a_weekdays() -> None:
    # The office closes Thursday 11-26 and works Sunday 11-29.
    h = hours(d2026_11_26=False, d2026_11_29=True)
    assert h.counted(at(2026, 11, 26, 0, 0), at(2026, 11, 27, 0, 0)) == timedelta(0)
    assert h.counted(at(2026, 11, 29, 0, 0), at(2026, 11, 30, 0, 0)) == timedelta(hours=7.5)


def test_holiday_hours_count_on_a_statutory_holiday() -> None:
    week = WeekHours.from_mapping({"mon": DAY, "holiday": [["09:00", "11:00"]]})
    h = hours(week)
    assert h.add(at(2026, 10, 1, 8, 0), 60) == at(2026, 10, 1, 10, 0)


def test_across_midnight_with_a_night_shift() -> None:
    # Thursday 23:30 + 60: 30 before midnight, 30 after it on Friday's row.
    h = hours(NIGHT)
    assert h.add(at(2026, 11, 26, 23, 30), 60) == at(2026, 11, 27, 0, 30)
    assert h.counted(at(2026, 11, 26, 22, 0), at(2026, 11, 27, 7, 0)) == timedelta(hours=8)
    # Friday 05:30 + 60: 30 until 06:00, then Friday 20:00 onwards.
    assert h.add(at(2026, 11, 27, 5, 30), 60) == at(2026, 11, 27, 20, 30)


def test_another_zone_counts_real_time_across_daylight_saving() -> None:
    # New York leaves daylight saving on Sunday 2026-11-01 at 02:00 (back to 01:00): a team
    # working 00:00-04:00 every day has 5 real hours that night. The statutory calendar is
    # China's: 2026-11-01 is an ordinary Sunday.
    row = [["00:00", "04:00"]]
    week = WeekHours.from_mapping(dict.fromkeys(DAY_KEYS, row))
    h = hours(week, NY)
    assert h.counted(at(2026, 11, 1, 0, 0, tz=NY), at(2026, 11, 1, 6, 0, tz=NY)) == timedelta(
        hours=5
    )
    due = h.add(at(2026, 11, 1, 0, 0, tz=NY), 5 * 60)
    assert due == at(2026, 11, 1, 4, 0, tz=NY)
    assert due.tzinfo == NY


def test_results_are_in_the_zone_and_the_same_instant_from_utc() -> None:
    start = datetime(2026, 11, 26, 4, 10, tzinfo=UTC)  # 12:10 in Shanghai, lunch
    due = hours().add(start, 60)
    assert due == at(2026, 11, 26, 14, 30) and due.tzinfo == SH


# --- the week's validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fault"),
    [
        ({"mon": [["12:00", "08:00"]]}, "must end after it starts"),
        ({"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}, "overlaps"),
        ({"mon": [["13:00", "17:00"], ["08:00", "12:00"]]}, "overlaps"),
        ({"mon": [["8点", "12:00"]]}, "is not a time"),
        ({"mon": [["08:00", "24:30"]]}, "is not a time"),
        ({"mon": [["08:00"]]}, "start and an end"),
        ({"monday": []}, "Unknown day"),
    ],
)
def test_a_bad_week_is_refused_naming_the_fault(data, fault) -> None:
    with pytest.raises(HoursError) as exc:
        WeekHours.from_mapping(data)
    assert fault in exc.value.message


def test_a_week_round_trips_and_an_empty_week_cannot_count() -> None:
    assert WeekHours.from_mapping(REPAIR.to_mapping()) == REPAIR
    assert REPAIR.weekly_minutes() == 5 * 450 + 180
    with pytest.raises(HoursError):
        WorkingHours(WeekHours.from_mapping({}), WorkingCalendar(), SH)


# --- the policy and the engine --------------------------------------------------------------------


def test_compute_due_counts_team_hours_only_for_minutes_and_only_when_given() -> None:
    start = at(2026, 11, 26, 11, 30)
    common = {"office": OFFICE, "calendar": WorkingCalendar()}
    assert compute_due(start, DurationKind.MINUTES, 60, **common, hours=hours()) == at(
        2026, 11, 26, 14, 0
    )
    assert compute_due(start, DurationKind.MINUTES, 60, **common) == at(2026, 11, 26, 12, 30)


def test_a_rule_counting_team_hours_needs_minutes() -> None:
    assert load_policy().clocks["CP-1"].counting is Counting.WALL
    with pytest.raises(PolicyError, match="team_hours needs a minutes duration"):
        load_policy({"clocks": {"CP-2": {"counting": "team_hours"}}})


def test_cp1_counting_team_hours_starts_its_clock_on_the_teams_hours() -> None:
    """CP-1 with ``counting: team_hours``: a complaint logged in the lunch break is due 10
    counted minutes after the afternoon opening; the same rule on the wall clock, 10 minutes
    after; without hours (the team has none set) it counts the wall clock."""
    wall = load_policy()
    team = load_policy({"clocks": {"CP-1": {"counting": "team_hours"}}})
    start = at(2026, 11, 26, 12, 10)
    cal = WorkingCalendar()
    cp1 = team.clocks["CP-1"]
    assert start_clock("CP-1", cp1, at=start, policy=team, calendar=cal, hours=hours()).due_at == (
        at(2026, 11, 26, 13, 40)
    )
    assert start_clock("CP-1", cp1, at=start, policy=team, calendar=cal).due_at == at(
        2026, 11, 26, 12, 20
    )
    assert start_clock(
        "CP-1", wall.clocks["CP-1"], at=start, policy=wall, calendar=cal, hours=hours()
    ).due_at == at(2026, 11, 26, 12, 20)
    facts = Facts(event="create", at=start, order={"kind": "complaint"}, hours=hours())
    started = {c.rule_id: c for c in react(team, cal, facts, []) if hasattr(c, "due_at")}
    assert started["CP-1"].due_at == at(2026, 11, 26, 13, 40)
    # Its warning, 2 counted minutes before the counted deadline.
    assert started["CP-1"].warn_at == at(2026, 11, 26, 13, 38)


def test_a_team_hours_warning_is_counted_in_the_hours_and_never_falls_in_the_lunch_break() -> None:
    """DS-1-take (30 counted minutes, warned 10 before) logged Thursday 11:35: due 13:35 (25
    minutes before lunch, 5 after). Ten counted minutes before that is 11:55, before lunch; the
    wall clock's 13:25 is in the lunch break, when nobody is there to act. On the wall clock
    (no hours set) the warning stays 10 minutes before."""
    policy = load_policy()
    rule = policy.clocks["DS-1-take"]
    cal = WorkingCalendar()
    start = at(2026, 11, 26, 11, 35)
    counted = start_clock("DS-1-take", rule, at=start, policy=policy, calendar=cal, hours=hours())
    assert counted.due_at == at(2026, 11, 26, 13, 35)
    assert counted.warn_at == at(2026, 11, 26, 11, 55)
    assert hours().counted(counted.warn_at, counted.due_at) == timedelta(minutes=10)
    wall = start_clock("DS-1-take", rule, at=start, policy=policy, calendar=cal)
    assert (wall.due_at, wall.warn_at) == (at(2026, 11, 26, 12, 5), at(2026, 11, 26, 11, 55))
    # Logged at 12:10 in the lunch break: due 14:00, warned at 13:50, ten minutes before.
    lunch = start_clock(
        "DS-1-take", rule, at=at(2026, 11, 26, 12, 10), policy=policy, calendar=cal, hours=hours()
    )
    assert (lunch.due_at, lunch.warn_at) == (at(2026, 11, 26, 14, 0), at(2026, 11, 26, 13, 50))


def test_a_resumed_team_hours_clock_keeps_its_warning_ten_counted_minutes_before() -> None:
    """Paused from 11:00 to 14:00 (90 counted minutes: 11:00-12:00, 13:30-14:00), a clock due
    13:35 and warned 11:55 moves to 15:05 and its warning to 14:55, still ten counted minutes
    before; on the wall clock both move by the whole three hours."""
    rule = load_policy().clocks["DS-1-take"]
    clock = Running(
        1,
        "DS-1-take",
        rule,
        paused_at=at(2026, 11, 26, 11, 0),
        due_at=at(2026, 11, 26, 13, 35),
        warn_at=at(2026, 11, 26, 11, 55),
    )
    resumed = resume_clock(clock, at(2026, 11, 26, 14, 0), hours())
    assert (resumed.due_at, resumed.warn_at) == (at(2026, 11, 26, 15, 5), at(2026, 11, 26, 14, 55))
    assert hours().counted(resumed.warn_at, resumed.due_at) == timedelta(minutes=10)
    wall = resume_clock(clock, at(2026, 11, 26, 14, 0))
    assert (wall.due_at, wall.warn_at) == (at(2026, 11, 26, 16, 35), at(2026, 11, 26, 14, 55))


# --- the pause shift (for waiting states) ---------------------------------------------------------


def test_shift_due_by_a_pause_on_the_wall_clock_and_in_team_hours() -> None:
    due = at(2026, 11, 26, 15, 0)
    # A pause from 11:00 to 14:00 is 3 wall hours, but 1 h + 30 min of team hours.
    assert shift_due(due, at(2026, 11, 26, 11, 0), at(2026, 11, 26, 14, 0)) == at(
        2026, 11, 26, 18, 0
    )
    assert shift_due(due, at(2026, 11, 26, 11, 0), at(2026, 11, 26, 14, 0), hours()) == at(
        2026, 11, 26, 16, 30
    )
    # A pause in the lunch break moves nothing; one that ends before it starts moves nothing.
    assert shift_due(due, at(2026, 11, 26, 12, 0), at(2026, 11, 26, 13, 30), hours()) == due
    assert shift_due(due, at(2026, 11, 26, 14, 0), at(2026, 11, 26, 11, 0)) == due


# --- properties -----------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2026, 12, 20),  # noqa: DTZ001
    timezones=st.just(SH),
)
amounts = st.integers(min_value=1, max_value=5000)
weeks = st.sampled_from([REPAIR, NIGHT])


@settings(max_examples=150, deadline=None)
@given(start=moments, minutes=amounts, week=weeks)
def test_add_then_counted_round_trips(start: datetime, minutes: int, week: WeekHours) -> None:
    h = hours(week)
    due = h.add(start, minutes)
    assert h.counted(start, due) == timedelta(minutes=minutes)
    assert due > start


@settings(max_examples=100, deadline=None)
@given(start=moments, a=amounts, b=amounts, week=weeks)
def test_add_is_monotonic(start: datetime, a: int, b: int, week: WeekHours) -> None:
    h = hours(week)
    lo, hi = sorted((a, b))
    assert h.add(start, lo) <= h.add(start, hi)


@settings(max_examples=100, deadline=None)
@given(a=moments, gap1=amounts, gap2=amounts, week=weeks)
def test_counted_adds_up_over_consecutive_stretches(
    a: datetime, gap1: int, gap2: int, week: WeekHours
) -> None:
    h = hours(week)
    b = a + timedelta(minutes=gap1)
    c = b + timedelta(minutes=gap2)
    assert h.counted(a, b) + h.counted(b, c) == h.counted(a, c)
    assert timedelta(0) <= h.counted(a, c) <= c - a


@settings(max_examples=100, deadline=None)
@given(day=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 20)))
def test_counted_over_a_closed_stretch_is_zero(day: date) -> None:
    h = hours()
    lunch = datetime.combine(day, time(12, 0), tzinfo=SH)
    assert h.counted(lunch, lunch + timedelta(minutes=90)) == timedelta(0)
    night = datetime.combine(day, time(17, 30), tzinfo=SH)
    assert h.counted(night, night + timedelta(hours=15)) == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(due=moments, start=moments, pause=amounts)
def test_a_pause_of_d_moves_the_deadline_by_d_within_the_counted_hours(
    due: datetime, start: datetime, pause: int
) -> None:
    h = hours()
    end = start + timedelta(minutes=pause)
    moved = shift_due(due, start, end, h)
    assert h.counted(due, moved) == h.counted(start, end)
    assert shift_due(due, start, end) - due == end - start


ny_moments = st.datetimes(
    min_value=datetime(2026, 2, 25),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2026, 11, 10),  # noqa: DTZ001
    timezones=st.just(NY),
)


@settings(max_examples=100, deadline=None)
@given(start=ny_moments, minutes=amounts)
def test_add_then_counted_round_trips_across_daylight_saving(start: datetime, minutes: int) -> None:
    """New York's hours around both of its 2026 changes (03-08, 11-01): real minutes count."""
    row = [["00:30", "03:00"], ["09:00", "17:00"]]
    h = hours(WeekHours.from_mapping(dict.fromkeys(DAY_KEYS, row)), NY)
    due = h.add(start, minutes)
    assert h.counted(start, due) == timedelta(minutes=minutes)
    assert due.tzinfo == NY


def test_is_open_at_the_edges_of_an_interval() -> None:
    h = hours()
    assert h.is_open(at(2026, 11, 26, 8, 30))
    assert not h.is_open(at(2026, 11, 26, 12, 0))  # the lunch break begins
    assert h.is_open(at(2026, 11, 26, 13, 30))
    assert not h.is_open(at(2026, 10, 1, 9, 0))  # 国庆
