"""Issue 12: the role × route × community matrix. Every route of the console (the URL conf) and
of the API (docs/openapi.yaml, the drf-spectacular schema) is asked by every principal (each role
of propdesk.policy.workflow.Role in 锦绣花园, company leadership, a superuser, anonymous), about
an object of their own community and of another (滨江苑), and the answer must be the one declared
in tests/access/matrix_table.py, one row per route. A route with no row fails the test, as does a
row with no route. The back office (/admin/) is covered model by model in test_backoffice.py.

One data setup for the module (the demo seed). Console routes are asked with GET; API operations
with their method and an empty body, each in a savepoint rolled back after it, so that an allowed
write changes nothing for the next cell. Set MATRIX_PRINT=1 to print the observed table."""

from __future__ import annotations

import os
import re
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from propdesk.community.models import Community, Household, Place, Resident, Team, User
from propdesk.community.places import sticker_code
from propdesk.concierge.models import Activity
from propdesk.core.clock import FixedClock, set_clock
from propdesk.desk.models import Attachment, Contact, ServiceItem, WorkOrder
from propdesk.followup.models import (
    CommonIssue,
    HomeVisit,
    Notice,
    NoticePhoto,
    ReturnVisit,
    SuggestionItem,
)
from propdesk.incidents.models import Emergency, IncidentPhoto
from propdesk.notify.models import Notification
from propdesk.policy.workflow import Role
from tests.access.matrix_table import PRINCIPALS, ROUTES
from tests.access.seeded import NOW, Company, seed_company

# Who asks, in the table's column order (PRINCIPALS): the staff of 锦绣花园, one per role.
USERNAMES = {
    "rc": "jxhy-reception1",
    "ad": "jxhy-admin1",
    "oh": "jxhy-head",
    "tl": "jxhy-repair-leader",
    "tm": "jxhy-repair1",
    "co": "jxhy-concierge",
    "ld": "leader",
    "su": "admin",
}
# The roles the columns stand for; the test fails when the Role enum gains one with no column.
COLUMN_ROLES = {
    Role.RECEPTIONIST: "rc",
    Role.ADMINISTRATOR: "ad",
    Role.OFFICE_HEAD: "oh",
    Role.TEAM_LEADER: "tl",
    Role.TEAM_MEMBER: "tm",
    Role.CONCIERGE: "co",
    Role.LEADERSHIP: "ld",
}
# Left to test_backoffice.py (every model of the back office) and Django's own pages.
EXCLUDED_PREFIXES = ("/admin/", "/api/")
MONTH = "2026-11"


