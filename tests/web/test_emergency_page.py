"""The emergency's page on every phone (EM-1, EM-2): who may open it, the taps 收到 / 已到场 /
处置完毕 through the services, the responders' live states, and what the taps leave in the
incident report (EM-3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from propdesk.clocks.models import Clock
from propdesk.community.models import DutyShift, Membership
from propdesk.incidents.models import Emergency, EmergencyState, IncidentReport, Responder
from propdesk.incidents.selectors import report_timeline
from tests import factories as f
from tests.incidents.conftest import T_NIGHT, duty
from tests.web.conftest import browser_for

__all__ = ["duty"]  # the office with its security roster, as in tests/incidents


@pytest.fixture
def fire(duty) -> Emergency:
    return duty.log("fire", at=T_NIGHT)


def page(emergency: Emergency) -> str:
    return reverse("desk-emergency", args=[emergency.pk])


def fragment(emergency: Emergency) -> str:
    return reverse("desk-emergency-responders", args=[emergency.pk])


def responder(emergency: Emergency, user) -> Responder:
    return Responder.objects.get(emergency=emergency, user=user)


def status_of(html: str, username: str) -> str:
    """The data-status of one responder's line in the page or the fragment."""
    marker = f'data-user="{username}" data-status="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


# --- who may open it ------------------------------------------------------------------------------


def test_em1_the_called_guard_the_office_and_leadership_open_the_emergency_page(
    fire, duty, office
) -> None:
    assert responder(fire, duty.night_guard)  # called by the night roster
    for user in (
        duty.night_guard,
        office.receptionist,
        office.administrator,
        office.head,
        duty.boss,
    ):
        for url in (page(fire), fragment(fire)):
            r = browser_for(user).get(url)
            assert r.status_code == 200, (user.username, url)
    html = browser_for(duty.night_guard).get(page(fire)).content.decode()
    assert "火警" in html and "3栋地下车库" in html and fire.order.number in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'hx-trigger="live:changed from:body, every 3s"' in html
    assert f'hx-get="{fragment(fire)}"' in html


def test_em1_a_team_member_not_called_is_forbidden_and_another_community_not_found(
    fire, duty, office, other_office
) -> None:
    assert not Responder.objects.filter(emergency=fire, user=duty.day_guard).exists()
    before = list(Responder.objects.filter(emergency=fire).values())
    for url in (page(fire), fragment(fire)):
        assert browser_for(duty.day_guard).get(url).status_code == 403
        assert browser_for(office.repair_member).get(url).status_code == 403
        assert browser_for(other_office.head).get(url).status_code == 404
    r = browser_for(duty.day_guard).post(page(fire), {"action": "acknowledge"})
    assert r.status_code == 403
    r = browser_for(other_office.head).post(page(fire), {"action": "resolve", "note": "x"})
    assert r.status_code == 404
    assert browser_for(office.head).get("/desk/emergencies/999999/").status_code == 404
    fire.refresh_from_db()
    assert fire.state == EmergencyState.OPEN
    assert list(Responder.objects.filter(emergency=fire).values()) == before


def test_em1_a_guard_called_from_a_roster_without_a_role_there_still_sees_and_opens_it(
    duty, office
) -> None:
    """Whoever the roster calls sees the alert and opens the page, role or not."""
    outsider = f.UserFactory(username="a-relief-guard")
    DutyShift.objects.create(
        team=duty.security,
        user=outsider,
        starts_at=T_NIGHT - timedelta(hours=1),
        ends_at=T_NIGHT + timedelta(hours=1),
    )
    emergency = duty.log("fire", at=T_NIGHT)
    assert responder(emergency, outsider)
    assert browser_for(outsider).get(page(emergency)).status_code == 200
    listed = browser_for(outsider).get("/api/emergencies/?open=1").json()["results"]
    assert [(e["id"], e["may_open"]) for e in listed] == [(emergency.pk, True)]


def test_em1_the_banner_list_says_whom_the_page_is_for(fire, duty, office) -> None:
    """/api/emergencies/?open=1 carries what each banner line needs, and whether to link it."""
    for user, may_open in (
        (duty.night_guard, True),
        (office.receptionist, True),
        (duty.boss, True),
        (duty.day_guard, False),  # sees the alert (same community), not called
    ):
        rows = browser_for(user).get("/api/emergencies/?open=1").json()["results"]
        assert len(rows) == 1, user.username
        row = rows[0]
        assert (row["id"], row["kind_title"], row["location"], row["order_number"]) == (
            fire.pk,
            "火警",
            "3栋地下车库",
            fire.order.number,
        )
        assert row["reported_at"] and row["may_open"] is may_open, user.username


# --- the taps -------------------------------------------------------------------------------------


