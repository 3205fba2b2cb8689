"""The phone system's webhook (FD-1): a signed event is recorded; an unsigned, badly signed,
stale or replayed one is refused with a structured error and nothing changes. Real HTTP through
Django's test client, the exact bytes signed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from propdesk.calls.models import Call, CallEvent
from propdesk.calls.services import phone_system_set, sign

URL = "/api/calls/events/"
SECRET = "s3cret-of-the-pbx"


@pytest.fixture
def pbx(office):  # type: ignore[no-untyped-def]
    return phone_system_set(community=office.community, secret=SECRET)


def body(**kw: Any) -> bytes:
    data = {
        "id": "evt-1",
        "call": "1700000000.1",
        "type": "ringing",
        "at": "2026-11-26T10:00:00+08:00",
        "phone": "13812345678",
        "line": "88881234",
        **kw,
    }
    return json.dumps(data).encode()


def post(community_id: int, raw: bytes, headers: dict[str, str]) -> Any:
    return Client().post(
        f"{URL}?community={community_id}",
        raw,
        content_type="application/json",
        headers=headers,
    )


def signed(raw: bytes, ts: float, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(ts))
    return {"X-Propdesk-Timestamp": stamp, "X-Propdesk-Signature": sign(secret, stamp, raw)}


def nothing_recorded() -> bool:
    return not Call.objects.exists() and not CallEvent.objects.exists()


def test_fd1_a_signed_event_is_recorded(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    raw = body()
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert r.status_code == 202, r.content
    call = Call.objects.get()
    assert r.json() == {"call": call.pk, "state": "ringing", "ring_seconds": None, "callback": None}
    assert (call.phone, call.line) == ("13812345678", "88881234")
    raw2 = body(id="evt-2", type="answered", at="2026-11-26T10:00:15+08:00", extension="801")
    r = post(office.community.pk, raw2, signed(raw2, clock.now().timestamp()))
    assert r.json()["ring_seconds"] == 15.0


def test_webhook_refuses_an_unsigned_event(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    r = post(office.community.pk, body(), {})
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unsigned"
    assert nothing_recorded()


def test_webhook_refuses_a_badly_signed_event(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    raw = body()
    headers = signed(raw, clock.now().timestamp(), secret="not-the-secret")
    r = post(office.community.pk, raw, headers)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_signature")
    # The body changed after signing: refused as well.
    headers = signed(raw, clock.now().timestamp())
    r = post(office.community.pk, body(phone="13900000000"), headers)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_signature")
    assert nothing_recorded()


def test_webhook_refuses_another_communitys_secret(office, other_office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    phone_system_set(community=other_office.community, secret="the-other-secret")
    raw = body()
    r = post(other_office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_signature")
    r = post(987654, raw, signed(raw, clock.now().timestamp()))
    assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_signature")
    assert nothing_recorded()


@pytest.mark.parametrize("skew", [300, -300])
def test_webhook_takes_an_event_at_the_edge_of_the_5_minute_window(
    office, pbx, clock, skew
) -> None:  # type: ignore[no-untyped-def]
    raw = body()
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp() + skew))
    assert r.status_code == 202


@pytest.mark.parametrize("skew", [301, -301])
def test_webhook_refuses_a_stale_event(office, pbx, clock, skew) -> None:  # type: ignore[no-untyped-def]
    raw = body()
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp() + skew))
    assert (r.status_code, r.json()["error"]["code"]) == (401, "stale")
    assert nothing_recorded()


def test_webhook_refuses_a_replayed_event(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    raw = body()
    assert post(office.community.pk, raw, signed(raw, clock.now().timestamp())).status_code == 202
    clock.advance(seconds=5)
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert (r.status_code, r.json()["error"]["code"]) == (409, "replayed")
    assert CallEvent.objects.count() == 1


def test_webhook_names_each_bad_field(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    raw = body(id="", type="rang", phone="12345", at="2026-11-26T10:00:00")
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"id", "type", "phone", "at"}
    assert nothing_recorded()
    raw = body(at="2026-13-45T10:00:00+08:00")
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert (r.status_code, list(r.json()["error"]["fields"])) == (400, ["at"])
    raw = b"[not json"
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert (r.status_code, r.json()["error"]["code"]) == (400, "parse_error")


def test_webhook_answers_what_an_outsider_sends_unsigned_with_a_401_not_a_500(
    office, pbx, clock
) -> None:  # type: ignore[no-untyped-def]
    """Anyone on the network can reach the webhook: a signature header with non-ASCII characters
    and a community number past the database's range were 500s (TypeError, OverflowError)."""
    raw = body()
    stamp = str(int(clock.now().timestamp()))
    c = Client(raise_request_exception=False)
    for community, signature in (
        (str(office.community.pk), "\u00e9" * 64),
        ("99999999999999999999999", sign(SECRET, stamp, raw)),
        ("١", sign(SECRET, stamp, raw)),  # an Arabic-Indic 1, which int() would take
    ):
        r = c.post(
            f"{URL}?community={community}",
            raw,
            content_type="application/json",
            headers={"X-Propdesk-Timestamp": stamp, "X-Propdesk-Signature": signature},
        )
        assert (r.status_code, r.json()["error"]["code"]) == (401, "bad_signature"), community
    assert nothing_recorded()


