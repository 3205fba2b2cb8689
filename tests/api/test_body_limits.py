"""A request too large for the API (propdesk.api.limits): every operation of docs/openapi.yaml
answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE, a form or a query string of more than
DATA_UPLOAD_MAX_NUMBER_FIELDS fields, and the upload endpoints too many files, with the API's own
JSON error (413, ``too_large`` / ``too_many_fields`` / ``too_many_files``), as the phone
system's webhook answers its own limit, and nothing is written. The limits are made small here
so that the bodies stay small; the console's pages keep Django's own 400 page."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from rest_framework.test import APIClient

from propdesk.core.clock import FixedClock, set_clock
from tests.access.seeded import NOW, Company, seed_company
from tests.access.test_matrix import _path, api_operations
from tests.images import PNG
from tests.writes import watching_writes

MAX_SIZE = 2048
MAX_FIELDS = 20
MAX_FILES = 2
LIMITS = override_settings(
    DATA_UPLOAD_MAX_MEMORY_SIZE=MAX_SIZE,
    DATA_UPLOAD_MAX_NUMBER_FIELDS=MAX_FIELDS,
    DATA_UPLOAD_MAX_NUMBER_FILES=MAX_FILES,
)
BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The operations that take a file (multipart): the form is read, files and all, by Django.
UPLOADS = (
    "POST /api/work-orders/{id}/attachments/",
    "POST /api/emergencies/{id}/report/photos/",
)


def _refused(r: Any, code: str) -> str | None:
    """What is wrong with ``r`` as the API's 413 ``code``; None when nothing."""
    if r.status_code != 413 or not r["Content-Type"].startswith("application/json"):
        return f"{r.status_code} {r['Content-Type']} {r.content[:120]!r}"
    body = json.loads(r.content)
    if set(body) != {"error"} or body["error"].get("code") != code:
        return f"{body}"
    if not body["error"].get("message"):
        return "no message"
    return None


@LIMITS
class TooLarge(TestCase):
    company: Company

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()

    def setUp(self) -> None:
        set_clock(FixedClock(NOW))
        self.addCleanup(set_clock, None)
        self.api = APIClient()
        self.api.force_authenticate(self.company.superuser)

    def _send(self, route: str, **kw: Any) -> tuple[Any, list[str]]:
        method, _ = route.split(" ", 1)
        path, _query = _path(route, self.company.own)
        with transaction.atomic(), watching_writes() as writes:
            r = getattr(self.api, method.lower())(path, **kw)
            transaction.set_rollback(True)
        return r, writes.statements

    def _every(self, routes: list[str], code: str, **kw: Any) -> None:
        wrong = []
        for route in routes:
            r, writes = self._send(route, **kw)
            problem = _refused(r, code)
            if problem or writes:
                wrong.append(f"{route}: {problem or ''} {writes[:2]}")
        assert not wrong, "\n".join(wrong)

    def test_a_json_body_over_the_limit_is_refused_by_every_writing_operation(self) -> None:
        """Every POST, PUT, PATCH and DELETE, the webhook and the token sign-in among them."""
        routes = [r for r in api_operations() if r.startswith(BODY_METHODS)]
        assert "DELETE /api/auth/token/" in routes and "POST /api/calls/events/" in routes
        body = json.dumps({"note": "长" * MAX_SIZE})
        self._every(routes, "too_large", data=body, content_type="application/json")

    def test_a_form_of_too_many_fields_is_refused_by_every_writing_operation(self) -> None:
        routes = [r for r in api_operations() if r.startswith(BODY_METHODS)]
        form = "&".join(f"f{i}=1" for i in range(MAX_FIELDS + 1))
        assert len(form) < MAX_SIZE
        self._every(
            routes, "too_many_fields", data=form, content_type="application/x-www-form-urlencoded"
        )

    def test_a_query_of_too_many_fields_is_refused_by_every_operation(self) -> None:
        query = "&".join(f"f{i}=1" for i in range(MAX_FIELDS + 1))
        wrong = []
        for route in api_operations():
            method, _ = route.split(" ", 1)
            path, _query = _path(route, self.company.own)
            with transaction.atomic(), watching_writes() as writes:
                r = getattr(self.api, method.lower())(f"{path}?{query}")
                transaction.set_rollback(True)
            problem = _refused(r, "too_many_fields")
            if problem or writes.statements:
                wrong.append(f"{route}: {problem or ''} {writes.statements[:2]}")
        assert not wrong, "\n".join(wrong)

    def test_uploads_refuse_too_many_files_and_too_large_fields_and_store_nothing(self) -> None:
        for route in UPLOADS:
            files = [SimpleUploadedFile(f"p{i}.png", PNG, "image/png") for i in range(3)]
            r, writes = self._send(route, data={"file": files}, format="multipart")
            assert _refused(r, "too_many_files") is None and writes == [], (route, r.content)
            photo = SimpleUploadedFile("p.png", PNG, "image/png")
            r, writes = self._send(
                route, data={"file": photo, "note": "长" * MAX_SIZE}, format="multipart"
            )
            assert _refused(r, "too_large") is None and writes == [], (route, r.content)
            fields = {f"f{i}": "1" for i in range(MAX_FIELDS + 1)}
            r, writes = self._send(
                route,
                data={**fields, "file": SimpleUploadedFile("p.png", PNG, "image/png")},
                format="multipart",
            )
            assert _refused(r, "too_many_fields") is None and writes == [], (route, r.content)

    def test_a_body_within_the_limits_goes_through(self) -> None:
        """The same endpoints still read what fits: a reply to the owner, as JSON and as a form
        (the API's 400 for the missing version, not a refusal of the size)."""
        for kw in (
            {"data": json.dumps({"note": "已答复"}), "content_type": "application/json"},
            {"data": "note=ok&channel=phone", "content_type": "application/x-www-form-urlencoded"},
        ):
            r, _writes = self._send("POST /api/work-orders/{id}/reply/", **kw)
            assert r.status_code == 400, r.content
            assert json.loads(r.content)["error"]["code"] == "validation_error"

    def test_the_consoles_pages_keep_djangos_own_answer(self) -> None:
        c = Client()
        r = c.post("/desk/login/", {"username": "x" * MAX_SIZE, "password": "y"})
        assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
