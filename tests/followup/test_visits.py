"""Return visits on the injected clock: RV-6 same-day phone visits, CP-2/RV-3 complaint visits,
RV-4 items, RV-1 quota, and turning dissatisfied owners."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from propdesk.clocks.models import Clock
from propdesk.core.errors import Forbidden
from propdesk.desk.models import WorkOrderEvent
from propdesk.followup.models import STAFF_VISIT_CHANNELS, Recovery, ReturnVisit, SuggestionItem
from propdesk.followup.selectors import call_list_today, recovery_queue, turned_count
from propdesk.followup.services import ItemDraft, VisitDraft, return_visit_record
from propdesk.notify.models import Notification
from tests.followup.conftest import sh
from tests.notify.helpers import run_telling

T0 = sh(2026, 11, 26, 10, 0)


def test_rv6_resolved_repair_lands_in_todays_call_list_and_visit_meets_clock(loop, office):
    order = loop.at(T0).resolved("repair")
    rows = call_list_today(office.community, T0)
    assert [(r.order_id, r.phone, r.attempts) for r in rows] == [(order.pk, "13812345678", 0)]
    visit = loop.visit(order=order, level="very_satisfied", at=sh(2026, 11, 26, 23, 59, 59))
    assert visit.phone == "13812345678"
    assert loop.clock_of(order, "RV-6").state == "met"
    assert call_list_today(office.community, loop.clock.now()) == []
    assert WorkOrderEvent.objects.filter(order=order, action="return_visit").count() == 1


def test_rv6_no_answer_schedules_a_retry_and_meets_nothing(loop, office):
    order = loop.at(T0).resolved("housekeeping")
    loop.at(sh(2026, 11, 26, 15, 0))
    visit = loop.visit(order=order, outcome="no_answer")
    assert visit.retry_at == sh(2026, 11, 26, 17, 0)  # policy: 120 minutes later
    assert visit.level == ""
    assert loop.clock_of(order, "RV-6").state == "running"
    [row] = call_list_today(office.community, loop.clock.now())
    assert (row.attempts, row.retry_at) == (1, sh(2026, 11, 26, 17, 0))
    loop.sweep(sh(2026, 11, 27, 0, 0))
    assert loop.clock_of(order, "RV-6").state == "breached"


def test_rv6_orders_resolved_yesterday_are_not_on_todays_list(loop, office):
    """RV-6: yesterday's day-time order was due yesterday: not today's call. One completed at
    23:00, after late intake, is due by the end of today: it is (test_rv6_late_in_the_day)."""
    daytime = loop.at(sh(2026, 11, 25, 19, 0)).resolved("repair")
    late = loop.at(sh(2026, 11, 25, 23, 0)).resolved("repair")
    rows = call_list_today(office.community, sh(2026, 11, 26, 0, 0))
    assert [(r.order_id, r.yesterday) for r in rows] == [(late.pk, True)]
    assert daytime.pk not in [r.order_id for r in rows]


def test_rv6_unresolved_order_is_refused_and_nothing_written(loop, office):
    order = loop.at(T0).open_for("repair")
    with pytest.raises(ValidationError) as err:
        loop.visit(order=order)
    assert "order" in err.value.message_dict
    assert ReturnVisit.objects.count() == 0


def test_rv6_answered_visit_needs_a_level(loop, office):
    order = loop.at(T0).resolved("repair")
    with pytest.raises(ValidationError) as err:
        loop.visit(order=order, level="")
    assert "level" in err.value.message_dict
    assert ReturnVisit.objects.count() == 0
    assert loop.clock_of(order, "RV-6").state == "running"


def test_rv6_team_member_may_not_visit(loop, office):
    order = loop.at(T0).resolved("repair")
    with pytest.raises(Forbidden):
        loop.visit(order=order, by=office.repair_member)
    assert ReturnVisit.objects.count() == 0


def test_cp2_complaint_visit_takes_follow_up_and_meets_the_clock(loop, office):
    order = loop.at(T0).resolved("complaint")
    assert loop.clock_of(order, "CP-2").due_at == T0 + timedelta(days=3)
    loop.visit("complaint", order=order, by=office.administrator, at=T0 + timedelta(days=3))
    order.refresh_from_db()
    assert order.state == "followed_up"
    assert loop.clock_of(order, "CP-2").state == "met"
    assert WorkOrderEvent.objects.filter(order=order, action="follow_up").count() == 1


def test_cp2_visit_one_second_late_is_a_breach(loop, office):
    order = loop.at(T0).resolved("complaint")
    loop.visit(
        "complaint",
        order=order,
        by=office.administrator,
        at=T0 + timedelta(days=3, seconds=1),
    )
    assert loop.clock_of(order, "CP-2").state == "breached"


def test_cp2_emergency_complaint_needs_no_follow_up_clock(loop, office):
    order = loop.at(T0).resolved("complaint", complaint_type="emergency")
    assert not Clock.objects.filter(order=order, rule_id="CP-2").exists()


def test_rv3_major_complaint_visit_only_by_the_office_head(loop, office):
    order = loop.at(T0).resolved("complaint", is_important=True)
    with pytest.raises(Forbidden) as err:
        loop.visit("complaint", order=order, by=office.administrator)
    assert err.value.code == "head_only"
    order.refresh_from_db()
    assert (order.state, ReturnVisit.objects.count()) == ("resolved", 0)
    loop.visit("complaint", order=order, by=office.head)
    order.refresh_from_db()
    assert order.state == "followed_up"


def test_rv4_each_opinion_is_its_own_item(loop, office):
    order = loop.at(T0).resolved("repair")
    visit = loop.visit(
        order=order,
        opinion="维修师傅很准时",
        items=(
            ItemDraft("suggestion", "希望周末也能上门维修"),
            ItemDraft("criticism", "师傅没有穿鞋套"),
        ),
    )
    items = SuggestionItem.objects.filter(visit=visit).order_by("id")
    assert [(i.kind, i.text, i.household_id, i.state) for i in items] == [
        ("suggestion", "希望周末也能上门维修", office.household.pk, "open"),
        ("criticism", "师傅没有穿鞋套", office.household.pk, "open"),
    ]


def test_rv1_answered_visits_count_distinct_households_to_the_quota(loop, office):
    loop.at(sh(2026, 11, 3, 10, 0))
    households = [loop.household(f"5-1-{100 + i}", building="5") for i in range(20)]
    for h in households[:19]:
        loop.visit("monthly", household=h)
    loop.visit("monthly", household=households[0])  # again: still 19
    loop.visit("monthly", household=households[19], outcome="no_answer")  # not a visit
    quota = Clock.objects.get(community=office.community, rule_id="RV-1")
    assert quota.started_at == sh(2026, 11, 1, 0, 0)
    assert (quota.state, len(quota.progress)) == ("running", 19)
    loop.visit("monthly", household=households[19])
    quota.refresh_from_db()
    assert quota.state == "met"


def test_rv1_short_month_breaches_when_next_month_starts(loop, office):
    h = loop.household("5-1-101", building="5")
    loop.visit("monthly", household=h, at=sh(2026, 11, 3, 10, 0))
    loop.visit("monthly", household=h, at=sh(2026, 12, 1, 9, 0))
    nov, dec = Clock.objects.filter(rule_id="RV-1").order_by("started_at")
    assert (nov.state, nov.breached_at) == ("breached", sh(2026, 11, 30, 23, 59, 59))
    assert (dec.state, dec.progress) == ("running", [str(h.pk)])


def test_dissatisfied_answer_goes_to_the_head_and_a_later_satisfied_visit_turns_it(loop, office):
    order = loop.at(T0).resolved("repair")
    loop.visit(order=order, level="dissatisfied", opinion="水管还在漏")
    [rec] = recovery_queue(office.community)
    assert (rec.order_id, rec.owner_words) == (order.pk, "水管还在漏")
    assert not Notification.objects.filter(cause=f"dissatisfied:{rec.pk}").exists()
    run_telling(loop.clock)  # the worker's desk.tell (issue 15)
    note = Notification.objects.get(cause=f"dissatisfied:{rec.pk}")
    assert note.recipient == office.head
    loop.act(order, "reopen", by=office.head)
    loop.act(order, "dispatch", by=office.receptionist)  # back to the team's pool
    loop.act(order, "claim", by=office.repair_leader)
    loop.at(T0 + timedelta(hours=3)).act(order, "resolve", by=office.repair_leader)
    loop.visit(order=order, level="fairly_satisfied")  # not satisfied by default policy
    assert recovery_queue(office.community).count() == 1
    loop.visit(order=order, level="satisfied")
    rec.refresh_from_db()
    assert (rec.state, rec.turned_at) == ("turned", T0 + timedelta(hours=3))
    assert turned_count(office.community, 2026, 11).turned == 1
    assert turned_count(office.community, 2026, 12).turned == 0


def test_a_second_dissatisfied_answer_does_not_open_a_second_recovery(loop, office):
    order = loop.at(T0).resolved("repair")
    loop.visit(order=order, level="dissatisfied")
    loop.visit(order=order, level="not_very_satisfied")
    assert Recovery.objects.filter(order=order).count() == 1


def test_rv4_a_dissatisfied_answer_is_announced_and_the_worker_tells_every_active_head(
    loop, office
):
    """Issue 15: the visit's request writes one announcement and tells nobody itself; the
    worker's desk.tell job tells each active office head (not the administrators, not a
    deactivated head), with the words the request wrote, the order's page and the visit's id
    and level, at the visit's time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from propdesk.desk.models import Announcement
    from tests import factories as f

    order = loop.at(T0).resolved("repair")
    run_telling(loop.clock)  # the order's own announcements
    second = f.UserFactory(username="v-head-2", roles=[(office.community, "office_head")])
    f.UserFactory(
        username="v-head-gone", roles=[(office.community, "office_head")], is_active=False
    )
    with CaptureQueriesContext(connection) as queries:
        visit = loop.visit(order=order, level="dissatisfied", opinion="水管还在漏")
    [rec] = recovery_queue(office.community)
    cause = f"dissatisfied:{rec.pk}"
    assert not any(
        "office_head" in q["sql"] and "community_membership" in q["sql"]
        for q in queries.captured_queries
    ), "the office heads are the worker's to find"
    assert not Notification.objects.filter(cause=cause).exists()
    a = Announcement.objects.get(cause=cause)
    assert (a.event, a.recipient_ids, a.done_at, a.created_at) == (
        "dissatisfied",
        None,
        None,
        loop.clock.now(),
    )
    event_time = loop.clock.now()
    loop.clock.advance(seconds=1)
    assert run_telling(loop.clock) == 1
    notes = Notification.objects.filter(cause=cause, channel="in_app")
    assert sorted((n.recipient_id, n.kind, n.title, n.payload, n.created_at) for n in notes) == (
        sorted(
            (
                uid,
                "dissatisfied",
                f"业主对{order.number}不满意：水管还在漏",
                {
                    "order": order.pk,
                    "number": order.number,
                    "url": f"/desk/orders/{order.pk}/",
                    "visit": visit.pk,
                    "level": "dissatisfied",
                },
                event_time,
            )
            for uid in (office.head.pk, second.pk)
        )
    )
    assert run_telling(loop.clock) == 0
    assert notes.count() == 2


