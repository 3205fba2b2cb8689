"""Issue 12, no 500 from any input: schemathesis over every operation of docs/openapi.yaml,
called in-process through the Django WSGI app with each role's API token (and with none).
Seeded (derandomized) and bounded (a few schema-valid and a few schema-breaking examples per
operation and role), so it adds well under a minute to a database run. A server error, or an
answer whose status, content type or body the schema does not describe, fails the test, and
every such finding is listed, not only the first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from propdesk.community.models import User
from propdesk.community.tokens import api_token_issue
from propdesk.core.clock import get_clock
from propdesk.desk.models import Contact, WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.incidents.services import emergency_log
from propdesk.notify.models import Notification
from tests import factories as f
from tests.conftest import Office, client_for

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 4}
# Each example goes to two of the eight callers in turn, shifted by one per operation: every role
# calls every operation twice, with valid data on some and broken data on others. An
# operation on one object also gets one valid call on a real object of the office, from every role;
# one that names its community in the query, one valid call about the office's community (a random
# id is another's or none, 404: the list's own answer, and its shape, would go unread).
PER_EXAMPLE = 2
# These two revoke tokens: run them last, then issue the tokens again.
REVOKING = {"auth_token_destroy", "staff_revoke_tokens_create"}


def _people(office: Office) -> dict[str, User | None]:
    concierge = f.UserFactory(username="fz-concierge", roles=[(office.community, "concierge")])
    boss = f.UserFactory(username="fz-boss", company=office.community.company, is_leadership=True)
    return {
        "anonymous": None,
        "receptionist": office.receptionist,
        "administrator": office.administrator,
        "office_head": office.head,
        "team_leader": office.repair_leader,
        "team_member": office.repair_member,
        "concierge": concierge,
        "leadership": boss,
    }


def _headers(people: dict[str, User | None]) -> dict[str, dict[str, str]]:
    now = get_clock().now()
    out: dict[str, dict[str, str]] = {}
    for role, user in people.items():
        out[role] = (
            {}
            if user is None
            else {"Authorization": f"Token {api_token_issue(user=user, now=now).key}"}
        )
    return out


def _real_ids(office: Office) -> dict[str, int]:
    """Objects of the office's community, so that some calls reach past the 404: the first path
    segment after /api/ → an id."""
    now = get_clock().now()
    order = work_order_create(
        community=office.community,
        by=office.receptionist,
        now=now,
        draft=WorkOrderDraft(
            kind="repair", description="厨房水龙头漏水", household=office.household
        ),
    )
    emergency = emergency_log(
        community=office.community, by=office.receptionist, now=now, kind="fire", location="3栋"
    )
    told = Notification.objects.filter(recipient=office.head).order_by("pk").first()
    assert told is not None
    return {
        "work-orders": order.pk,
        "emergencies": emergency.pk,
        "communities": office.community.pk,
        "households": office.household.pk,
        "residents": office.household.residents.get().pk,
        "teams": office.repair.pk,
        "staff": office.repair_member.pk,
        "notifications": told.pk,
    }


def _takes_community(operation: Any) -> bool:
    """Whether the operation names its community in the query (``?community=``)."""
    parameters = operation.definition.raw.get("parameters", [])
    return any(p.get("in") == "query" and p.get("name") == "community" for p in parameters)


def _run(
    operation: Any,
    mode: GenerationMode,
    call: Callable[[Any], list[str]],
    examples: int,
    **fixed: Any,
) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    def explore(case: Any) -> None:
        found.extend(call(case))

    try:
        explore()
    except Unsatisfiable:  # nothing can break this operation's schema (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE
    return found


@pytest.mark.django_db(transaction=True)
def test_no_operation_answers_a_server_error_or_off_schema(clock, office, other_office) -> None:
    """(The clock first: the staff's password stamps and their tokens on the same clock.)"""
    schema = schemathesis.openapi.from_path(SCHEMA)
    app = get_wsgi_application()
    real = _real_ids(office)
    people = _people(office)
    headers = _headers(people)
    findings: list[str] = []

    sent = {"n": 0, "offset": 0, "all": 0}
    answered: set[str] = set()  # the roles that got a 2xx at least once

    def call(case: Any) -> list[str]:
        out = []
        roles = list(headers)
        first = sent["n"] * PER_EXAMPLE + sent["offset"]
        sent["n"] += 1
        for i in range(first, first + (len(roles) if sent["all"] else PER_EXAMPLE)):
            role = roles[i % len(roles)]
            response = case.call(app=app, headers=headers[role])
            if response.status_code < 300:
                answered.add(role)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers[role])
            except FailureGroup as exc:  # each finding is collected, then all are shown
                lines = [str(e).strip().splitlines()[0] for e in exc.exceptions]
                lines += [repr(getattr(e, "schema_path", "")) for e in exc.exceptions]
                lines += [repr(getattr(e, "instance_path", "")) for e in exc.exceptions]
                lines += str(exc).strip().splitlines()[-14:]
                out.append(f"{role} {case.method} {case.formatted_path}: " + "\n    ".join(lines))
        return out

    operations = [op.ok() for op in schema.get_all_operations()]
    operations.sort(key=lambda op: op.definition.raw.get("operationId") in REVOKING)
    assert len(operations) > 50
    for index, operation in enumerate(operations):
        sent.update(n=0, offset=index, all=0)
        segment = operation.path.split("/")[2]
        real_id = real.get(segment) if "{id}" in operation.path else None
        for mode, examples in EXAMPLES.items():
            if real_id is not None and mode is GenerationMode.POSITIVE:
                examples -= 1  # one of them on a real object, below
            findings.extend(_run(operation, mode, call, examples))
        if real_id is not None:  # valid data on a real object, from every role
            sent.update(all=1)
            findings.extend(
                _run(operation, GenerationMode.POSITIVE, call, 1, path_parameters={"id": real_id})
            )
        elif _takes_community(operation):  # valid data about the office's community, every role
            sent.update(all=1)
            own = {"community": office.community.pk}
            findings.extend(_run(operation, GenerationMode.POSITIVE, call, 1, query=own))
        if operation.definition.raw.get("operationId") in REVOKING:
            headers = _headers(people)
    assert answered == set(people) - {"anonymous"}, "a token that never worked"
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)


