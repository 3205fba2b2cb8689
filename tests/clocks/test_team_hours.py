"""Team working hours (班组工作时间, issue 16 item 3) end to end: set in the back office, counted
by DS-1-take (the shipped policy counts it in team hours), shown on the order page, and the pause
shift the waiting states call."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.test import Client

from propdesk.clocks.models import ClockLog, ClockState
from propdesk.clocks.services import calendar_day_set, clock_hours, team_hours_changed
from propdesk.community.models import Team
from propdesk.policy.hours import shift_due
from tests.clocks.conftest import sh

LUNCH = sh(2026, 11, 26, 12, 10)  # Thursday, in the repair team's lunch break
DAY = [["08:30", "12:00"], ["13:30", "17:30"]]
WEEK = {"mon": DAY, "tue": DAY, "wed": DAY, "thu": DAY, "fri": DAY}


def superuser_client(django_user_model) -> Client:
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456!")
    c = Client()
    c.force_login(admin)
    return c


def set_hours(team: Team, week: dict) -> None:
    team.working_hours = week
    team.save(update_fields=["working_hours"])


def test_ds1_take_logged_in_the_lunch_break_is_due_30_minutes_after_the_afternoon_opening(
    desk, office
) -> None:
    """DS-1-take counts team hours: a repair logged at 12:10 is due at 14:00 (13:30 + 30), and
    the sweeper neither breaches it at the wall-clock 12:40 nor before 14:00."""
    set_hours(office.repair, WEEK)
    order = desk.at(LUNCH).open("repair")
    clock = desk.clock_of(order, "DS-1-take")
    assert clock.due_at == sh(2026, 11, 26, 14, 0)
    assert desk.sweep(sh(2026, 11, 26, 12, 41)).breached == 0
    assert desk.sweep(sh(2026, 11, 26, 14, 0)).breached == 0
    assert desk.sweep(sh(2026, 11, 26, 14, 0, 1)).breached == 1
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED


def test_ds1_take_after_closing_on_the_eve_of_national_day_counts_after_the_holiday(
    desk, office
) -> None:
    """DS-1-take across 国庆 2026: logged Wednesday 09-30 at 17:20, 10 minutes count that day,
    none on 10-01 to 10-07, the last 20 on Thursday 10-08 from 08:30."""
    set_hours(office.repair, WEEK)
    order = desk.at(sh(2026, 9, 30, 17, 20)).open("repair")
    assert desk.clock_of(order, "DS-1-take").due_at == sh(2026, 10, 8, 8, 50)


def test_ds1_take_of_a_team_without_hours_counts_the_wall_clock(desk, office) -> None:
    order = desk.at(LUNCH).open("repair")
    clock = desk.clock_of(order, "DS-1-take")
    assert clock.due_at == LUNCH + timedelta(minutes=30)
    assert clock_hours(clock) is None


def test_a_wall_clock_rule_ignores_the_teams_hours(desk, office) -> None:
    """CP-1 (wall clock in the shipped policy) stays 10 minutes, hours or not."""
    set_hours(office.service, WEEK)
    order = desk.at(LUNCH).open("complaint")
    assert desk.clock_of(order, "CP-1").due_at == LUNCH + timedelta(minutes=10)


def test_the_order_page_says_which_clock_counts_team_hours(desk, office) -> None:
    set_hours(office.repair, WEEK)
    order = desk.at(LUNCH).open("repair")
    c = Client()
    c.force_login(office.repair_leader)
    page = c.get(f"/desk/orders/{order.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    lines = body.split("<div>")
    line = next(x for x in lines if 'data-rule="DS-1-take"' in x)
    assert "按班组工作时间计" in line
    fd6 = next(x for x in lines if 'data-rule="FD-6"' in x)
    assert "按班组工作时间计" not in fd6


def test_a_pause_moves_a_team_hours_deadline_by_its_counted_time(desk, office) -> None:
    """The pause shift for the waiting states: DS-1-take due 14:00; a pause from 11:00 to 14:00
    holds 90 counted minutes (11:00-12:00, 13:30-14:00), so the deadline moves to 15:30."""
    set_hours(office.repair, WEEK)
    order = desk.at(LUNCH).open("repair")
    clock = desk.clock_of(order, "DS-1-take")
    hours = clock_hours(clock)
    assert hours is not None
    moved = shift_due(clock.due_at, sh(2026, 11, 26, 11, 0), sh(2026, 11, 26, 14, 0), hours)
    assert moved == sh(2026, 11, 26, 15, 30)


# --- the back office ------------------------------------------------------------------------------


def team_post(team: Team, **hours: str) -> dict[str, str]:
    data = {
        "community": str(team.community_id),
        "kind": team.kind,
        "name": team.name,
        "leader": str(team.leader_id or ""),
        "teammember_set-TOTAL_FORMS": "0",
        "teammember_set-INITIAL_FORMS": "0",
        "teammember_set-MIN_NUM_FORMS": "0",
        "teammember_set-MAX_NUM_FORMS": "1000",
    }
    for key in ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"):
        data[f"hours_{key}"] = hours.get(key, "")
    return data


def test_the_back_office_sets_a_teams_week_with_a_lunch_break_and_shows_it(
    office, django_user_model
) -> None:
    c = superuser_client(django_user_model)
    url = f"/admin/community/team/{office.repair.pk}/change/"
    week = {k: "08:30-12:00，13:30～17:30" for k in ("mon", "tue", "wed", "thu", "fri")}
    r = c.post(url, team_post(office.repair, **week, sat="9:00-12:00"))
    assert r.status_code == 302, r.content.decode()[:3000]
    office.repair.refresh_from_db()
    assert office.repair.working_hours["mon"] == DAY
    assert office.repair.working_hours["sat"] == [["09:00", "12:00"]]
    assert office.repair.working_hours["sun"] == []
    page = c.get(url).content.decode()
    assert "08:30-12:00, 13:30-17:30" in page  # the form, as typed back
    assert '<table class="team-week">' in page  # the week's table
    assert "<th>周六</th><td>09:00-12:00</td><td>3 小时</td>" in page
    assert "<th>周日</th><td>休息</td>" in page
    assert "每周计时：40.5 小时" in page
    listing = c.get("/admin/community/team/").content.decode()
    assert "40.5 小时" in listing
    assert c.get("/admin/community/team/add/").status_code == 200


def test_a_bad_week_is_refused_in_chinese_and_changes_nothing(office, django_user_model) -> None:
    set_hours(office.repair, WEEK)
    c = superuser_client(django_user_model)
    url = f"/admin/community/team/{office.repair.pk}/change/"
    for typed, fault in [
        ("08:00-12:00, 11:30-17:00", "重叠"),
        ("12:00-08:00", "结束时间须晚于开始时间"),
        ("8点-12点", "不是时间"),
        ("08:00", "不是时段"),
    ]:
        r = c.post(url, team_post(office.repair, mon=typed, tue="08:30-12:00"))
        assert r.status_code == 200
        body = r.content.decode()
        assert "周一" in body and fault in body, typed
        assert typed in body  # what was typed stays
        office.repair.refresh_from_db()
        assert office.repair.working_hours == WEEK


def test_emptying_every_line_clears_the_hours(office, django_user_model) -> None:
    set_hours(office.repair, WEEK)
    c = superuser_client(django_user_model)
    r = c.post(f"/admin/community/team/{office.repair.pk}/change/", team_post(office.repair))
    assert r.status_code == 302
    office.repair.refresh_from_db()
    assert office.repair.working_hours == {}


def test_ds1_take_moves_when_the_office_closes_the_day_it_was_due(desk, office, clock) -> None:
    """DS-1-take logged Thursday 17:20 is due Friday 08:50 (10 minutes on Thursday, 20 on
    Friday); the office closes that Friday (管理处日历): it moves to Monday 08:50, with a line on
    the timeline; giving the day back moves it back."""
    set_hours(office.repair, WEEK)
    order = desk.at(sh(2026, 11, 26, 17, 20)).open("repair")
    assert desk.clock_of(order, "DS-1-take").due_at == sh(2026, 11, 27, 8, 50)
    changed = calendar_day_set(
        community=office.community, day=date(2026, 11, 27), is_working=False, now=clock.now()
    )
    assert changed >= 1
    assert desk.clock_of(order, "DS-1-take").due_at == sh(2026, 11, 30, 8, 50)
    log = ClockLog.objects.get(what="recomputed", data__rule="DS-1-take")
    assert log.data["new_due_at"] == sh(2026, 11, 30, 8, 50).isoformat()
    calendar_day_set(
        community=office.community, day=date(2026, 11, 27), is_working=None, now=clock.now()
    )
    assert desk.clock_of(order, "DS-1-take").due_at == sh(2026, 11, 27, 8, 50)


def test_a_teams_new_week_moves_its_running_clocks_and_no_one_elses(
    desk, office, django_user_model
) -> None:
    """The repair team has no hours: a repair logged at 12:10 is to be taken by 12:40 (the wall
    clock). The back office then gives the team a week with a 午休: the running DS-1-take moves
    to 14:00 (13:30 + 30) and its warning to 13:50, with a line on the order's timeline; a
    complaint's clocks (another team, wall-clock rules) and a clock already met stay as they
    were. Saving the same week again recomputes nothing."""
    repair = desk.at(LUNCH).open("repair")
    taken = desk.at(LUNCH).open("repair")
    desk.at(LUNCH + timedelta(minutes=5)).act(taken, "assign", assignee=office.repair_member)
    complaint = desk.at(LUNCH).open("complaint")
    assert desk.clock_of(repair, "DS-1-take").due_at == LUNCH + timedelta(minutes=30)
    before = {c.pk: c.due_at for c in complaint.clocks.all()}
    met = desk.clock_of(taken, "DS-1-take")
    assert met.state == ClockState.MET

    c = superuser_client(django_user_model)
    url = f"/admin/community/team/{office.repair.pk}/change/"
    week = {k: "08:30-12:00, 13:30-17:30" for k in ("mon", "tue", "wed", "thu", "fri")}
    assert c.post(url, team_post(office.repair, **week)).status_code == 302

    clock = desk.clock_of(repair, "DS-1-take")
    assert (clock.due_at, clock.warn_at) == (sh(2026, 11, 26, 14, 0), sh(2026, 11, 26, 13, 50))
    assert clock.next_check_at == clock.warn_at
    log = ClockLog.objects.get(clock=clock, what="recomputed")
    assert log.data["reason"] == f"team_hours:{office.repair.pk}"
    assert datetime.fromisoformat(log.data["old_due_at"]) == LUNCH + timedelta(minutes=30)
    assert {c.pk: c.due_at for c in complaint.clocks.all()} == before
    assert desk.clock_of(taken, "DS-1-take").due_at == met.due_at
    # At the wall clock's old deadline only the complaint's CP-1 breaches, not DS-1-take.
    assert desk.sweep(sh(2026, 11, 26, 12, 41)).rules == {"CP-1": 1}

    assert c.post(url, team_post(office.repair, **week)).status_code == 302
    assert ClockLog.objects.filter(what="recomputed").count() == 1


def test_a_new_week_counts_a_team_hours_clocks_past_wait_in_working_time(desk, office) -> None:
    """An office counts 急修到场 (DS-1-arrival, 4 hours) in team hours and pauses it while the
    owner is away. Opened urgent Thursday 10:30 it is due 16:00 (90 minutes in the morning, 150
    after 13:30). A wait from 11:00 to 13:45 holds 75 counted minutes (11:00-12:00, 13:30-13:45):
    due 17:15. The team then closes at 17:00 (a new week): the same 75 minutes are counted again
    on it, so the deadline is Friday 08:45, the next working minutes, not 18:45 (the wait's 2 h
    45 min on the wall clock, in the evening when no one is on duty)."""
    office.community.policy = {
        "clocks": {
            "DS-1-arrival": {
                "enabled": True,
                "duration": {"kind": "minutes", "value": 240},
                "counting": "team_hours",
            }
        },
        "waiting": {"owner_absent": {"pauses": ["DS-1", "FD-6", "DS-1-arrival"]}},
    }
    office.community.save(update_fields=["policy"])
    set_hours(office.repair, WEEK)
    order = desk.at(sh(2026, 11, 26, 10, 30)).open("repair", is_urgent=True)
    assert desk.clock_of(order, "DS-1-arrival").due_at == sh(2026, 11, 26, 16, 0)
    desk.at(sh(2026, 11, 26, 10, 35)).act(order, "claim", by=office.repair_member)
    desk.at(sh(2026, 11, 26, 11, 0)).act(
        order, "wait", by=office.repair_member, waiting="owner_absent", note="业主不在家"
    )
    desk.at(sh(2026, 11, 26, 13, 45)).act(order, "end_wait", by=office.repair_member)
    assert desk.clock_of(order, "DS-1-arrival").due_at == sh(2026, 11, 26, 17, 15)

    short = [["08:30", "12:00"], ["13:30", "17:00"]]
    set_hours(office.repair, {k: short for k in WEEK})
    assert team_hours_changed(team=office.repair, now=sh(2026, 11, 26, 14, 0)) == 1
    clock = desk.clock_of(order, "DS-1-arrival")
    assert clock.due_at == sh(2026, 11, 27, 8, 45)
    log = ClockLog.objects.get(clock=clock, what="recomputed")
    assert log.data["new_due_at"] == sh(2026, 11, 27, 8, 45).isoformat()


def test_a_new_week_keeps_a_clock_counted_from_the_agreed_time_on_that_time(desk, office) -> None:
    """An office counts 按约上门 (DS-1-appointment, 15 minutes' grace) in team hours. Logged
    Thursday 10:30 with the owner's agreed time Friday 10:00, it is due Friday 10:15. The team's
    week then changes (closing at 17:00): the clock is counted again from the agreed time, as it
    was started, so nothing moves; counted from the moment it was logged, it would fall due
    Thursday 10:45, breached before anyone was expected on site."""
    office.community.policy = {"clocks": {"DS-1-appointment": {"counting": "team_hours"}}}
    office.community.save(update_fields=["policy"])
    set_hours(office.repair, WEEK)
    order = desk.at(sh(2026, 11, 26, 10, 30)).open("repair", appointment_at=sh(2026, 11, 27, 10, 0))
    assert desk.clock_of(order, "DS-1-appointment").due_at == sh(2026, 11, 27, 10, 15)
    short = [["08:30", "12:00"], ["13:30", "17:00"]]
    set_hours(office.repair, {k: short for k in WEEK})
    assert team_hours_changed(team=office.repair, now=sh(2026, 11, 26, 14, 0)) == 0
    assert desk.clock_of(order, "DS-1-appointment").due_at == sh(2026, 11, 27, 10, 15)
