"""The REST API as an integrator uses it: token auth, structured errors, filters, timeline,
transitions as their own actions, attachments, and pinned query counts."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from propdesk.core.pdf import qr_matrix
from propdesk.desk.models import Attachment, WorkOrder
from tests.conftest import Office, client_for
from tests.pdfs import page_count, pages, pdf_text, qr_cells


def create(c: APIClient, office: Office, **kw) -> dict:
    body = {
        "community": office.community.pk,
        "kind": "repair",
        "description": "楼道灯不亮",
        "household": office.household.pk,
        **kw,
    }
    r = c.post("/api/work-orders/", body, format="json")
    assert r.status_code == 201, r.json()
    return r.json()


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return buf.getvalue()


def test_token_auth_and_anonymous_refused(office, clock) -> None:
    anonymous = APIClient()
    r = anonymous.get("/api/work-orders/")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "not_authenticated"
    token = Token.objects.create(user=office.receptionist)
    c = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert c.get("/api/work-orders/").status_code == 200


def test_token_is_obtained_with_username_and_password(office) -> None:
    r = APIClient().post(
        "/api/auth/token/",
        {"username": office.receptionist.username, "password": "pw-123456!"},
        format="json",
    )
    assert r.status_code == 200 and len(r.json()["token"]) == 40
    r = APIClient().post(
        "/api/auth/token/",
        {"username": office.receptionist.username, "password": "wrong"},
        format="json",
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "validation_error"


def test_fd6_create_list_detail_and_each_transition(office, clock) -> None:
    c = client_for(office.receptionist)
    order = create(c, office)
    assert order["number"] == "GD-20261126-0001"
    # A repair goes straight to the repair team's pool: nobody has it yet.
    assert (order["state"], order["team"]["id"], order["assignee"]) == (
        "dispatched",
        office.repair.pk,
        None,
    )
    leader = client_for(office.repair_leader)
    r = leader.post(
        f"/api/work-orders/{order['id']}/assign/",
        {"version": 1, "assignee": office.repair_member.pk},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["assignee"]["id"] == office.repair_member.pk
    assert r.json()["state"] == "dispatched"
    member = client_for(office.repair_member)
    for action, version, note in [
        ("accept", 2, ""),
        ("check-in", 3, ""),
        ("resolve", 4, "已更换灯泡"),
    ]:
        r = member.post(
            f"/api/work-orders/{order['id']}/{action}/",
            {"version": version, "note": note},
            format="json",
        )
        assert r.status_code == 200, r.json()
    detail = c.get(f"/api/work-orders/{order['id']}/").json()
    assert detail["state"] == "resolved" and detail["state_display"]
    assert [e["action"] for e in detail["events"]] == [
        "create",
        "assign",
        "accept",
        "check_in",
        "resolve",
    ]
    # A repair's return visit is RV-6's 回访 (POST /api/return-visits/), not 跟踪回访 on the order.
    assert detail["actions"] == ["reply", "contact_owner"]
    listed = c.get("/api/work-orders/", {"state": "resolved"}).json()
    assert [o["id"] for o in listed["results"]] == [order["id"]]
    assert c.get("/api/work-orders/", {"open": "1"}).json()["count"] == 0
    # What the receptionist was offered on the new order: not 接单 of an order waiting in the
    # team's pool (accepting it would leave it accepted with nobody on it, and meet DS-1-take and
    # FD-6), nor 转单/退单 of an order nobody has; it is dispatched to someone or taken by the
    # team (抢单). A repair may be marked urgent (急修, issue 16) later.
    assert order["actions"] == [
        "reply",
        "dispatch",
        "contact_owner",
        "flag",
        "mark_urgent",
        "cancel",
    ]


def test_bad_input_gets_field_errors_never_a_500(office, clock) -> None:
    c = client_for(office.receptionist)
    r = c.post(
        "/api/work-orders/",
        {"community": office.community.pk, "kind": "rocket", "description": ""},
        format="json",
    )
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "validation_error"
    assert set(err["fields"]) == {"kind"}
    r = c.post(
        "/api/work-orders/",
        {
            "community": office.community.pk,
            "kind": "repair",
            "description": " ",
            "reporter_phone": "12",
        },
        format="json",
    )
    assert set(r.json()["error"]["fields"]) == {"description", "location", "reporter_phone"}
    r = c.post("/api/contacts/", {"community": "x", "channel": "fax"}, format="json")
    assert r.status_code == 400
    assert {"community", "channel", "intent", "content", "outcome"} <= set(
        r.json()["error"]["fields"]
    )
    r = c.post("/api/contacts/", "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "parse_error"
    r = c.get("/api/work-orders/", {"state": "nonsense"})
    assert r.status_code == 400 and "state" in r.json()["error"]["fields"]
    r = c.get("/api/work-orders/", {"community": "abc"})
    assert r.status_code == 400
    assert WorkOrder.objects.count() == 0


def test_contact_errors_name_the_nested_work_order_field(office, clock) -> None:
    c = client_for(office.receptionist)
    r = c.post(
        "/api/contacts/",
        {
            "community": office.community.pk,
            "channel": "phone",
            "caller_phone": "13812345678",
            "intent": "repair",
            "content": "漏水",
            "outcome": "work_order",
            "work_orders": [
                {"kind": "repair", "description": "漏水"},
                {"kind": "repair", "description": ""},
            ],
        },
        format="json",
    )
    assert r.status_code == 400
    assert "work_orders[1].description" in r.json()["error"]["fields"]
    assert WorkOrder.objects.count() == 0


def test_errors_speak_the_users_language(office, clock) -> None:
    c = client_for(office.receptionist)
    body = {
        "community": office.community.pk,
        "channel": "phone",
        "caller_phone": "12",
        "intent": "repair",
        "content": "x",
        "outcome": "resolved",
        "resolution": "y",
    }
    zh = c.post("/api/contacts/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    en = c.post("/api/contacts/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.json()["error"]["message"] == "请修改标出的字段。"
    assert en.json()["error"]["message"] == "Please correct the marked fields."


def test_stale_transition_is_a_409_with_a_clear_message(office, clock) -> None:
    c = client_for(office.receptionist)
    order = create(c, office)
    assert (
        c.post(
            f"/api/work-orders/{order['id']}/dispatch/", {"version": 1}, format="json"
        ).status_code
        == 200
    )
    r = client_for(office.head).post(
        f"/api/work-orders/{order['id']}/cancel/", {"version": 1, "note": "重复"}, format="json"
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "stale"
    assert WorkOrder.objects.get().state == "dispatched"


def test_transition_by_a_role_not_allowed_is_403(office, clock) -> None:
    order = create(client_for(office.receptionist), office)
    r = client_for(office.repair_leader).post(
        f"/api/work-orders/{order['id']}/dispatch/", {"version": 1}, format="json"
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "role_not_allowed"


def test_attachments_check_type_by_content_and_size(office, clock, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    c = client_for(office.receptionist)
    order = create(c, office)
    url = f"/api/work-orders/{order['id']}/attachments/"
    photo = io.BytesIO(png_bytes())
    photo.name = "现场.png"
    r = c.post(url, {"file": photo, "kind": "photo"}, format="multipart")
    assert r.status_code == 201, r.json()
    assert r.json()["content_type"] == "image/png"
    fake = io.BytesIO(b"MZ\x90\x00 this is an exe")
    fake.name = "photo.jpg"
    r = c.post(url, {"file": fake}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["error"]["fields"]
    settings.ATTACHMENT_MAX_BYTES = 10
    big = io.BytesIO(png_bytes())
    big.name = "big.png"
    r = c.post(url, {"file": big}, format="multipart")
    assert r.status_code == 400 and "file" in r.json()["error"]["fields"]
    assert Attachment.objects.count() == 1
    detail = c.get(f"/api/work-orders/{order['id']}/").json()
    assert [a["original_name"] for a in detail["attachments"]] == ["现场.png"]
    assert detail["events"][-1]["action"] == "attach"


def test_households_and_residents_search_by_phone_or_room(office, other_office) -> None:
    c = client_for(office.receptionist)
    r = c.get("/api/households/", {"q": "3-2-1502"}).json()
    assert [h["id"] for h in r["results"]] == [office.household.pk]
    assert r["results"][0]["residents"][0]["phone_display"] == "13812345678"
    r = c.get("/api/households/", {"q": "1381234"}).json()
    assert [h["id"] for h in r["results"]] == [office.household.pk]
    r = c.get("/api/residents/", {"phone": "138 1234"}).json()
    assert [x["name"] for x in r["results"]] == ["张伟"]


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_count_does_not_grow_with_rows(
    office, clock, n, django_assert_max_num_queries
) -> None:
    c = client_for(office.receptionist)
    for _ in range(n):
        create(c, office)
    with CaptureQueriesContext(connection) as ctx:
        r = c.get("/api/work-orders/", {"community": office.community.pk, "open": "1"})
    assert r.json()["count"] == n
    # auth roles, count, page (joined): the same few queries for 3 rows or 30.
    assert len(ctx.captured_queries) <= 4, [q["sql"] for q in ctx.captured_queries]


def test_detail_and_contact_list_query_counts_are_pinned(office, clock) -> None:
    c = client_for(office.receptionist)
    order = create(c, office)
    for _ in range(5):
        c.post(
            f"/api/work-orders/{order['id']}/attachments/",
            {"file": io.BytesIO(png_bytes()), "kind": "photo"},
            format="multipart",
        )
    with CaptureQueriesContext(connection) as ctx:
        c.get(f"/api/work-orders/{order['id']}/")
    detail_queries = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        c.get("/api/contacts/")
    assert detail_queries <= 6, [q["sql"] for q in ctx.captured_queries]
    assert len(ctx.captured_queries) <= 5


@pytest.mark.parametrize(
    "extra",
    [
        {},  # a repair: straight to the repair team's pool, its leader told (DS-1, FD-6)
        {"kind": "complaint", "complaint_type": "written"},  # CP-1, CP-3: the head told
        {"kind": "housekeeping", "appointment_at": "2026-11-27T15:00:00+08:00"},
        {"kind": "consultation", "household": None, "location": "3号楼大堂"},
    ],
)
def test_create_answers_what_reading_the_order_gives(office, clock, extra) -> None:
    """The 201 of a create is built from what the create wrote, not read back: it must be
    exactly the order as GET /api/work-orders/<id>/ shows it to the same user."""
    c = client_for(office.receptionist)
    created = create(c, office, **extra)
    read = c.get(f"/api/work-orders/{created['id']}/").json()
    assert created == read


def test_create_query_count_is_pinned(office, clock) -> None:
    c = client_for(office.receptionist)
    create(c, office)  # warm: the day's sequence row exists from now on
    with CaptureQueriesContext(connection) as ctx:
        create(c, office)
    # community, household, then in one transaction: team, number, policy version, order,
    # the engine's input (for the what-if replay), clocks and their log (2), event, who is told
    # (the team, on duty, users, their roles and teams, the notification cap), and the new
    # order's clocks for the answer.
    assert len(ctx.captured_queries) <= 22, [q["sql"][:120] for q in ctx.captured_queries]


def test_schema_and_docs_are_served_without_a_cdn(office) -> None:
    c = client_for(office.receptionist)
    schema = c.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/work-orders/{id}/check-in/" in schema.content
    docs = c.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode().lower()
    # Every script, style and image comes from this server; no CDN host is named anywhere.
    # (A bare "cdn" substring is no test: the page's random CSRF token may contain it.)
    assets = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    assert not re.search(r"//[a-z0-9.-]*(cdn|unpkg|jsdelivr)", html)
    assert "unpkg" not in html


def test_the_printable_work_order_is_a_pdf_whose_qr_opens_the_job_page(office, clock) -> None:
    order = create(client_for(office.receptionist), office)
    c = client_for(office.repair_leader)  # a team member prints their own team's order

    r = c.get(f"/api/work-orders/{order['id']}/pdf/")

    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == f'inline; filename="{order["number"]}.pdf"'
    assert page_count(r.content) == 1
    text = pdf_text(r.content)
    assert all(w in text for w in (order["number"], "3-2-1502", "楼道灯不亮", "维修班"))
    assert f"打印人：{office.repair_leader}" in text
    (page,) = pages(r.content)
    url = f"http://testserver/desk/jobs/{order['id']}/"  # the technician's phone page
    dark = {(r, c) for r, row in enumerate(qr_matrix(url)) for c, on in enumerate(row) if on}
    assert qr_cells(page)[0] == dark


def test_the_printable_work_order_of_another_community_is_not_found(
    office, other_office, clock
) -> None:
    theirs = create(client_for(other_office.receptionist), other_office)

    r = client_for(office.head).get(f"/api/work-orders/{theirs['id']}/pdf/")

    assert (r.status_code, r.json()["error"]["code"]) == (404, "not_found")
    assert client_for(office.head).get("/api/work-orders/999999/pdf/").status_code == 404
    assert APIClient().get(f"/api/work-orders/{theirs['id']}/pdf/").status_code == 401


def test_ds1_the_api_takes_exactly_what_the_console_takes(office, clock) -> None:
    """A member takes a repair from the pool (抢单) and completes it with materials and fee;
    a field an action does not take is refused by name, and nothing changes."""
    order = create(client_for(office.receptionist), office)
    desk = client_for(office.receptionist).get(f"/api/work-orders/{order['id']}/").json()
    # Nobody has it yet: the office may send it on, not accept, transfer or give it back.
    assert not {"accept", "transfer", "return", "claim"} & set(desk["actions"])
    member = client_for(office.repair_member)
    claimed = member.post(f"/api/work-orders/{order['id']}/claim/", {"version": 1}, format="json")
    assert claimed.status_code == 200
    refused = member.post(
        f"/api/work-orders/{order['id']}/check-in/",
        {"version": 2, "materials": "阀芯"},
        format="json",
    )
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"materials"}
    assert WorkOrder.objects.get(pk=order["id"]).state == "accepted"
    done = member.post(
        f"/api/work-orders/{order['id']}/resolve/",
        {"version": 2, "note": "更换阀芯", "materials": "阀芯 1 个", "fee": "45.00"},
        format="json",
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["state"], body["materials"], body["fee_charged"]) == (
        "resolved",
        "阀芯 1 个",
        "45.00",
    )