def test_em1_em2_the_guard_taps_acknowledge_then_on_site_through_the_page(
    fire, duty, office
) -> None:
    guard = browser_for(duty.night_guard)
    html = guard.get(page(fire)).content.decode()
    assert 'id="tap-acknowledge"' in html and 'id="tap-check-in"' in html
    assert 'id="tap-resolve"' not in html  # the office head's
    assert status_of(html, duty.night_guard.username) == "called"
    assert "已通知" in html and "收到" in html and "已到场" in html

    duty.clock.at = T_NIGHT + timedelta(seconds=40)
    r = guard.post(page(fire), {"action": "acknowledge"})
    assert (r.status_code, r["Location"]) == (302, page(fire))
    me = responder(fire, duty.night_guard)
    assert (me.acknowledged_at, me.arrived_at, me.next_repeat_at) == (
        T_NIGHT + timedelta(seconds=40),
        None,
        None,
    )
    html = guard.get(page(fire)).content.decode()
    assert "已收到" in html  # the message, and my line
    assert 'id="tap-acknowledge"' not in html and 'id="tap-check-in"' in html
    assert status_of(html, duty.night_guard.username) == "acknowledged"

    duty.clock.at = T_NIGHT + timedelta(minutes=3)
    r = guard.post(page(fire), {"action": "check_in"})
    assert (r.status_code, r["Location"]) == (302, page(fire))
    me.refresh_from_db()
    assert me.arrived_at == T_NIGHT + timedelta(minutes=3)
    clock = Clock.objects.get(order=fire.order, rule_id="EM-2", subject=str(duty.night_guard.pk))
    assert (clock.state, clock.met_at) == ("met", T_NIGHT + timedelta(minutes=3))
    html = guard.get(page(fire)).content.decode()
    assert 'id="tap-check-in"' not in html
    # The office head's page (its fragment) shows it without a reload.
    head_view = browser_for(office.head).get(fragment(fire)).content.decode()
    assert status_of(head_view, duty.night_guard.username) == "arrived"
    assert status_of(head_view, office.head.username) == "called"


def test_em2_arriving_straight_away_also_acknowledges(fire, duty) -> None:
    duty.clock.at = T_NIGHT + timedelta(minutes=1)
    r = browser_for(duty.night_guard).post(page(fire), {"action": "check_in"})
    assert r.status_code == 302
    me = responder(fire, duty.night_guard)
    assert me.acknowledged_at == me.arrived_at == T_NIGHT + timedelta(minutes=1)


def test_em2_a_responder_not_on_site_after_5_minutes_shows_late(fire, duty, office) -> None:
    duty.clock.at = T_NIGHT + timedelta(minutes=4, seconds=59)
    html = browser_for(office.head).get(fragment(fire)).content.decode()
    assert status_of(html, duty.night_guard.username) == "called"
    assert 'data-rule="EM-2"' in html  # the countdown chip
    duty.clock.at = T_NIGHT + timedelta(minutes=5, seconds=1)
    html = browser_for(office.head).get(fragment(fire)).content.decode()
    assert status_of(html, duty.night_guard.username) == "late"
    assert "超时" in html
    # Arriving late is on site, and still late.
    browser_for(duty.night_guard).post(page(fire), {"action": "check_in"})
    html = browser_for(office.head).get(fragment(fire)).content.decode()
    assert status_of(html, duty.night_guard.username) == "arrived"
    assert 'class="tag late"' in html


def test_a_failed_tap_shows_the_error_on_the_page_and_changes_nothing(fire, duty, office) -> None:
    guard = browser_for(duty.night_guard)
    guard.post(page(fire), {"action": "acknowledge"})
    before = responder(fire, duty.night_guard).acknowledged_at
    duty.clock.at = T_NIGHT + timedelta(minutes=1)
    # A second phone still showing 收到 (or a double tap) is told, not counted twice.
    r = guard.post(page(fire), {"action": "acknowledge"})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="tap-error"' in html and "您已点过“收到”" in html
    assert responder(fire, duty.night_guard).acknowledged_at == before
    # The front desk was not called: its tap is refused with the reason.
    r = browser_for(office.receptionist).post(page(fire), {"action": "check_in"})
    assert r.status_code == 400 and 'id="tap-error"' in r.content.decode()
    assert not Responder.objects.filter(emergency=fire, arrived_at__isnull=False).exists()


