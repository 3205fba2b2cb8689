"""The follow-up API through the HTTP client, with the forbidden doors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from propdesk.desk.models import ReplyChannel
from propdesk.followup.models import (
    STAFF_VISIT_CHANNELS,
    CommonIssue,
    ItemKind,
    Level,
    ReturnVisit,
    SuggestionItem,
    VisitKind,
    VisitOutcome,
)
from propdesk.followup.services import ItemDraft
from tests.conftest import client_for
from tests.followup.conftest import sh
from tests.images import PNG

T0 = sh(2026, 11, 26, 10, 0)
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


def test_rv6_call_list_and_visit_through_the_api(loop, office):
    order = loop.at(T0).resolved("repair")
    c = client_for(office.receptionist)
    r = c.get("/api/return-visits/call-list/", {"community": office.community.pk})
    assert r.status_code == 200
    assert [row["order_id"] for row in r.json()] == [order.pk]
    r = c.post(
        "/api/return-visits/",
        {
            "community": office.community.pk,
            "kind": "order",
            "order": order.pk,
            "level": "very_satisfied",
            "opinion": "师傅很专业",
            "items": [{"kind": "suggestion", "text": "希望提供上门时间短信提醒"}],
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["level"], body["order_number"], len(body["items"])) == (
        "very_satisfied",
        order.number,
        1,
    )
    r = c.get("/api/return-visits/", {"community": office.community.pk, "month": "2026-11"})
    assert r.json()["count"] == 1


def test_rv6_bad_input_is_a_field_error_and_writes_nothing(loop, office):
    order = loop.at(T0).resolved("repair")
    r = client_for(office.receptionist).post(
        "/api/return-visits/",
        {"community": office.community.pk, "kind": "order", "order": order.pk, "level": "meh"},
        format="json",
    )
    assert r.status_code == 400
    assert "level" in r.json()["error"]["fields"]
    assert ReturnVisit.objects.count() == 0


def test_the_schema_names_each_choice_a_return_visit_takes_and_the_api_refuses_others(loop, office):
    """The OpenAPI file lists the values (an integrator's client is generated from it), and a
    value outside them is a field error that writes nothing, whichever field it is in."""
    schema = yaml.safe_load(SCHEMA.read_text())["components"]["schemas"]

    def values(prop: dict) -> set[str]:
        refs = [prop.get("$ref")] + [p["$ref"] for p in prop.get("allOf", prop.get("oneOf", []))]
        found: set[str] = set()
        for ref in filter(None, refs):
            found |= set(schema[ref.rsplit("/", 1)[1]]["enum"])
        return found - {""}

    visit = schema["ReturnVisitInRequest"]["properties"]
    assert values(visit["kind"]) == set(VisitKind.values)
    assert values(visit["channel"]) == set(STAFF_VISIT_CHANNELS)
    assert values(visit["outcome"]) == set(VisitOutcome.values)
    assert values(visit["level"]) == set(Level.values)
    assert values(schema["SuggestionInRequest"]["properties"]["kind"]) == set(ItemKind.values)
    assert values(schema["ReplyInRequest"]["properties"]["channel"]) == set(ReplyChannel.values)

    order = loop.at(T0).resolved("repair")
    good = {"community": office.community.pk, "kind": "order", "order": order.pk}
    c = client_for(office.receptionist)
    for field, bad in [("kind", "weekly"), ("channel", "portal"), ("outcome", "maybe")]:
        r = c.post("/api/return-visits/", {**good, field: bad, "level": "satisfied"}, format="json")
        assert r.status_code == 400, field
        assert field in r.json()["error"]["fields"]
    assert ReturnVisit.objects.count() == 0


def test_rv3_major_complaint_by_administrator_is_403(loop, office):
    order = loop.at(T0).resolved("complaint", is_important=True)
    r = client_for(office.administrator).post(
        "/api/return-visits/",
        {
            "community": office.community.pk,
            "kind": "complaint",
            "order": order.pk,
            "level": "satisfied",
        },
        format="json",
    )
    assert (r.status_code, r.json()["error"]["code"]) == (403, "head_only")
    assert ReturnVisit.objects.count() == 0


def test_other_community_is_404_and_wrong_role_403(loop, office, other_office):
    order = loop.at(T0).resolved("repair")
    loop.visit(order=order)
    outsider = client_for(other_office.head)
    assert (
        outsider.get("/api/return-visits/", {"community": office.community.pk}).status_code == 404
    )
    visit = ReturnVisit.objects.get()
    assert outsider.get(f"/api/return-visits/{visit.pk}/").status_code == 404
    r = outsider.post(
        "/api/return-visits/",
        {
            "community": office.community.pk,
            "kind": "order",
            "order": order.pk,
            "level": "satisfied",
        },
        format="json",
    )
    assert r.status_code == 404
    member = client_for(office.repair_member)
    assert member.get("/api/return-visits/", {"community": office.community.pk}).status_code == 403
    # The figures are the office head's, administrators' and leadership's (issue 12).
    r = client_for(office.administrator).get(
        "/api/satisfaction/", {"community": office.community.pk, "month": "2026-11"}
    )
    assert r.status_code == 200
    r = client_for(office.receptionist).get(
        "/api/satisfaction/", {"community": office.community.pk, "month": "2026-11"}
    )
    assert r.status_code == 403
    r = client_for(office.repair_leader).get(
        "/api/satisfaction/", {"community": office.community.pk, "month": "2026-11"}
    )
    assert r.status_code == 403
    assert ReturnVisit.objects.count() == 1


def test_rv5_suggestion_reply_through_the_api(loop, office, other_office):
    c = client_for(office.receptionist)
    r = c.post(
        "/api/suggestions/",
        {
            "community": office.community.pk,
            "kind": "suggestion",
            "text": "增设快递柜",
            "household": office.household.pk,
        },
        format="json",
    )
    assert r.status_code == 201
    item_id = r.json()["id"]
    assert (
        client_for(other_office.head)
        .post(f"/api/suggestions/{item_id}/reply/", {"reply": "x", "channel": "phone"})
        .status_code
        == 404
    )
    loop.clock.advance(days=1)
    [row] = c.get("/api/suggestions/", {"community": office.community.pk}).json()
    assert (row["item"]["id"], row["age_days"]) == (item_id, 1)
    r = c.post(f"/api/suggestions/{item_id}/reply/", {"reply": "已联系快递公司", "channel": "sms"})
    assert r.status_code == 200 and r.json()["state"] == "replied"
    assert c.get("/api/suggestions/", {"community": office.community.pk}).json() == []
    assert SuggestionItem.objects.get().reply == "已联系快递公司"


def test_rv7_issue_notice_post_pdf_and_board(loop, office, other_office):
    loop.at(T0)
    items = []
    for i, text in enumerate(
        ["电梯经常停运", "电梯又坏了停运", "电梯老是停运", "电梯故障停运", "电梯停运"]
    ):
        h = loop.household(f"3-1-{300 + i}")
        items.append(
            SuggestionItem.objects.create(
                community=office.community,
                kind="opinion",
                text=text,
                household=h,
                building=h.unit.building,
                created_by=office.receptionist,
                created_at=T0,
            )
        )
    admin = client_for(office.administrator)
    [proposal] = admin.get(
        "/api/common-issues/proposals/", {"community": office.community.pk}
    ).json()
    assert sorted(proposal["item_ids"]) == [i.pk for i in items]
    r = admin.post(
        "/api/common-issues/",
        {"community": office.community.pk, "title": "电梯停运", "items": proposal["item_ids"]},
        format="json",
    )
    assert r.status_code == 201, r.json()
    issue_id = r.json()["id"]
    assert (
        client_for(office.receptionist)
        .post(
            "/api/common-issues/",
            {"community": office.community.pk, "title": "x", "items": proposal["item_ids"]},
            format="json",
        )
        .status_code
        == 403
    )
    r = admin.post(
        "/api/notices/",
        {
            "community": office.community.pk,
            "title": "电梯检修通知",
            "body": "本周六检修。",
            "common_issue": issue_id,
        },
        format="json",
    )
    assert r.status_code == 201
    notice_id = r.json()["id"]
    pdf = admin.get(f"/api/notices/{notice_id}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    board = client_for(office.repair_member)
    assert board.get("/api/notices/board/", {"community": office.community.pk}).json() == []
    r = admin.post(
        f"/api/notices/{notice_id}/post/",
        {"photo": SimpleUploadedFile("b.png", PNG, content_type="image/png")},
        format="multipart",
    )
    assert r.status_code == 200, r.json()
    assert [
        n["id"] for n in board.get("/api/notices/board/", {"community": office.community.pk}).json()
    ] == [notice_id]
    assert CommonIssue.objects.get().state == "notice_posted"
    assert client_for(other_office.head).get(f"/api/notices/{notice_id}/pdf/").status_code == 404


def test_rv8_home_visit_through_the_api(loop, office):
    loop.at(T0)
    head = client_for(office.head)
    r = head.post(
        "/api/home-visits/",
        {
            "community": office.community.pk,
            "administrator": office.administrator.pk,
            "households": [office.household.pk],
            "due_at": (T0 + timedelta(days=2)).isoformat(),
            "reason": "楼上漏水",
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    r = client_for(office.administrator).post(
        f"/api/home-visits/{r.json()['id']}/done/", {"notes": "已协调"}
    )
    assert r.json()["state"] == "done"


def test_rv2_satisfaction_figures_for_bi(loop, office):
    order = loop.at(T0).resolved("repair")
    loop.visit(order=order, level="dissatisfied", opinion="还在漏水")
    r = client_for(office.head).get(
        "/api/satisfaction/", {"community": office.community.pk, "month": "2026-11"}
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["levels"]["answered"], body["levels"]["rate"], body["no_answers"]) == (
        1,
        "0.0",
        False,
    )
    assert len(body["trend"]) == 12 and body["trend"][-1]["month"] == "2026-11"
    assert body["by_team"][0]["name"] == "维修班"
    assert body["turned"] == {"opened": 1, "turned": 0, "awaiting": 1}
    empty = (
        client_for(office.head)
        .get("/api/satisfaction/", {"community": office.community.pk, "month": "2026-10"})
        .json()
    )
    assert (empty["levels"]["rate"], empty["no_answers"], empty["return_visit_rate"]) == (
        None,
        True,
        None,
    )
    [rec] = (
        client_for(office.head)
        .get("/api/recoveries/", {"community": office.community.pk})
        .json()["results"]
    )
    assert rec["owner_words"] == "还在漏水"
    bad = client_for(office.head).get(
        "/api/satisfaction/", {"community": office.community.pk, "month": "11/2026"}
    )
    assert bad.status_code == 400


def test_list_selectors_take_a_fixed_number_of_queries(loop, office, django_assert_max_num_queries):
    loop.at(T0)
    for _ in range(3):
        order = loop.resolved("repair")
        loop.visit(order=order, items=(ItemDraft("opinion", "好"),))
    c = client_for(office.receptionist)
    with django_assert_max_num_queries(8):
        r = c.get("/api/return-visits/", {"community": office.community.pk})
    assert r.json()["count"] == 3
