"""The notifications API: my inbox (newest first, unread count), marking read, my channels;
the office head's failed deliveries. Another's notification answers 404, like a missing one."""

from __future__ import annotations

from propdesk.notify.models import Notification, NotificationPreference
from tests.conftest import client_for
from tests.notify.helpers import endpoint, notify


def inbox_of(office, other_office, clock):
    notify(office, [office.head, office.receptionist], clock, cause="c:1", title="第一条")
    clock.advance(minutes=1)
    notify(office, [office.head], clock, cause="c:2", title="第二条")
    clock.advance(minutes=1)
    notify(other_office, [other_office.head], clock, cause="c:3", title="别处的")
    return Notification.objects.get(recipient=office.head, cause="c:1")


def test_my_notifications_newest_first_with_unread_count(
    office, other_office, clock, django_assert_num_queries
):
    inbox_of(office, other_office, clock)
    c = client_for(office.head)
    with django_assert_num_queries(4):  # memberships, unread count, page count, page
        r = c.get("/api/notifications/")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert [n["title"] for n in body["results"]] == ["第二条", "第一条"]
    assert body["unread"] == 2 and body["count"] == 2
    assert body["results"][0]["community_name"] == "锦绣花园"
    assert body["results"][0]["unread"] is True


def test_mark_one_read_then_all(office, other_office, clock):
    first = inbox_of(office, other_office, clock)
    c = client_for(office.head)
    r = c.post(f"/api/notifications/{first.pk}/read/")
    assert r.status_code == 200, r.json()
    assert r.json()["read_at"] is not None and r.json()["unread"] is False
    assert c.get("/api/notifications/").json()["unread"] == 1
    clock.advance(minutes=5)
    again = c.post(f"/api/notifications/{first.pk}/read/").json()
    assert again["read_at"] == r.json()["read_at"]  # read once, at the first time
    r = c.post("/api/notifications/read-all/", {}, format="json")
    assert r.json() == {"marked": 1, "unread": 0}
    assert c.get("/api/notifications/?unread=1").json()["count"] == 0
    # Nobody else's were touched.
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_another_users_notification_is_not_found_and_stays_unread(office, other_office, clock):
    first = inbox_of(office, other_office, clock)
    for user in (office.receptionist, other_office.head):
        c = client_for(user)
        assert c.get(f"/api/notifications/{first.pk}/").status_code == 404
        r = c.post(f"/api/notifications/{first.pk}/read/")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"
    assert c.post("/api/notifications/999999/read/").status_code == 404
    first.refresh_from_db()
    assert first.read_at is None
    other = client_for(other_office.head).get("/api/notifications/").json()
    assert [n["title"] for n in other["results"]] == ["别处的"]


def test_anonymous_gets_401(api):
    assert api.get("/api/notifications/").status_code == 401


def test_my_channels(office, clock):
    office.receptionist.email = "r@jinxiu.example"
    office.receptionist.save()
    c = client_for(office.receptionist)
    assert c.get("/api/notifications/channels/").json() == {
        "in_app": True,
        "email": True,
        "sms": False,
        "email_address": "r@jinxiu.example",
        "phone": "",
    }
    r = c.patch("/api/notifications/channels/", {"email": False, "sms": True}, format="json")
    assert r.status_code == 200, r.json()
    assert (r.json()["email"], r.json()["sms"]) == (False, True)
    pref = NotificationPreference.objects.get(user=office.receptionist)
    assert (pref.email, pref.sms) == (False, True)
    r = c.patch("/api/notifications/channels/", {"email": "perhaps"}, format="json")
    assert r.status_code == 400 and "email" in r.json()["error"]["fields"]
    pref.refresh_from_db()
    assert (pref.email, pref.sms) == (False, True)


def failed_row(office, clock) -> Notification:
    e = endpoint(office, "generic")
    return Notification.objects.create(
        community=office.community,
        endpoint=e,
        channel="webhook",
        cause="c:9",
        kind="clock_escalation",
        title="失败的",
        dedupe_key=f"c:9:e{e.pk}:webhook",
        state="failed",
        attempts=8,
        last_error="HTTP 503: unavailable",
        created_at=clock.now(),
    )


def test_the_office_head_lists_failed_deliveries_and_retries_one(
    office, other_office, clock, django_assert_num_queries
):
    row = failed_row(office, clock)
    failed_row(other_office, clock)
    c = client_for(office.head)
    with django_assert_num_queries(3):  # memberships, count, page (with recipient and endpoint)
        r = c.get(f"/api/notifications/failed/?community={office.community.pk}")
    assert r.status_code == 200, r.json()
    [item] = r.json()["results"]
    assert (item["id"], item["attempts"], item["last_error"]) == (
        row.pk,
        8,
        "HTTP 503: unavailable",
    )
    assert item["endpoint"]["kind"] == "generic"
    clock.advance(hours=1)
    r = c.post(f"/api/notifications/failed/{row.pk}/retry/")
    assert r.status_code == 200, r.json()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.next_attempt_at) == ("pending", 0, None)