def test_the_office_head_resolves_with_a_required_note(fire, duty, office) -> None:
    head = browser_for(office.head)
    html = head.get(page(fire)).content.decode()
    assert 'id="tap-resolve"' in html and "处置完毕" in html
    desk_html = browser_for(office.receptionist).get(page(fire)).content.decode()
    assert 'id="tap-resolve"' not in desk_html
    duty.clock.at = T_NIGHT + timedelta(minutes=15)
    r = head.post(page(fire), {"action": "resolve", "note": "  "})
    assert r.status_code == 400
    assert "请写明处理经过" in r.content.decode()  # beside the note
    fire.refresh_from_db()
    assert (fire.state, fire.resolution) == (EmergencyState.OPEN, "")
    assert not IncidentReport.objects.exists()
    r = head.post(page(fire), {"action": "resolve", "note": "明火已扑灭，无人员受伤"})
    assert (r.status_code, r["Location"]) == (302, page(fire))
    fire.refresh_from_db()
    assert (fire.state, fire.resolved_at, fire.resolution) == (
        EmergencyState.RESOLVED,
        T_NIGHT + timedelta(minutes=15),
        "明火已扑灭，无人员受伤",
    )
    html = head.get(page(fire)).content.decode()
    assert 'id="emergency-resolved"' in html and "明火已扑灭" in html
    assert 'id="tap-resolve"' not in html and 'id="tap-acknowledge"' not in html
    assert reverse("desk-incident", args=[fire.pk]) in html  # the report is ready
    # Over: the guard's page offers no taps any more.
    guard_html = browser_for(duty.night_guard).get(page(fire)).content.decode()
    assert 'id="tap-check-in"' not in guard_html


# --- EM-3: the report fills from the taps ------------------------------------------------------


def test_em3_taps_on_the_page_prefill_the_incident_report(fire, duty, office) -> None:
    guard, head = browser_for(duty.night_guard), browser_for(office.head)
    duty.clock.at = T_NIGHT + timedelta(seconds=20)
    guard.post(page(fire), {"action": "acknowledge"})
    duty.clock.at = T_NIGHT + timedelta(seconds=45)
    head.post(page(fire), {"action": "acknowledge"})
    duty.clock.at = T_NIGHT + timedelta(minutes=4)
    guard.post(page(fire), {"action": "check_in"})
    duty.clock.at = T_NIGHT + timedelta(minutes=30)
    head.post(page(fire), {"action": "resolve", "note": "已扑灭"})
    entries = [(e.at - T_NIGHT, e.what, e.person) for e in report_timeline(fire)]
    guard_name, head_name = str(duty.night_guard), str(office.head)
    assert (timedelta(seconds=20), "acknowledged", guard_name) in entries
    assert (timedelta(seconds=45), "acknowledged", head_name) in entries
    assert (timedelta(minutes=4), "arrived", guard_name) in entries
    assert entries[-1] == (timedelta(minutes=30), "resolved", head_name)
    # And on the report's page the office completes.
    html = head.get(reverse("desk-incident", args=[fire.pk])).content.decode()
    assert "00:30:20" in html and "00:34:00" in html and guard_name in html


# --- the form and the order page ------------------------------------------------------------------


