"""Issue 13: residents in the role matrix. A resident's session (the portal's own key, no staff
user) asks every staff route of the console and every operation of the API and gets exactly what
anonymous gets (the login redirect, 401, 403: never a staff page's data); and every route of the
portal is asked by anonymous, a staff login and a resident, about the resident's own household's
object and another household's, and answers as declared in matrix_table.RESIDENT_ROUTES."""

from __future__ import annotations

import os
import re
from typing import Any

from django.db import transaction
from django.test import Client, TestCase
from rest_framework.test import APIClient

from propdesk.community.models import Community, Household, Relation, Resident, User
from propdesk.concierge.models import Activity
from propdesk.core.clock import FixedClock, set_clock
from propdesk.desk.models import WorkOrder
from propdesk.followup.models import Notice
from propdesk.portal.access import SESSION_KEY
from tests.access.matrix_table import RESIDENT_PRINCIPALS, RESIDENT_ROUTES
from tests.access.seeded import NOW, Company, seed_company
from tests.access.test_matrix import _code, _path, _row, api_operations, console_routes

MISSING = 999_999  # no such object


class ResidentMatrix(TestCase):
    company: Company
    phone: str
    own_member: Resident
    other_member: Resident

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()
        own = cls.company.own
        owner = (
            Resident.objects.filter(
                household__community=own, relation=Relation.OWNER, phone__startswith="1"
            )
            .order_by("id")
            .first()
        )
        assert owner is not None
        cls.phone = owner.phone
        cls.own_member = Resident.objects.create(
            household=owner.household, name="家属甲", relation=Relation.FAMILY, phone="13600000001"
        )
        neighbour = (
            Household.objects.filter(community=own)
            .exclude(residents__phone=owner.phone)
            .order_by("id")
            .first()
        )
        assert neighbour is not None
        cls.other_member = Resident.objects.create(
            household=neighbour, name="家属乙", relation=Relation.FAMILY, phone="13600000002"
        )

    def setUp(self) -> None:
        set_clock(FixedClock(NOW))
        self.addCleanup(set_clock, None)

    def _resident(self, api: bool) -> Any:
        c = APIClient() if api else Client()
        session = c.session
        session[SESSION_KEY] = self.phone
        session.save()
        return c

    def _ids(self, *, own: bool) -> dict[str, int]:
        """The objects a portal route names: the resident's own household's (own) or another
        household's, another community's for a notice (notices are the community's)."""
        mine = WorkOrder.objects.filter(household__residents__phone=self.phone)
        orders = (
            mine
            if own
            else WorkOrder.objects.filter(
                community=self.company.own, household__isnull=False
            ).exclude(pk__in=mine.values("pk"))
        )
        community = self.company.own if own else self.company.other
        return {
            "resident_id": (self.own_member if own else self.other_member).pk,
            "order_id": orders.order_by("id").values_list("id", flat=True).first() or MISSING,
            "notice_id": Notice.objects.filter(community=community, posted_at__isnull=False)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
            or MISSING,
            "photo_id": MISSING,
            "activity_id": Activity.objects.filter(community=community)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
            or MISSING,
        }

    def _portal_clients(self) -> dict[str, Client]:
        staff = Client()
        staff.force_login(User.objects.get(username="jxhy-reception1"))
        return {"an": Client(), "rc": staff, "re": self._resident(api=False)}

    def _ask(self, client: Any, method: str, path: str, query: dict[str, str]) -> str:
        with transaction.atomic():
            if method == "GET":
                r = client.get(path, query)
            else:
                r = getattr(client, method.lower())(
                    path, {}, **({"format": "json"} if path.startswith("/api/") else {})
                )
            transaction.set_rollback(True)
        if r.status_code == 302 and "/login/" in r["Location"]:
            return "log"
        return str(r.status_code)

    def test_a_resident_gets_from_every_staff_route_what_anonymous_gets(self) -> None:
        own: Community = self.company.own
        resident_web, resident_api = self._resident(api=False), self._resident(api=True)
        anonymous_web, anonymous_api = Client(), APIClient()
        wrong: list[str] = []
        asked = 0
        for route in sorted(set(console_routes()) | set(api_operations())):
            method, template = route.split(" ", 1)
            if template.startswith("/portal/") or route in RESIDENT_DOORS:
                continue
            api = template.startswith("/api/")
            path, query = _path(route, own)
            as_resident = self._ask(resident_api if api else resident_web, method, path, query)
            as_anonymous = self._ask(anonymous_api if api else anonymous_web, method, path, query)
            asked += 1
            if as_resident != as_anonymous or (
                as_resident == "200" and route not in ALLOWED_TO_ANYONE
            ):
                wrong.append(f"{route}: resident {as_resident}, anonymous {as_anonymous}")
        assert asked > 100
        assert not wrong, "\n".join(wrong)

    def test_a_sticker_sends_a_resident_to_the_portal_not_to_a_staff_page(self) -> None:
        own: Community = self.company.own
        for route in RESIDENT_DOORS:
            path, query = _path(route, own)
            r = self._resident(api=False).get(path, query)
            assert r.status_code == 302 and r["Location"].startswith("/portal/report/?")

    def test_every_portal_route_has_a_row(self) -> None:
        portal = {r for r in console_routes() if r.split(" ", 1)[1].startswith("/portal/")}
        declared_get = {r for r in RESIDENT_ROUTES if r.startswith("GET ")}
        assert sorted(portal - declared_get) == [], "portal routes with no row in RESIDENT_ROUTES"
        paths = {r.split(" ", 1)[1] for r in portal}
        assert sorted(r for r in RESIDENT_ROUTES if r.split(" ", 1)[1] not in paths) == []

    def test_every_portal_cell_answers_as_declared(self) -> None:
        wrong, printed = [], []
        for route, (want_own, want_other) in sorted(RESIDENT_ROUTES.items()):
            method, template = route.split(" ", 1)
            got = []
            for member in (self.own_member, self.other_member):
                clients = self._portal_clients()  # fresh: a sign-out ends the session it asks
                ids = self._ids(own=member is self.own_member)
                path = re.sub(r"<int:(\w+)>", lambda m, ids=ids: str(ids[m.group(1)]), template)
                got.append(
                    " ".join(self._ask(clients[k], method, path, {}) for k in RESIDENT_PRINCIPALS)
                )
            got_other = got[1] if "<int:" in template else None
            printed.append(_row(route, got[0].split(), got_other.split() if got_other else None))
            if got[0] != want_own or got_other != want_other:
                wrong.append(
                    f"{route}\n  want {want_own} / {want_other}\n  got  {got[0]} / {got_other}"
                )
        if os.environ.get("MATRIX_PRINT"):
            print("\n".join(printed))
        assert not wrong, "\n".join(wrong)
        # Nothing an empty POST asked changed the register.
        assert (
            Resident.objects.filter(pk__in=[self.own_member.pk, self.other_member.pk]).count() == 2
        )


# Staff routes that are a resident's door too: a QR sticker (its place's report in the portal).
RESIDENT_DOORS = {"GET /q/<str:code>/"}

# Pages anyone may open (the staff login pages and the API's documentation).
ALLOWED_TO_ANYONE = {"GET /desk/login/", "GET /api/docs/", "GET /api/schema/"}
_ = _code  # the same codes as the staff table