@pytest.mark.parametrize("stamp", ["nan", "inf", "-inf"])
def test_webhook_refuses_a_timestamp_that_is_no_time(office, pbx, clock, stamp) -> None:  # type: ignore[no-untyped-def]
    """ "nan" passed the 5-minute window (every comparison with it is false): a signed event
    with it could be replayed forever under new event ids' cover."""
    raw = body()
    headers = {"X-Propdesk-Timestamp": stamp, "X-Propdesk-Signature": sign(SECRET, stamp, raw)}
    r = post(office.community.pk, raw, headers)
    assert (r.status_code, r.json()["error"]["code"]) == (401, "stale")
    assert nothing_recorded()


def test_webhook_refuses_an_oversize_body_unread_with_a_structured_413(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    """An event is a few hundred bytes; a 70 KB one is refused before the signature is even
    checked, in the API's error shape (it was read whole up to 25 MB, then an HTML 400)."""
    raw = body(phone="1" * 70_000)
    r = post(office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "too_large"
    assert nothing_recorded()


def test_webhook_answers_a_signed_but_malformed_event_with_a_400_not_a_500(
    office, pbx, clock
) -> None:  # type: ignore[no-untyped-def]
    """What a broken phone system could sign: JSON nested past Python's recursion limit, a time
    past the last the database holds, a NUL in an id (PostgreSQL refuses it in text)."""
    c = Client(raise_request_exception=False)
    cases = [
        (b"[" * 5_000 + b"]" * 5_000, "parse_error", None),
        (body(at="9999-12-31T23:59:59-12:00"), "validation_error", ["at"]),
        (body(id="evt\u0000-1"), "validation_error", ["id"]),
        (body(extension="80\u00001"), "validation_error", ["extension"]),
    ]
    for raw, code, fields in cases:
        r = c.post(
            f"{URL}?community={office.community.pk}",
            raw,
            content_type="application/json",
            headers=signed(raw, clock.now().timestamp()),
        )
        assert r.status_code == 400, raw[:60]
        error = r.json()["error"]
        assert error["code"] == code
        if fields is not None:
            assert list(error["fields"]) == fields
    assert nothing_recorded()


def test_webhook_is_not_a_session_door(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    """No CSRF token needed (a phone system has none), and a staff session does not sign."""
    c = Client(enforce_csrf_checks=True)
    c.force_login(office.head)
    raw = body()
    r = c.post(
        f"{URL}?community={office.community.pk}",
        raw,
        content_type="application/json",
        headers=signed(raw, clock.now().timestamp()),
    )
    assert r.status_code == 202
    r = c.post(
        f"{URL}?community={office.community.pk}", body(id="e2"), content_type="application/json"
    )
    assert r.status_code == 401
    assert CallEvent.objects.count() == 1


def test_fd1_a_missed_call_through_the_webhook_answers_its_callback(office, pbx, clock) -> None:  # type: ignore[no-untyped-def]
    for kind, at in (("ringing", "10:00:00"), ("missed", "10:00:30")):
        raw = body(id=f"e-{kind}", type=kind, at=f"2026-11-26T{at}+08:00")
        r = post(office.community.pk, raw, signed(raw, clock.now().timestamp()))
    assert r.json()["state"] == "missed" and r.json()["callback"] is not None