@pytest.mark.django_db
def test_an_api_path_that_matches_no_route_answers_the_json_error(office) -> None:
    for path in ("/api/work-orders/abc/", "/api/work-orders/-1/", "/api/nothing-here/"):
        r = client_for(office.head).get(path)
        assert r.status_code == 404 and r["Content-Type"] == "application/json"
        assert r.json()["error"]["code"] == "not_found"
    page = Client().get("/desk/nothing-here/")  # the console keeps its HTML page
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_filter_over_2_to_the_63_is_a_structured_400(office) -> None:
    """Found by the fuzz run (SQLite: OverflowError, a 500)."""
    c = client_for(office.head)
    for path in ("/api/emergencies/", "/api/work-orders/", "/api/notifications/"):
        r = c.get(path, {"community": str(2**63)})
        assert r.status_code == 400, path
        assert r.json()["error"]["fields"] == {"community": ["请填写整数。"]}
    assert c.get("/api/emergencies/", {"community": str(2**63 - 1)}).status_code == 200


@pytest.mark.django_db
def test_a_body_without_a_content_type_is_the_documented_structured_415(office) -> None:
    """Found by the deep fuzz run (a PATCH whose Content-Type was lost): DRF's 415, which the
    schema did not list. Every operation that reads a body documents it, and nothing changes."""
    schema = yaml.safe_load(SCHEMA.read_text())
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                assert "415" in operation["responses"], f"{method.upper()} {path}"
    c = client_for(office.head)
    channels = f"/api/notifications/channels/?community={office.community.pk}"
    before = c.get(channels).json()
    r = c.generic("PATCH", channels, b'{"email": false}', content_type="")
    assert r.status_code == 415 and r["Content-Type"] == "application/json"
    assert r.json()["error"]["code"] == "unsupported_media_type"
    assert c.get(channels).json() == before
    r = c.generic("POST", "/api/work-orders/", b"kind=repair", content_type="")
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
    assert not WorkOrder.objects.exists()


@pytest.mark.django_db
def test_the_last_day_of_the_calendar_searched_for_is_no_500(office) -> None:
    """Found by the deep fuzz run: 查找工单 read 9999-12-31 as a day and asked for the orders
    before the day after it (OverflowError, a 500), in the API and on the console's page."""
    r = client_for(office.head).get(
        "/api/work-orders/", {"q": "9999-12-31", "community": office.community.pk}
    )
    assert r.status_code == 200 and r.json()["results"] == []
    web = Client()
    web.force_login(office.head)
    assert web.get(f"/desk/{office.community.pk}/orders/", {"q": "9999-12-31"}).status_code == 200


@pytest.mark.django_db
def test_read_all_of_a_community_over_2_to_the_63_is_a_structured_400(clock, office) -> None:
    """Found by the deep fuzz run (SQLite: OverflowError, a 500); nothing is marked read."""
    c = client_for(office.head)
    unread = Notification.objects.filter(recipient=office.head, read_at__isnull=True).count()
    r = c.post("/api/notifications/read-all/", {"community": 10**30}, format="json")
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["community"]
    assert (
        Notification.objects.filter(recipient=office.head, read_at__isnull=True).count() == unread
    )


@pytest.mark.django_db
@pytest.mark.parametrize("at", ["0001-01-01", "0001-01-01T00:00:00", "0001-01-01T07:59:59"])
def test_a_time_before_year_1_in_utc_is_a_structured_400(clock, office, at) -> None:
    """Found by the deep fuzz run: DRF placed 0001-01-01 at midnight in Shanghai and overflowed
    (OverflowError, a 500) on every body's date and time; now the field's own error, nothing
    written."""
    body = {
        "community": office.community.pk,
        "channel": "phone",
        "intent": "consultation",
        "content": "问停水时间",
        "outcome": "resolved",
        "resolution": "已告知",
        "received_at": at,
    }
    r = client_for(office.receptionist).post("/api/contacts/", body, format="json")
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["received_at"]
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_return_visits_kind_that_is_no_kind_is_a_structured_400(office) -> None:
    """Found by the deep fuzz run on PostgreSQL: ``?kind=a%00b`` reached the database (a 500)."""
    c = client_for(office.head)
    for kind in ("a\x00b", "nothing"):
        r = c.get("/api/return-visits/", {"community": office.community.pk, "kind": kind})
        assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["kind"], kind
    r = c.get("/api/return-visits/", {"community": office.community.pk, "kind": "monthly"})
    assert r.status_code == 200