def test_em1_the_form_has_no_default_kind_and_keeps_what_was_typed(duty, office) -> None:
    desk = browser_for(office.receptionist)
    html = desk.get(reverse("emergency-new")).content.decode()
    assert '<option value="" selected>请选择</option>' in html
    assert "⚠" in html and 'class="alarm"' in html
    r = desk.post(
        reverse("emergency-new"),
        {
            "community": office.community.pk,
            "kind": "",
            "location": "5栋电梯",
            "description": "浓烟",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "请选择紧急事件类型" in html
    assert 'value="5栋电梯"' in html and "浓烟" in html
    assert not Emergency.objects.exists()


def test_em1_logging_lands_on_the_new_emergency_page(duty, office) -> None:
    duty.clock.at = T_NIGHT
    r = browser_for(office.receptionist).post(
        reverse("emergency-new"),
        {"community": office.community.pk, "kind": "fire", "location": "5栋电梯"},
    )
    emergency = Emergency.objects.get()
    assert (r.status_code, r["Location"]) == (302, page(emergency))
    html = browser_for(office.receptionist).get(r["Location"]).content.decode()
    assert "人" in html and duty.night_guard.name in html  # who was called


def test_an_emergency_is_its_own_kind_on_every_screen(fire, duty, office, open_order) -> None:
    open_order(
        kind="complaint", complaint_type="written", description="电梯噪音", by=office.receptionist
    )
    head = browser_for(office.head)
    cid = office.community.pk
    board = head.get(reverse("desk-board", args=[cid])).content.decode()
    queue = head.get(reverse("desk-queue", args=[cid])).content.decode()
    order = head.get(reverse("desk-order", args=[fire.order_id])).content.decode()
    for html in (board, order):
        assert "紧急事件" in html
        assert "投诉 · 紧急事件" not in html
    assert "投诉 · 紧急事件" not in queue
    assert "投诉 · 书面投诉" in board + queue  # a complaint keeps its type
    # The order page of an emergency leads to its emergency page.
    assert f'id="emergency-link" href="{page(fire)}"' in order
    api = browser_for(office.head).get(f"/api/work-orders/{fire.order_id}/").json()
    assert api["kind_display"] == "紧急事件"


def test_the_responders_fragment_reads_in_a_fixed_number_of_queries(
    duty, office, django_assert_num_queries
) -> None:
    """Polled every 3 s by each open page: its cost does not grow with the people called."""
    for i in range(5):
        extra = f.UserFactory(username=f"a-guard-{i}", roles=[(office.community, "team_member")])
        DutyShift.objects.create(
            team=duty.security,
            user=extra,
            starts_at=T_NIGHT - timedelta(hours=1),
            ends_at=T_NIGHT + timedelta(hours=1),
        )
    fire = duty.log("fire", at=T_NIGHT)
    assert fire.responders.count() == 8
    head = browser_for(office.head)
    head.get(fragment(fire))
    # The session, the user with their roles, the emergency, its responders, their EM-2 clocks.
    with django_assert_num_queries(5):
        r = head.get(fragment(fire))
    assert r.content.decode().count('data-rule="EM-2"') == 8


def test_an_empty_emergency_submit_shows_what_is_missing_and_logs_nothing(office) -> None:
    r = browser_for(office.receptionist).post(reverse("emergency-new"), {})
    assert r.status_code == 400
    assert "errorlist" in r.content.decode()
    assert not Emergency.objects.exists()


def test_em1_the_desks_one_community_stays_chosen_even_after_an_empty_submit(office) -> None:
    """A front desk of one community has nothing to choose: the form names it, with no empty
    choice, before and after a submit that missed the kind."""
    desk = browser_for(office.receptionist)
    name = office.community.name
    for r in (desk.get(reverse("emergency-new")), desk.post(reverse("emergency-new"), {})):
        html = r.content.decode()
        select = html[html.index('name="community"') : html.index("</select>")]
        assert f'<option value="{office.community.pk}" selected>{name}</option>' in select
        assert select.count("<option") == 1 and "---------" not in html


def test_em1_a_desk_of_two_communities_chooses_one_in_words(office) -> None:
    """Staff of two communities choose where: the empty choice says 请选择, not dashes."""
    other = f.CommunityFactory(company=office.community.company, name="翠湖苑")
    Membership.objects.create(user=office.receptionist, community=other, role="receptionist")
    html = browser_for(office.receptionist).get(reverse("emergency-new")).content.decode()
    select = html[html.index('name="community"') : html.index("</select>")]
    assert '<option value="" selected>请选择</option>' in select
    assert "翠湖苑" in select and office.community.name in select
    assert "---------" not in html


def test_em2_each_responders_arrival_clock_names_them_on_the_board_and_the_order(
    fire, duty, office
) -> None:
    """EM-2 runs one 5分钟内到场 clock per person called: the board's row and the order page
    name whose each one is, not the same words three times."""
    people = [r.user for r in fire.responders.select_related("user")]
    assert len(people) >= 2
    head = browser_for(office.head)
    board = head.get(reverse("desk-board", args=[office.community.pk])).content.decode()
    order = head.get(reverse("desk-order", args=[fire.order_id])).content.decode()
    for html in (board, order):
        for user in people:
            assert f"5分钟内到场 · {user.name or user.username}" in html


def test_em3_the_emergency_orders_bar_offers_no_complaint_steps(fire, duty, office) -> None:
    """EM-1..3: an emergency's order has no owner to answer, no 跟踪回访, no weekly call and no
    回访; handled, its bar offers closing it (and handing it on), nothing of a complaint's."""
    from propdesk.incidents.services import emergency_resolve

    head = browser_for(office.head)
    url = reverse("desk-order", args=[fire.order_id])
    complaint_steps = ("action-reply", "action-follow_up", "action-contact_owner", "action-flag")
    open_html = head.get(url).content.decode()
    for step in (*complaint_steps, "action-resolve", "action-accept"):
        assert f'id="{step}"' not in open_html, step
    emergency_resolve(
        emergency_id=fire.pk, by=office.head, now=T_NIGHT + timedelta(minutes=8), note="已扑灭"
    )
    handled = head.get(url).content.decode()
    for step in (*complaint_steps, "action-reopen"):
        assert f'id="{step}"' not in handled, step
    assert 'id="action-close"' in handled
    assert reverse("desk-visit-new", args=[office.community.pk]) not in handled


def test_em1_the_orders_timeline_says_whom_each_notice_went_to(fire, duty, office) -> None:
    """EM-1: the emergency's order lists each responder notified by name (已通知处置人员：王…),
    not the same line three times with only who logged it."""
    html = browser_for(office.head).get(reverse("desk-order", args=[fire.order_id])).content
    text = html.decode()
    for r in fire.responders.select_related("user"):
        assert f"：{r.user.name}" in text, r.user.name
