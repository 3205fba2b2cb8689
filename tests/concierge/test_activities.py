"""CS-3 每季度社区活动: an activity planned from owners' wishes, announced by a posted notice,
households signed up within its places, attendance on the day, feedback with its 满意率; the
quarter's clock met by an activity held, breached at the quarter's end without one; scoped by
community; bad input refused in Chinese with nothing changed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from propdesk.clocks.models import Clock
from propdesk.clocks.services import clocks_sweep
from propdesk.concierge import selectors_activities as sa
from propdesk.concierge.jobs import activities_quarter_start
from propdesk.concierge.models import Activity, ActivitySignup
from propdesk.concierge.services import activities as svc
from propdesk.core.errors import Conflict, Forbidden, NotFound
from propdesk.followup.models import Notice
from propdesk.followup.selectors import notice_list
from propdesk.followup.services import (
    VisitDraft,
    return_visit_record,
    suggestion_create,
    suggestion_tag_activity,
)
from propdesk.notify.models import Notification
from tests.clocks.conftest import sh

pytestmark = pytest.mark.django_db

DEC_31_END = sh(2026, 12, 31, 23, 59, 59)


def cs3(office, started_after=None) -> Clock:
    qs = Clock.objects.filter(community=office.community, rule_id="CS-3", order__isnull=True)
    if started_after is not None:
        qs = qs.filter(started_at__gte=started_after)
    return qs.order_by("-started_at").first()


def held_on_new_years_eve(acts, mark_at):
    """An activity on 12-31 19:00, announced, one household signed up; attendance marked at
    ``mark_at``."""
    a = acts.plan(sh(2026, 12, 31, 19, 0))
    acts.announce(a)
    acts.signup(a)
    acts.at(mark_at)
    return acts.attend(a, [acts.office.household])


# --- the quarter's clock ------------------------------------------------------------------------


def test_cs3_the_quarters_clock_starts_at_its_first_instant_with_the_policys_warning(
    office, clock
) -> None:
    assert activities_quarter_start(clock.now()) == 1
    c = cs3(office)
    assert (c.started_at, c.due_at) == (sh(2026, 10, 1), DEC_31_END)
    assert c.warn_at == DEC_31_END - timedelta(minutes=43200)  # policy: 30 days
    assert activities_quarter_start(clock.now()) == 0  # once a quarter


def test_cs3_warning_time_follows_the_communitys_policy(office, clock) -> None:
    office.community.policy = {"clocks": {"CS-3": {"warn_before_minutes": 1440}}}
    office.community.save(update_fields=["policy"])
    activities_quarter_start(clock.now())
    assert cs3(office).warn_at == sh(2026, 12, 30, 23, 59, 59)


def test_cs3_an_activity_held_on_12_31_at_23_59_counts(office, acts) -> None:
    held_on_new_years_eve(acts, sh(2026, 12, 31, 23, 59))
    c = cs3(office)
    assert c.state == "met"
    assert c.met_at == sh(2026, 12, 31, 23, 59)


def test_cs3_held_marked_at_the_last_second_still_counts(office, acts) -> None:
    held_on_new_years_eve(acts, DEC_31_END)
    assert cs3(office).state == "met"


def test_cs3_no_activity_breaches_at_the_quarters_end_not_a_second_before(office, clock) -> None:
    activities_quarter_start(clock.now())
    c = cs3(office)
    clocks_sweep(now=DEC_31_END - timedelta(seconds=1))
    c.refresh_from_db()
    assert c.state == "running"
    clocks_sweep(now=DEC_31_END)
    c.refresh_from_db()
    assert c.state == "running"  # the deadline itself is still in time
    clocks_sweep(now=DEC_31_END + timedelta(seconds=1))
    c.refresh_from_db()
    assert (c.state, c.breached_at) == ("breached", DEC_31_END)
    assert c.level == 1
    # The office head hears of it (policy: level 1 to the office head).
    assert Notification.objects.filter(recipient=office.head).exists()


def test_cs3_next_quarter_starts_its_own_clock_and_an_activity_then_counts_there(
    office, acts, clock
) -> None:
    activities_quarter_start(clock.now())
    acts.at(sh(2027, 1, 1, 0, 0, 0))
    activities_quarter_start(clock.now())
    last, this = Clock.objects.filter(rule_id="CS-3").order_by("started_at")
    assert (last.state, this.state) == ("breached", "running")
    assert this.due_at == sh(2027, 3, 31, 23, 59, 59)


def test_cs3_attendance_marked_after_the_quarter_does_not_meet_the_next_one(office, acts) -> None:
    held_on_new_years_eve(acts, sh(2027, 1, 1, 9, 0))
    activity = Activity.objects.get()
    assert activity.state == "held"
    activities_quarter_start(acts.clock.now())
    q4, q1 = Clock.objects.filter(rule_id="CS-3").order_by("started_at")
    assert q4.state == "breached"  # the record came too late for the fourth quarter
    assert (q1.state, q1.progress) == ("running", [])  # and does not count for the first


def test_cs3_quarters_are_shanghais_not_utcs(office, acts) -> None:
    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Shanghai: the first quarter of 2027.
    from datetime import UTC, datetime

    q = sa.quarter_at(office.community, datetime(2026, 12, 31, 16, 30, tzinfo=UTC))
    assert (q.year, q.number, q.start) == (2027, 1, sh(2027, 1, 1))


# --- plan, announce, sign up --------------------------------------------------------------------


def test_cs3_planned_from_a_wish_tagged_activity_and_a_return_visit_answer(
    office, acts, clock
) -> None:
    item = suggestion_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="suggestion",
        text="希望办一场亲子运动会",
        household=office.household,
    )
    suggestion_tag_activity(item_id=item.pk, by=office.receptionist, tagged=True)
    visit = return_visit_record(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        draft=VisitDraft(
            kind="monthly",
            household=office.household,
            level="satisfied",
            activity_wish="老年人健康讲座",
        ),
    )
    q = sa.quarter_at(office.community, clock.now())
    wishes = {(w.source, w.text) for w in sa.wishes_for(office.community, q)}
    assert wishes == {("item", "希望办一场亲子运动会"), ("visit", "老年人健康讲座")}
    a = acts.plan(sh(2026, 12, 20, 9, 0), wish_item_ids=[item.pk], wish_visit_ids=[visit.pk])
    assert list(a.wish_items.all()) == [item]
    assert list(a.wish_visits.all()) == [visit]
    assert sa.quarter_without_activity(office.community, clock.now()) is None


def test_cs3_an_untagged_suggestion_is_no_wish(office, acts, clock) -> None:
    item = suggestion_create(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="suggestion",
        text="楼道灯不亮",
        household=office.household,
    )
    q = sa.quarter_at(office.community, clock.now())
    assert sa.wishes_for(office.community, q) == []
    with pytest.raises(ValidationError) as exc:
        acts.plan(sh(2026, 12, 20, 9, 0), wish_item_ids=[item.pk])
    assert exc.value.message_dict["wishes"] == ["部分业主需求不属于本小区。"]
    assert not Activity.objects.exists()


def test_cs3_bad_plan_is_refused_in_chinese_and_nothing_is_written(office, acts, clock) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.activity_plan(
            community=office.community,
            by=office.administrator,
            now=clock.now(),
            title=" ",
            starts_at=clock.now() - timedelta(minutes=1),
            place="",
            capacity=0,
        )
    assert exc.value.message_dict == {
        "title": ["请填写活动名称。"],
        "starts_at": ["活动时间必须晚于现在。"],
        "place": ["请填写活动地点。"],
        "capacity": ["请填写名额：1至10000户。"],
    }
    assert not Activity.objects.exists()
    assert not Clock.objects.filter(rule_id="CS-3").exists()


def test_cs3_the_front_desk_may_not_plan(office, acts) -> None:
    with pytest.raises(Forbidden):
        acts.plan(sh(2026, 12, 20, 9, 0), by=office.receptionist)
    assert not Activity.objects.exists()


def test_cs3_announced_as_a_posted_notice_residents_see(office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0), capacity=12)
    assert not notice_list(office.community, posted_only=True).exists()
    acts.announce(a)
    a.refresh_from_db()
    assert a.state == "announced"
    notice = notice_list(office.community, posted_only=True).get()
    assert notice == a.notice
    assert notice.title == "社区活动：中秋游园会"
    assert "地点：中心花园" in notice.body
    assert "名额：12户" in notice.body
    assert "时间：2026-12-20 09:00" in notice.body
    assert notice.photos.count() == 1
    with pytest.raises(Conflict):
        acts.announce(a)
    assert Notice.objects.count() == 1


def test_cs3_announce_without_a_real_photo_changes_nothing(office, acts) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    a = acts.plan(sh(2026, 12, 20, 9, 0))
    with pytest.raises(ValidationError):
        svc.activity_announce(
            activity_id=a.pk,
            by=office.administrator,
            now=acts.clock.now(),
            photo=SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        )
    a.refresh_from_db()
    assert (a.state, a.notice) == ("planned", None)
    assert not Notice.objects.exists()


def test_cs3_sign_up_only_once_announced_and_never_past_the_places(office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0), capacity=2)
    with pytest.raises(Conflict) as exc:
        acts.signup(a)
    assert exc.value.message == "活动公告后才能报名。"
    acts.announce(a)
    acts.signup(a)
    with pytest.raises(Conflict) as exc:
        acts.signup(a)
    assert exc.value.code == "already_signed_up"
    acts.signup(a, acts.household("1601"))
    with pytest.raises(Conflict) as exc:
        acts.signup(a, acts.household("1701"))
    assert (exc.value.code, exc.value.message) == ("full", "活动名额已满。")
    assert ActivitySignup.objects.count() == 2


def test_cs3_a_withdrawn_place_frees_and_sign_up_closes_at_the_start(office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0), capacity=1)
    acts.announce(a)
    s = acts.signup(a)
    svc.activity_signup_withdraw(signup_id=s.pk, by=office.receptionist, now=acts.clock.now())
    acts.signup(a, acts.household("1601"))
    acts.at(sh(2026, 12, 20, 9, 0))
    with pytest.raises(Conflict) as exc:
        acts.signup(a, acts.household("1701"))
    assert exc.value.code == "closed"


def test_cs3_the_resident_portals_door_signs_up_their_household(office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0))
    acts.announce(a)
    s = svc.activity_signup_resident(
        activity_id=a.pk, household=office.household, now=acts.clock.now()
    )
    assert (s.household, s.signed_up_by) == (office.household, None)
    assert list(sa.announced_activities(office.community, acts.clock.now())) == [a]


# --- the day and after --------------------------------------------------------------------------


def test_cs3_attendance_only_on_the_day_and_only_for_those_signed_up(office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0))
    acts.announce(a)
    acts.signup(a)
    acts.at(sh(2026, 12, 19, 23, 59, 59))
    with pytest.raises(Conflict) as exc:
        acts.attend(a, [office.household])
    assert exc.value.message == "活动当天才能登记到场。"
    acts.at(sh(2026, 12, 20, 0, 0))
    stranger = acts.household("1801")
    with pytest.raises(ValidationError) as verr:
        acts.attend(a, [stranger])
    assert verr.value.message_dict["attended"] == ["只能登记已报名的住户。"]
    a.refresh_from_db()
    assert a.state == "announced"
    acts.attend(a, [office.household])
    a.refresh_from_db()
    assert a.state == "held"
    assert ActivitySignup.objects.get().attended is True


def test_cs3_feedback_gives_the_activitys_satisfaction_rate(office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0))
    acts.announce(a)
    homes = [office.household] + [acts.household(r) for r in ("1601", "1701", "1801")]
    for h in homes:
        acts.signup(a, h)
    acts.at(sh(2026, 12, 20, 11, 0))
    acts.attend(a, homes[:3])
    s = {x.household_id: x for x in ActivitySignup.objects.all()}
    with pytest.raises(ValidationError) as exc:
        svc.activity_feedback(
            signup_id=s[homes[3].pk].pk,
            by=office.administrator,
            now=acts.clock.now(),
            level="satisfied",
        )
    assert exc.value.message_dict["level"] == ["只有到场的住户才能反馈。"]
    for h, level in zip(
        homes[:3], ["very_satisfied", "satisfied", "fairly_satisfied"], strict=True
    ):
        svc.activity_feedback(
            signup_id=s[h.pk].pk, by=office.administrator, now=acts.clock.now(), level=level
        )
    sat = sa.activity_satisfaction(a)
    assert (sat.answered, sat.satisfied, sat.rate) == (3, 2, Decimal("66.7"))
    svc.activity_close(activity_id=a.pk, by=office.head, now=acts.clock.now())
    fig = sa.quarter_figures(office.community, sa.quarter_at(office.community, a.starts_at))
    assert (fig.held, fig.target, fig.met, fig.satisfaction.rate) == (1, 1, True, Decimal("66.7"))


def test_cs3_a_household_unmarked_as_come_loses_its_answer_from_the_satisfaction_rate(
    office, acts
) -> None:
    """Ticked as come by mistake, given 满意 at the door, then corrected: its answer stayed, and
    the activity's, the quarter's and the monthly report's 满意率 counted a household that did
    not come (100 % of one answer, with nobody who came having answered)."""
    a = acts.plan(sh(2026, 12, 20, 9, 0))
    acts.announce(a)
    other = acts.household("1601")
    acts.signup(a)
    acts.signup(a, other)
    acts.at(sh(2026, 12, 20, 11, 0))
    acts.attend(a, [office.household, other])
    mine = ActivitySignup.objects.get(household=office.household)
    svc.activity_feedback(
        signup_id=mine.pk,
        by=office.administrator,
        now=acts.clock.now(),
        level="satisfied",
        feedback="很开心",
    )
    assert sa.activity_satisfaction(a).answered == 1

    acts.attend(a, [other])
    mine.refresh_from_db()
    assert (mine.attended, mine.level, mine.feedback, mine.feedback_at) == (False, "", "", None)
    sat = sa.activity_satisfaction(a)
    assert (sat.answered, sat.satisfied, sat.rate) == (0, 0, None)
    fig = sa.quarter_figures(office.community, sa.quarter_at(office.community, a.starts_at))
    assert (fig.held, fig.satisfaction.answered, fig.satisfaction.rate) == (1, 0, None)
    theirs = ActivitySignup.objects.get(household=other)
    assert (theirs.attended, theirs.level) == (True, "")  # the one who came is untouched


def test_cs3_cancel_needs_a_reason(office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0))
    with pytest.raises(ValidationError) as exc:
        svc.activity_cancel(activity_id=a.pk, by=office.head, now=acts.clock.now(), reason=" ")
    assert exc.value.message_dict["reason"] == ["请说明取消活动的原因。"]
    svc.activity_cancel(activity_id=a.pk, by=office.head, now=acts.clock.now(), reason="暴雨")
    a.refresh_from_db()
    assert a.state == "cancelled"
    # A cancelled activity is no plan: the head's queue shows the quarter again.
    assert sa.quarter_without_activity(office.community, acts.clock.now()) is not None


# --- scoping -------------------------------------------------------------------------------------


def test_cs3_another_communitys_activity_is_not_found(office, other_office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0))
    assert sa.access_activity(office.receptionist, a.pk) == a
    with pytest.raises(NotFound):
        sa.access_activity(other_office.head, a.pk)
    with pytest.raises(NotFound):
        sa.access_activity(office.repair_member, a.pk)


def test_cs3_another_communitys_household_cannot_sign_up(office, other_office, acts) -> None:
    a = acts.plan(sh(2026, 12, 20, 9, 0))
    acts.announce(a)
    with pytest.raises(ValidationError) as exc:
        acts.signup(a, other_office.household)
    assert exc.value.message_dict["household"] == ["该房屋不在本小区。"]
    with pytest.raises(Forbidden):
        acts.signup(a, by=other_office.receptionist)
    assert not ActivitySignup.objects.exists()
