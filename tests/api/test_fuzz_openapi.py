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
from django.core.wsgi import get_wsgi_application
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
from tests import factories as f
from tests.conftest import Office

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 2}
# Each example goes to two of the eight callers, the pairs shifted by one per operation: every
# role calls every operation once, with valid data on some operations and broken on others.
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


def _run(operation: Any, mode: GenerationMode, call: Callable[[Any], list[str]]) -> list[str]:
    found: list[str] = []

    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def explore(case: Any) -> None:
        found.extend(call(case))

    try:
        explore()
    except Unsatisfiable:  # nothing can break this operation's schema (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE
    return found


@pytest.mark.django_db(transaction=True)
def test_no_operation_answers_a_server_error_or_off_schema(office, other_office) -> None:
    schema = schemathesis.openapi.from_path(SCHEMA)
    app = get_wsgi_application()
    people = _people(office)
    headers = _headers(people)
    findings: list[str] = []

    sent = {"n": 0, "offset": 0}

    def call(case: Any) -> list[str]:
        out = []
        roles = list(headers)
        first = sent["n"] * PER_EXAMPLE + sent["offset"]
        sent["n"] += 1
        for i in range(first, first + PER_EXAMPLE):
            role = roles[i % len(roles)]
            response = case.call(app=app, headers=headers[role])
            try:
                case.validate_response(response, checks=CHECKS, headers=headers[role])
            except FailureGroup as exc:  # each finding is collected, then all are shown
                lines = [str(e).strip().splitlines()[0] for e in exc.exceptions]
                lines += str(exc).strip().splitlines()[-14:]
                out.append(f"{role} {case.method} {case.formatted_path}: " + "\n    ".join(lines))
        return out

    operations = [op.ok() for op in schema.get_all_operations()]
    operations.sort(key=lambda op: op.definition.raw.get("operationId") in REVOKING)
    assert len(operations) > 50
    for index, operation in enumerate(operations):
        sent.update(n=0, offset=index)
        for mode in EXAMPLES:
            findings.extend(_run(operation, mode, call))
        if operation.definition.raw.get("operationId") in REVOKING:
            headers = _headers(people)
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)
