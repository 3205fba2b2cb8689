"""Issue 10, live screens: GET /desk/live/ answers "what changed since cursor c and notification
n" for the signed-in user, scoped to their communities and their own notifications, in one SQL
statement beyond the session and the user when nothing changed; the queue, jobs and board pages
carry the cursor they were read at, and answer their live region alone to htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from propdesk.desk.models import WorkOrderEvent
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.incidents.services import emergency_log, emergency_resolve
from propdesk.notify.models import Notification, NotificationChannel
from propdesk.notify.services import notifications_create
from tests import factories as f
from tests.web.conftest import act, browser_for

LIVE = "/desk/live/"


def poll(client, c=None, n=None, e=None) -> dict:
    params = {k: v for k, v in (("c", c), ("n", n), ("e", e)) if v is not None}
    r = client.get(LIVE, params)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/json"
    assert "no-store" in r["Cache-Control"]
    return r.json()


def newest_event(community) -> int:
    return (
        WorkOrderEvent.objects.filter(community=community)
        .order_by("-id")
        .values_list("id", flat=True)[0]
    )


def notify(office, user, cause: str, kind: str = "clock_escalation", clock=None, **payload):
    notifications_create(
        community_id=office.community.pk,
        recipient_ids=[user.pk],
        cause=cause,
        kind=kind,
        title=f"通知 {cause}",
        payload=payload,
        now=clock.now(),
    )
    return Notification.objects.get(cause=cause, recipient=user, channel="in_app")


def test_the_url_is_named_desk_live() -> None:
    assert reverse("desk-live") == LIVE


@pytest.mark.django_db
def test_signed_out_the_poll_answers_401_not_the_login_page(client) -> None:
    r = client.get(LIVE)
    assert r.status_code == 401
    assert r["Content-Type"] == "application/json"


def test_the_cursor_is_the_newest_event_of_my_communities_and_moves_with_a_change(
    office, clock, open_order
) -> None:
    order = open_order()
    leader = browser_for(office.repair_leader)
    first = poll(leader)
    assert first["c"] == newest_event(office.community)
    assert first["changed"] is True  # the page sent nothing: everything is news
    same = poll(leader, c=first["c"], n=first["n"])
    assert same == {"c": first["c"], "n": first["n"], "unread": first["unread"], "changed": False}
    act(order, "dispatch", office.receptionist, clock)
    moved = poll(leader, c=first["c"], n=first["n"])
    assert moved["changed"] is True
    assert moved["c"] == newest_event(office.community) > first["c"]


def test_another_communitys_events_never_move_my_cursor(
    office, other_office, clock, open_order
) -> None:
    open_order()
    mine = browser_for(office.administrator)
    before = poll(mine)
    theirs = work_order_create(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="漏水", household=other_office.household),
    )
    act(theirs, "dispatch", other_office.receptionist, clock)
    emergency_log(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        kind="fire",
        location="滨江苑2栋",
    )
    assert newest_event(other_office.community) > before["c"]
    after = poll(mine, c=before["c"], n=before["n"])
    assert after == {"c": before["c"], "n": before["n"], "unread": 0, "changed": False}


def test_company_leadership_follows_every_community_of_the_company(
    office, other_office, clock, open_order
) -> None:
    boss = f.UserFactory(username="boss", is_leadership=True, company=office.community.company)
    open_order()
    before = poll(browser_for(boss))
    work_order_create(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="漏水", household=other_office.household),
    )
    after = poll(browser_for(boss), c=before["c"], n=before["n"])
    assert after["changed"] is True and after["c"] == newest_event(other_office.community)


def test_unread_counts_only_my_unread_in_app_notifications(office, other_office, clock) -> None:
    head = browser_for(office.head)
    start = poll(head)
    assert (start["n"], start["unread"]) == (0, 0)
    one = notify(office, office.head, "t:1", clock=clock)
    two = notify(office, office.head, "t:2", clock=clock)
    notify(office, office.administrator, "t:3", clock=clock)  # someone else's
    # Mine on another channel (the e-mail copy): never "read", never counted.
    Notification.objects.create(
        community=office.community,
        recipient=office.head,
        channel=NotificationChannel.EMAIL,
        cause="t:1",
        kind="clock_escalation",
        title="x",
        dedupe_key="t:1:email",
        created_at=clock.now(),
    )
    a = poll(head, c=start["c"], n=start["n"])
    assert (a["n"], a["unread"], a["changed"]) == (two.pk, 2, True)
    one.read_at = clock.now()
    one.save(update_fields=["read_at"])
    b = poll(head, c=a["c"], n=a["n"])
    assert (b["n"], b["unread"], b["changed"]) == (two.pk, 1, False)
    # The other office's head sees none of it.
    assert poll(browser_for(other_office.head))["unread"] == 0


def test_nothing_changed_is_one_query_beyond_the_session_and_the_user(
    office, clock, open_order, django_assert_num_queries
) -> None:
    open_order()
    notify(office, office.head, "t:1", clock=clock)
    head = browser_for(office.head)
    seen = poll(head)
    # 1 the session row, 2 the user (django.contrib.auth), 3 the cursor, the newest notification
    # and the unread count in one statement.
    with django_assert_num_queries(3) as q:
        same = poll(head, c=seen["c"], n=seen["n"])
    assert same["changed"] is False
    sql = q.captured_queries[2]["sql"]
    assert "desk_workorderevent" in sql and "notify_notification" in sql


def test_nothing_changed_costs_the_same_with_more_communities_and_orders(
    office, other_office, clock, open_order, django_assert_num_queries
) -> None:
    both = f.UserFactory(
        username="both",
        roles=[(office.community, "administrator"), (other_office.community, "administrator")],
    )
    for _ in range(5):
        open_order()
    client = browser_for(both)
    seen = poll(client)
    with django_assert_num_queries(3):
        poll(client, c=seen["c"], n=seen["n"])


def test_a_change_brings_the_open_emergencies_of_my_communities_with_their_links(
    office, other_office, clock
) -> None:
    admin = browser_for(office.administrator)
    seen = poll(admin)
    assert seen["emergencies"] == [] and seen["alerts"] == []
    mine = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋大堂",
    )
    emergency_log(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now() + timedelta(seconds=1),
        kind="fire",
        location="滨江苑2栋",
    )
    a = poll(admin, c=seen["c"], n=seen["n"])
    assert a["changed"] is True
    assert [(e["id"], e["location"], e["url"]) for e in a["emergencies"]] == [
        (mine.pk, "3栋大堂", f"/desk/emergencies/{mine.pk}/")
    ]
    assert a["emergencies"][0]["order_number"] == mine.order.number


def test_alerts_are_my_new_unread_notifications_of_the_alert_kinds(office, clock) -> None:
    """An emergency call and FD-4's agitated visitor ring as banners (LIVE_ALERT_KINDS)."""
    head = browser_for(office.head)
    seen = poll(head)
    called = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋大堂",
    )
    agitated = notify(
        office, office.head, "agitated:1", "agitated_visitor", clock, url="/desk/1/intake/"
    )
    plain = notify(office, office.head, "clock:1", "clock_escalation", clock, order=5)
    a = poll(head, c=seen["c"], n=seen["n"])
    call = Notification.objects.get(
        recipient=office.head, channel="in_app", kind="emergency", cause=f"emergency:{called.pk}"
    )
    assert [(x["id"], x["kind"], x["url"]) for x in a["alerts"]] == [
        (agitated.pk, "agitated_visitor", "/desk/1/intake/"),
        (call.pk, "emergency", f"/desk/emergencies/{called.pk}/"),
    ]
    assert a["alerts"][1]["emergency"] == called.pk
    assert plain.pk == a["n"]  # the newest, though not an alert
    # Seen once, an alert is not news again; read, it is gone.
    again = poll(head, c=a["c"], n=a["n"])
    assert again["changed"] is False and "alerts" not in again
    later = poll(head, c=0, n=call.pk - 1)
    assert [x["id"] for x in later["alerts"]] == [agitated.pk, call.pk]
    agitated.read_at = clock.now()
    agitated.save(update_fields=["read_at"])
    assert [x["id"] for x in poll(head, c=0, n=0)["alerts"]] == [call.pk]