def test_rv1_staff_may_not_record_the_owners_own_rating_and_hear_every_mistake_at_once(
    loop,
) -> None:
    """The portal's channel (业主自评) is the owner's: from staff it is refused, together with
    whatever else is wrong, so the form can say it all at once; nothing is written."""
    assert STAFF_VISIT_CHANNELS == ("phone", "home")
    order = loop.resolved("repair")
    with pytest.raises(ValidationError) as caught:
        return_visit_record(
            community=loop.office.community,
            by=loop.office.receptionist,
            now=loop.clock.now(),
            draft=VisitDraft(kind="order", channel="portal", order=order, level=""),
        )
    assert set(caught.value.message_dict) == {"channel", "level"}
    assert not ReturnVisit.objects.exists()


def test_rv6_the_number_called_is_stored_as_the_desk_stores_one_never_cut(loop, office):
    """A landline with its extension (21 characters as typed) was cut to 20 and stored as typed;
    a number that is none was stored too. Now the number as dialled, or the form's error."""
    order = loop.at(T0).resolved("repair")

    def call(phone: str) -> ReturnVisit:
        order.refresh_from_db()
        return return_visit_record(
            community=office.community,
            by=office.receptionist,
            now=loop.clock.now(),
            draft=VisitDraft(
                kind="order", order=order, outcome="no_answer", channel="phone", phone=phone
            ),
        )

    with pytest.raises(ValidationError) as refused:
        call("12")
    assert set(refused.value.message_dict) == {"phone"}
    assert ReturnVisit.objects.count() == 0
    assert call("0755-8888 1234 转 8012").phone == "075588881234"
