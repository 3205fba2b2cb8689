"""A JSON body nested past Python's recursion limit (3,000 ``[`` then 3,000 ``]``) is a bad body
like any other: 400 ``parse_error`` in the API's error shape, never the HTML 500 page, on every
operation of docs/openapi.yaml that reads a JSON body, signed in or not, and nothing changes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from propdesk.desk.models import WorkOrder
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
DEEP = b"[" * 3000 + b"]" * 3000
PARSE_ERROR = {
    "error": {"code": "parse_error", "message": "JSON 解析错误：嵌套层数过多。"},
}


def json_operations() -> list[tuple[str, str]]:
    paths: dict[str, Any] = yaml.safe_load(SCHEMA.read_text())["paths"]
    return [
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for path, item in paths.items()
        for method, operation in item.items()
        if method in ("post", "put", "patch")
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def test_signing_in_with_a_deeply_nested_body_is_a_parse_error(clock) -> None:
    r = Client().post("/api/auth/token/", DEEP, content_type="application/json")
    assert (r.status_code, r["Content-Type"], r.json()) == (400, "application/json", PARSE_ERROR)


def test_a_work_order_with_a_deeply_nested_body_is_a_parse_error(office, clock) -> None:
    c = client_for(office.receptionist)
    r = c.post("/api/work-orders/", DEEP, content_type="application/json")
    assert (r.status_code, r.json()) == (400, PARSE_ERROR)
    assert not WorkOrder.objects.exists()


def test_no_json_operation_answers_a_deeply_nested_body_with_a_server_error(office, clock) -> None:
    operations = json_operations()
    assert len(operations) > 20
    c = client_for(office.head)
    answers = {}
    for method, path in operations:
        r = getattr(c, method)(path, DEEP, content_type="application/json")
        answers[(method, path)] = (r.status_code, r["Content-Type"])
    wrong = {
        op: answer
        for op, answer in answers.items()
        if answer[0] >= 500 or answer[1] != "application/json"
    }
    assert wrong == {}
    assert not WorkOrder.objects.exists()