def test_the_live_statement_agrees_with_the_selectors_for_every_kind_of_user(
    office, other_office, clock, open_order
) -> None:
    """live_state is one hand-written statement; it must scope exactly as
    community_ids_visible and notify.selectors do, for members, leadership, superusers and
    inactive users."""
    from propdesk.community.selectors import community_ids_visible
    from propdesk.notify.selectors import inbox, unread_count
    from propdesk.web.live import live_state

    open_order()
    work_order_create(
        community=other_office.community,
        by=other_office.receptionist,
        now=clock.now(),
        draft=WorkOrderDraft(kind="repair", description="漏水", household=other_office.household),
    )
    boss = f.UserFactory(username="boss", is_leadership=True, company=office.community.company)
    root = f.UserFactory(username="root", is_superuser=True)
    gone = f.UserFactory(
        username="gone", is_active=False, roles=[(office.community, "administrator")]
    )
    for user in (office.head, boss, root, gone, other_office.head):
        for i in range(2):
            notify(office, user, f"t:{user.pk}:{i}", clock=clock)
    notify(other_office, office.head, "t:elsewhere", clock=clock)  # not a community of his
    for user in (office.head, office.repair_member, boss, root, gone, other_office.head):
        ids = community_ids_visible(user)
        events = WorkOrderEvent.objects.all()
        if ids is not None:
            events = events.filter(community_id__in=ids)
        newest = inbox(user).values_list("id", flat=True).first()
        state = live_state(user)
        assert (state.cursor, state.newest_notification, state.unread) == (
            max(events.values_list("id", flat=True), default=0),
            newest or 0,
            unread_count(user),
        ), user.username