def test_failed_deliveries_are_the_office_heads_only(office, other_office, clock):
    row = failed_row(office, clock)
    url = f"/api/notifications/failed/?community={office.community.pk}"
    r = client_for(office.receptionist).get(url)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert client_for(other_office.head).get(url).status_code == 404  # not their community
    assert client_for(office.head).get("/api/notifications/failed/").status_code == 400
    for user in (office.receptionist, other_office.head):
        r = client_for(user).post(f"/api/notifications/failed/{row.pk}/retry/")
        assert r.status_code == 404
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("failed", 8)


def _digest_of_head(office, clock, n: int = 3):
    """The head over the cap (20 in the window), then ``n`` folded into the summary."""
    for i in range(20):
        notify(office, [office.head], clock, cause=f"own:{i}")
    for i in range(n):
        notify(
            office,
            [office.head],
            clock,
            cause=f"c:{i}",
            title=f"第{i}条",
            payload={"order": i, "url": f"/desk/orders/{i}/"},
        )
    return Notification.objects.get(recipient=office.head, kind="digest")


def test_a_summary_lists_its_items_in_payload_items(
    office, other_office, clock, django_assert_num_queries
):
    """Issue 12/15: the items are rows now; payload keeps its shape (count and items)."""
    digest = _digest_of_head(office, clock)
    c = client_for(office.head)
    with django_assert_num_queries(5):  # memberships, unread count, page count, page, items
        r = c.get("/api/notifications/")
    assert r.status_code == 200, r.json()
    row = next(n for n in r.json()["results"] if n["id"] == digest.pk)
    assert row["kind"] == "digest"
    assert row["payload"]["count"] == 3
    assert [i["cause"] for i in row["payload"]["items"]] == ["c:0", "c:1", "c:2"]
    assert row["payload"]["items"][1] == {
        "cause": "c:1",
        "kind": "clock_escalation",
        "title": "第1条",
        "payload": {"order": 1, "url": "/desk/orders/1/"},
        "created_at": row["payload"]["items"][1]["created_at"],
    }
    detail = c.get(f"/api/notifications/{digest.pk}/").json()
    assert detail["payload"] == row["payload"]
    # Other notifications keep their own payload, without items.
    own = next(n for n in r.json()["results"] if n["cause"] == "own:0")
    assert own["payload"] == {"order": 1}


def test_another_users_summary_is_not_found(office, other_office, clock):
    digest = _digest_of_head(office, clock)
    for user in (office.receptionist, office.administrator, other_office.head):
        c = client_for(user)
        assert c.get(f"/api/notifications/{digest.pk}/").status_code == 404
        listed = c.get("/api/notifications/").json()["results"]
        assert all(n["id"] != digest.pk for n in listed)
        assert c.post(f"/api/notifications/{digest.pk}/read/").status_code == 404
    digest.refresh_from_db()
    assert digest.read_at is None


def test_every_item_of_a_summary_page_by_page(office, other_office, clock):
    """Every fold is kept; payload.items shows the first 200, /items/ pages through them all."""
    office.community.policy = {"notify_cap": {"per_person": 1, "window_minutes": 60}}
    office.community.save(update_fields=["policy"])
    notify(office, [office.head], clock, cause="own:0")
    for i in range(230):
        notify(office, [office.head], clock, cause=f"c:{i}", title=f"第{i}条")
    digest = Notification.objects.get(recipient=office.head, kind="digest")
    c = client_for(office.head)
    body = c.get(f"/api/notifications/{digest.pk}/").json()
    assert body["payload"]["count"] == 230 and len(body["payload"]["items"]) == 200
    first = c.get(f"/api/notifications/{digest.pk}/items/?page_size=200").json()
    assert first["count"] == 230 and len(first["results"]) == 200
    last = c.get(first["next"]).json()
    assert [i["cause"] for i in last["results"]] == [f"c:{i}" for i in range(200, 230)]
    assert last["results"][-1]["title"] == "第229条" and last["next"] is None
    # Another kind has no items; another person's summary is not found.
    own = Notification.objects.get(recipient=office.head, cause="own:0")
    assert c.get(f"/api/notifications/{own.pk}/items/").json()["count"] == 0
    for user in (office.administrator, other_office.head):
        r = client_for(user).get(f"/api/notifications/{digest.pk}/items/")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
