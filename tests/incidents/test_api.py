"""The emergencies API end to end, from logging an emergency to a filed report, and its
forbidden doors: another community, a non-responder, a non-leader."""

from __future__ import annotations

from datetime import timedelta

import pytest

from propdesk.incidents.models import IncidentReport, Responder
from propdesk.incidents.services import emergencies_repeat
from propdesk.notify.models import Notification
from tests import factories as f
from tests.conftest import client_for
from tests.incidents.conftest import T_NIGHT

BASE = "/api/emergencies/"


def test_em1_em2_em3_from_logging_to_a_filed_report_over_http(duty, office) -> None:
    clock = duty.clock
    clock.at = T_NIGHT
    front = client_for(office.receptionist)
    kinds = front.get("/api/emergency-kinds/", {"community": office.community.pk}).json()
    assert {"code": "fire", "title": "火警", "departments": ["security", "repair"]} in kinds
    r = front.post(
        BASE,
        {"community": office.community.pk, "kind": "fire", "location": "3栋地下车库"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    eid = body["id"]
    assert body["kind_title"] == "火警" and body["state"] == "open"
    who = {x["user"]["username"]: x for x in body["responders"]}
    assert set(who) == {"a-head", "a-night-guard", "a-repair-leader"}
    assert {x["clock"]["seconds_left"] for x in who.values()} == {300}
    # The outbox: one emergency row per responder, in the app, written with the emergency.
    rows = Notification.objects.filter(cause=f"emergency:{eid}")
    assert sorted(rows.values_list("recipient__username", "channel", "kind", "state")) == [
        ("a-head", "in_app", "emergency", "pending"),
        ("a-night-guard", "in_app", "emergency", "pending"),
        ("a-repair-leader", "in_app", "emergency", "pending"),
    ]
    guard = client_for(duty.night_guard)
    mine = guard.get("/api/notifications/").json()["results"]
    assert mine[0]["kind"] == "emergency" and mine[0]["payload"]["emergency"] == eid

    clock.at = T_NIGHT + timedelta(seconds=20)
    assert client_for(office.head).post(f"{BASE}{eid}/acknowledge/").status_code == 200
    clock.at = T_NIGHT + timedelta(minutes=3)
    r = guard.post(f"{BASE}{eid}/check-in/")
    assert r.status_code == 200
    mine = {x["user"]["username"]: x for x in r.json()["responders"]}["a-night-guard"]
    assert mine["clock"]["state"] == "met" and mine["arrived_at"] is not None
    leader = {x["user"]["username"]: x for x in r.json()["responders"]}["a-repair-leader"]
    assert leader["clock"]["seconds_left"] == 120

    clock.at = T_NIGHT + timedelta(minutes=30)
    head = client_for(office.head)
    r = head.post(f"{BASE}{eid}/resolve/", {"note": "明火已扑灭"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "resolved"
    report = head.get(f"{BASE}{eid}/report/").json()
    assert report["state"] == "draft"
    assert report["timeline"][0]["what"] == "reported"
    assert report["timeline"][-1]["what"] == "resolved"
    r = head.patch(
        f"{BASE}{eid}/report/",
        {"version": report["version"], "cause_analysis": "电线老化", "measures": "断电、灭火"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["cause_analysis"] == "电线老化"
    assert head.post(f"{BASE}{eid}/report/submit/").status_code == 200
    boss = client_for(duty.boss)
    r = boss.post(f"{BASE}{eid}/report/return/", {"comment": "补充损失"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "returned"
    version = r.json()["version"]
    r = head.patch(
        f"{BASE}{eid}/report/", {"version": version, "losses": "约2000元"}, format="json"
    )
    assert r.status_code == 200
    assert head.post(f"{BASE}{eid}/report/submit/").status_code == 200
    r = boss.post(f"{BASE}{eid}/report/approve/", {"comment": "同意"}, format="json")
    assert r.status_code == 200
    filed = r.json()
    assert (filed["state"], filed["filed"]) == ("approved", True)
    assert [a["action"] for a in filed["approvals"]] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    # Filed: read-only for everybody.
    r = head.patch(
        f"{BASE}{eid}/report/", {"version": filed["version"], "losses": "改"}, format="json"
    )
    assert (r.status_code, r.json()["error"]["code"]) == (409, "filed")
    assert (
        boss.post(f"{BASE}{eid}/report/return/", {"comment": "x"}, format="json").status_code == 409
    )
    assert IncidentReport.objects.get().losses == "约2000元"
    pdf = boss.get(f"{BASE}{eid}/report/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert head.get(BASE, {"community": office.community.pk}).json()["results"][0]["state"] == (
        "closed"
    )


@pytest.fixture
def logged(duty, office):
    duty.clock.at = T_NIGHT
    return duty.log("fire", at=T_NIGHT)


def test_another_community_sees_nothing_and_touches_nothing(logged, other_office) -> None:
    stranger = client_for(other_office.head)
    assert stranger.get(BASE).json()["results"] == []
    for path in ("", "report/", "report/pdf/"):
        assert stranger.get(f"{BASE}{logged.pk}/{path}").status_code == 404
    for path in ("acknowledge/", "check-in/", "resolve/", "report/submit/"):
        assert stranger.post(f"{BASE}{logged.pk}/{path}", {"note": "x"}).status_code == 404
    r = stranger.post(
        BASE, {"community": logged.community_id, "kind": "fire", "location": "x"}, format="json"
    )
    assert r.status_code == 404
    logged.refresh_from_db()
    assert logged.state == "open"
    assert not Responder.objects.filter(emergency=logged, acknowledged_at__isnull=False).exists()


def test_only_a_responder_acknowledges_or_checks_in_for_themselves(logged, duty, office) -> None:
    for user in (duty.day_guard, office.receptionist, duty.boss):
        c = client_for(user)
        assert c.post(f"{BASE}{logged.pk}/check-in/").status_code == 403
        r = c.post(f"{BASE}{logged.pk}/acknowledge/")
        assert (r.status_code, r.json()["error"]["code"]) == (403, "not_responder")
    assert not Responder.objects.filter(emergency=logged, acknowledged_at__isnull=False).exists()
    assert not Responder.objects.filter(user=duty.day_guard).exists()
    r = client_for(duty.night_guard).post(f"{BASE}{logged.pk}/acknowledge/")
    acked = {x["user"]["username"] for x in r.json()["responders"] if x["acknowledged_at"]}
    assert acked == {"a-night-guard"}


def test_only_the_head_submits_and_only_leadership_approves(logged, duty, office) -> None:
    head = client_for(office.head)
    head.post(f"{BASE}{logged.pk}/resolve/", {"note": "处理完毕"}, format="json")
    version = head.get(f"{BASE}{logged.pk}/report/").json()["version"]
    head.patch(
        f"{BASE}{logged.pk}/report/",
        {"version": version, "cause_analysis": "原因", "measures": "措施"},
        format="json",
    )
    assert (
        client_for(office.administrator).post(f"{BASE}{logged.pk}/report/submit/").status_code
        == 403
    )
    assert head.post(f"{BASE}{logged.pk}/report/submit/").status_code == 200
    for user in (office.head, office.administrator, duty.security_leader):
        r = client_for(user).post(f"{BASE}{logged.pk}/report/approve/")
        assert r.status_code == 403
    assert IncidentReport.objects.get().state == "submitted"


def test_bad_input_is_a_field_error_and_writes_nothing(duty, office) -> None:
    r = client_for(office.receptionist).post(
        BASE, {"community": office.community.pk, "kind": "meteor"}, format="json"
    )
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"kind", "location"}
    assert not Notification.objects.exists()


def test_the_worker_tick_runs_the_repeat(logged) -> None:
    from propdesk.core.jobs import registered_jobs

    assert "incidents.repeat" in registered_jobs()
    assert registered_jobs()["incidents.repeat"](T_NIGHT + timedelta(seconds=60)) == 3
    assert emergencies_repeat(now=T_NIGHT + timedelta(seconds=60)).repeats == 0


def test_the_report_and_its_pdf_are_the_offices_and_leaderships_only(logged, duty, office) -> None:
    """Issue 12: the API refuses the report to whoever the console refuses it (team leaders and
    members, a guard called to the scene, a concierge): 403 with a structured error, nothing of
    the report in the answer; the office and leadership read it."""
    head = client_for(office.head)
    head.post(f"{BASE}{logged.pk}/resolve/", {"note": "处理完毕"}, format="json")
    version = head.get(f"{BASE}{logged.pk}/report/").json()["version"]
    head.patch(
        f"{BASE}{logged.pk}/report/",
        {"version": version, "cause_analysis": "电线老化起火"},
        format="json",
    )
    concierge = f.UserFactory(username="a-concierge", roles=[(office.community, "concierge")])
    before = IncidentReport.objects.values().get()
    for user in (duty.night_guard, duty.security_leader, office.repair_member, concierge):
        c = client_for(user)
        for path in ("report/", "report/pdf/"):
            r = c.get(f"{BASE}{logged.pk}/{path}")
            assert r.status_code == 403, (user.username, path)
            assert r["Content-Type"] == "application/json"
            assert r.json()["error"]["code"] == "forbidden"
            assert "电线老化" not in r.content.decode()
        r = c.patch(
            f"{BASE}{logged.pk}/report/", {"version": version, "losses": "x"}, format="json"
        )
        assert r.status_code == 403
    assert IncidentReport.objects.values().get() == before
    for user in (office.head, office.administrator, office.receptionist, duty.boss):
        c = client_for(user)
        r = c.get(f"{BASE}{logged.pk}/report/")
        assert r.status_code == 200 and r.json()["cause_analysis"] == "电线老化起火"
        pdf = c.get(f"{BASE}{logged.pk}/report/pdf/")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_another_communitys_report_is_not_found_for_its_office_too(logged, office, other_office):
    client_for(office.head).post(f"{BASE}{logged.pk}/resolve/", {"note": "x"}, format="json")
    for user in (other_office.head, other_office.repair_member):
        c = client_for(user)
        for path in ("report/", "report/pdf/"):
            assert c.get(f"{BASE}{logged.pk}/{path}").status_code == 404