def test_the_cursor_reads_the_community_event_index_even_for_a_community_without_events(
    office, other_office, clock, open_order
) -> None:
    """A community with no events must not make the cursor scan the events of the others
    (PostgreSQL chose the primary key backwards for "community_id = v.id")."""
    from django.db import connection

    from propdesk.web.live import live_sql, live_state

    for _ in range(3):
        open_order()
    newcomer = f.UserFactory(username="new", roles=[(other_office.community, "administrator")])
    assert live_state(newcomer).cursor == 0
    sql, params = live_sql(newcomer)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(r[0] for r in cursor.fetchall())
            # Either index that starts with community_id answers it (on a handful of rows the
            # planner may take the single-column one); never the primary key walked backwards.
            assert "desk_workorderevent_pkey" not in plan, plan
            assert "Index Cond: ((community_id" in plan, plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(r[-1]) for r in cursor.fetchall())
            assert "SEARCH e USING COVERING INDEX" in plan, plan


def test_a_team_member_not_called_sees_the_emergency_without_a_link_to_a_403(office, clock) -> None:
    """Every staff page shows the alert; its line links to the page only for whoever may open
    it (called to it, the office, leadership), never to a 403."""
    emergency = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋大堂",
    )
    assert not emergency.responders.filter(user=office.cleaning_leader).exists()
    member = poll(browser_for(office.cleaning_leader))
    assert [(e["id"], e["url"]) for e in member["emergencies"]] == [(emergency.pk, None)]
    page = browser_for(office.cleaning_leader).get(f"/desk/emergencies/{emergency.pk}/")
    assert page.status_code == 403
    head = poll(browser_for(office.head))
    assert head["emergencies"][0]["url"] == f"/desk/emergencies/{emergency.pk}/"


def test_em1_handled_an_emergency_stops_its_alert_on_every_screen(office, clock) -> None:
    """处置完毕 stops the alarm for everyone, not only for whoever dismisses it: the answer says
    which of the emergencies a page's alerts are about (e=) are over, and an alert of one that
    is over is not sent again. Another open emergency keeps ringing; the notification itself
    stays in the list, unread."""
    head = browser_for(office.head)
    seen = poll(head)
    fire = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="fire",
        location="3栋大堂",
    )
    flood = emergency_log(
        community=office.community,
        by=office.receptionist,
        now=clock.now(),
        kind="flooding",
        location="地下车库B2",
    )
    both = f"{fire.pk},{flood.pk}"
    ringing = poll(head, c=seen["c"], n=seen["n"], e=both)
    assert ringing["over"] == []
    assert sorted(a["emergency"] for a in ringing["alerts"]) == sorted([fire.pk, flood.pk])

    emergency_resolve(emergency_id=fire.pk, by=office.head, now=clock.now(), note="明火已扑灭")

    # Every open page: the cursor moved, so its next poll brings the news.
    after = poll(head, c=ringing["c"], n=ringing["n"], e=both)
    assert after["changed"] is True
    assert after["over"] == [fire.pk]
    assert [e["id"] for e in after["emergencies"]] == [flood.pk]
    # A page opened afresh (nothing seen) is not sent the handled one's alert at all.
    fresh = poll(head, c=0, n=0)
    assert [a["emergency"] for a in fresh["alerts"]] == [flood.pk]
    assert fresh["over"] == []
    # A receptionist who was not called: the banner's line of the fire is gone too.
    desk = poll(browser_for(office.receptionist), e=str(fire.pk))
    assert [e["id"] for e in desk["emergencies"]] == [flood.pk]
    assert desk["over"] == [fire.pk]
    # The record stays: the head's notification of the fire is still there, still unread.
    call = Notification.objects.get(
        recipient=office.head, channel="in_app", kind="emergency", cause=f"emergency:{fire.pk}"
    )
    assert call.read_at is None


@pytest.mark.parametrize(
    ("e", "over"),
    [("abc", []), ("\x00", []), ("9" * 23, []), ("1,,x,²", [1]), (",".join(["7"] * 50), [7])],
)
def test_the_poll_takes_any_list_of_emergencies(office, clock, e, over) -> None:
    """e= is only what the page holds: what is not an id is left out, never a 500; an id that
    is no open emergency of mine is over (the page drops its alert)."""
    assert poll(browser_for(office.head), e=e)["over"] == over