def console_routes() -> list[str]:
    """ "GET /desk/<int:community_id>/board/" for every URL pattern outside /admin/ and /api/
    (the API is taken from its schema), plus the API's schema and docs pages."""
    out: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                out.append("/" + route.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    keep = {"/api/schema/", "/api/docs/"}
    return sorted(f"GET {r}" for r in set(out) if r in keep or not r.startswith(EXCLUDED_PREFIXES))


def api_operations() -> list[str]:
    """ "POST /api/work-orders/{id}/accept/" for every operation of docs/openapi.yaml."""
    schema = yaml.safe_load((settings.BASE_DIR / "docs" / "openapi.yaml").read_text())
    return sorted(
        f"{method.upper()} {path}"
        for path, ops in schema["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    )


# The object a route's {id} names, by the path before it.
API_OBJECTS: list[tuple[str, Any]] = [
    ("/api/common-issues/", CommonIssue),
    ("/api/communities/", Community),
    ("/api/contacts/", Contact),
    ("/api/emergencies/", Emergency),
    ("/api/files/attachments/", Attachment),
    ("/api/files/incident-photos/", IncidentPhoto),
    ("/api/files/notice-photos/", NoticePhoto),
    ("/api/home-visits/", HomeVisit),
    ("/api/households/", Household),
    ("/api/notices/", Notice),
    ("/api/notifications/failed/", Notification),
    ("/api/notifications/", Notification),
    ("/api/recoveries/", None),
    ("/api/residents/", Resident),
    ("/api/return-visits/", ReturnVisit),
    ("/api/service-items/", ServiceItem),
    ("/api/staff/", User),
    ("/api/suggestions/", SuggestionItem),
    ("/api/teams/", Team),
    ("/api/work-orders/", WorkOrder),
]
MISSING = 987654321  # an id no row has (the seed makes no attachments nor photos)


def _first(model: Any, community: Community) -> int:
    """The object of ``model`` a route is asked about in ``community``: chosen so that the
    repair team's leader and member have reason to see it (their team's order, its emergency)."""
    if model is Community:
        return community.pk
    if model is WorkOrder or model is None:
        qs = WorkOrder.objects.filter(community=community, team__kind="repair")
        return qs.order_by("id").values_list("id", flat=True)[0]
    if model is User:
        return User.objects.get(username=f"{community.code}-repair1").pk
    if model is ServiceItem:
        return ServiceItem.objects.order_by("id").values_list("id", flat=True)[0]
    if model is Notification:
        recipient = User.objects.get(username=f"{community.code}-head")
        qs = Notification.objects.filter(community=community, recipient=recipient)
        return qs.order_by("id").values_list("id", flat=True).first() or MISSING
    if model is Resident:
        qs = Resident.objects.filter(household__community=community)
        return qs.order_by("id").values_list("id", flat=True)[0]
    if model in (Attachment, IncidentPhoto, NoticePhoto):
        return MISSING
    return model.objects.filter(community=community).order_by("id").values_list("id", flat=True)[0]


def _ids(community: Community) -> dict[str, int]:
    order = _first(WorkOrder, community)
    return {
        "community_id": community.pk,
        "order_id": order,
        "emergency_id": _first(Emergency, community),
        "contact_id": _first(Contact, community),
        "staff_id": _first(User, community),
        "notice_id": _first(Notice, community),
        "photo_id": MISSING,
        "activity_id": Activity.objects.filter(community=community)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
        or MISSING,
        "resident_id": _first(Resident, community),
        "place_id": _place(community).pk,
    }


def _place(community: Community) -> Place:
    """The community's first QR sticker place (the seed puts some in every community)."""
    place = Place.objects.filter(community=community).order_by("id").first()
    assert place is not None
    return place


def _path(route: str, community: Community) -> tuple[str, dict[str, str]]:
    """The concrete path (and query) of a route about ``community``'s objects."""
    method, path = route.split(" ", 1)
    ids = _ids(community)
    path = re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), path)
    path = path.replace("<str:code>", sticker_code(_place(community)))  # a sticker's signed URL
    path = path.replace("<slug:section>", "take")  # a queue section: complaints to take (CP-1)
    if "{id}" in path:
        prefix = path.split("{id}")[0]
        model = next(m for p, m in API_OBJECTS if prefix.startswith(p))
        path = path.replace("{id}", str(_first(model, community)))
    query: dict[str, str] = {}
    if path.startswith("/api/") and method == "GET":
        query = {"community": str(community.pk), "month": MONTH}
    return path, query


def _has_community(route: str) -> bool:
    if route in ("GET /api/schema/", "GET /api/docs/"):
        return False  # the same document for everyone (and the schema is slow to make)
    path = route.split(" ", 1)[1]
    return "<int:" in path or "<str:code>" in path or "{id}" in path or path.startswith("/api/")


class Matrix(TestCase):
    company: Company

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()

    def setUp(self) -> None:
        set_clock(FixedClock(NOW))
        self.addCleanup(set_clock, None)

    def _clients(self, api: bool) -> dict[str, Any]:
        clients: dict[str, Any] = {}
        for key in PRINCIPALS:
            if key == "an":
                clients[key] = APIClient() if api else Client()
                continue
            user = User.objects.get(username=USERNAMES[key])
            if api:
                c = APIClient()
                c.force_authenticate(user)
            else:
                c = Client()
                c.force_login(user)
            clients[key] = c
        return clients

    def _ask(self, client: Any, route: str, community: Community) -> int:
        method, _ = route.split(" ", 1)
        path, query = _path(route, community)
        with transaction.atomic():
            if method == "GET":
                r = client.get(path, query)
            else:
                r = getattr(client, method.lower())(path, {}, format="json")
            transaction.set_rollback(True)
        if r.status_code == 302 and "/login/" in r["Location"]:
            return 0  # written "log" in the table: sent to the login page
        return r.status_code

    def test_every_role_has_a_column(self) -> None:
        assert set(COLUMN_ROLES) == set(Role)
        assert list(PRINCIPALS) == ["an", *COLUMN_ROLES.values(), "su"]

    def test_every_route_has_a_row_and_every_row_a_route(self) -> None:
        routes = set(console_routes()) | set(api_operations())
        assert sorted(routes - set(ROUTES)) == [], "routes with no row in matrix_table.py"
        assert sorted(set(ROUTES) - routes) == [], "rows of matrix_table.py with no route"

    def test_every_cell_answers_as_declared(self) -> None:
        web, api = self._clients(api=False), self._clients(api=True)
        own, other = self.company.own, self.company.other
        wrong: list[str] = []
        printed: list[str] = []
        for route in sorted(set(console_routes()) | set(api_operations())):
            clients = api if route.split(" ", 1)[1].startswith("/api/") else web
            got_own = [_code(self._ask(clients[k], route, own)) for k in PRINCIPALS]
            got_other = (
                [_code(self._ask(clients[k], route, other)) for k in PRINCIPALS]
                if _has_community(route)
                else None
            )
            printed.append(_row(route, got_own, got_other))
            want = ROUTES.get(route)
            if want is None:
                continue
            if " ".join(got_own) != want[0] or (
                got_other is not None and " ".join(got_other) != want[1]
            ):
                wrong.append(
                    f"{route}\n  want {want[0]} / {want[1]}\n  got  {' '.join(got_own)} / "
                    f"{' '.join(got_other) if got_other else None}"
                )
        if os.environ.get("MATRIX_PRINT"):
            print("\n".join(printed))
        assert not wrong, "\n".join(wrong)


def _code(status: int) -> str:
    return "log" if status == 0 else str(status)


def _row(route: str, own: list[str], other: list[str] | None) -> str:
    other_text = f'"{" ".join(other)}"' if other else "None"
    return f'    "{route}": ("{" ".join(own)}", {other_text}),'
