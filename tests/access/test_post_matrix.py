"""The role matrix of the console's writes: every route of the URL conf outside /admin/ and /api/
(the API's writes are rows of matrix_table.py, the back office has test_backoffice.py) is sent a
POST by every principal of test_matrix.py (each role of 锦绣花园, company leadership, a
superuser, anonymous), about 锦绣花园's object and 滨江苑's, with the form a person allowed to
would send (post_bodies.py). Each answer must be the one declared in post_table.py, and a
refused POST (401, 403, 404, 405, or the login page) must change nothing: no INSERT, UPDATE or
DELETE reaches the database while it is answered (the session's own row aside). A route with no
POST row fails the test, as does a row with no route.

A code followed by ``w`` is a POST that changed the database (rolled back after it, so that every
cell starts from the same data); every body that names a change has one such cell at least, so
the refusals are refusals of a real change. Set MATRIX_PRINT=1 to print the observed table.

The doors between the two: a principal of 锦绣花园 posting to 锦绣花园's page with 滨江苑's ids
(in the path or in the form) changes nothing either."""

from __future__ import annotations

import os
import re
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase

from propdesk.community.models import Community, Household, User
from propdesk.community.places import sticker_code
from propdesk.concierge.models import Activity, CartItem
from propdesk.core.clock import FixedClock, set_clock
from propdesk.desk.models import WorkOrder
from propdesk.desk.services import WorkOrderDraft, work_order_create
from propdesk.followup.models import Notice, SuggestionItem
from propdesk.incidents.models import IncidentReport
from propdesk.notify.models import Notification
from tests.access.matrix_table import PRINCIPALS
from tests.access.post_bodies import BODIES
from tests.access.post_table import POST_ROUTES
from tests.access.seeded import NOW, Company, seed_company
from tests.access.test_matrix import MISSING, USERNAMES, _ids, _place, console_routes
from tests.images import PNG
from tests.writes import watching_writes

# Answers that refuse: nothing may change while they are given ("log": the login page).
REFUSALS = {"401", "403", "404", "405", "log"}


def post_routes() -> list[str]:
    """ "POST /desk/<int:community_id>/intake/" for every route of the URL conf outside /admin/
    and /api/: a view takes a POST unless it says otherwise, so every one is asked."""
    return sorted(
        "POST " + r.split(" ", 1)[1]
        for r in console_routes()
        if not r.split(" ", 1)[1].startswith("/api/")
    )


def _values(community: Community) -> dict[str, str]:
    """What the bodies' ``{name}``s stand for in ``community``."""
    ids = _ids(community)
    # The repair of setUpTestData, with the repair team: every action below fits its state (the
    # GET matrix's first repair order is closed, and an action refused by the order's state
    # would prove nothing).
    order = WorkOrder.objects.filter(community=community, description="厨房水龙头漏水").get()
    ids["order_id"] = order.pk
    # An activity still to come (planned or announced), which the office may cancel.
    activity = Activity.objects.filter(community=community, state__in=["planned", "announced"])
    ids["activity_id"] = activity.order_by("id").values_list("id", flat=True).first() or MISSING
    household = Household.objects.filter(community=community).order_by("id").first()
    assert household is not None
    report = IncidentReport.objects.filter(emergency_id=ids["emergency_id"]).first()
    head = User.objects.get(username=f"{community.code}-head")
    notification = (
        Notification.objects.filter(recipient=head, read_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    item = (
        CartItem.objects.filter(community=community, active=True)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    suggestion = (
        SuggestionItem.objects.filter(community=community, replied_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    notice = Notice.objects.filter(community=community, posted_at__isnull=True).order_by("id")[0]
    member = User.objects.get(username=f"{community.code}-repair1")
    return {
        **{k: str(v) for k, v in ids.items()},
        "version": str(order.version),
        "room": household.code,
        "household_id": str(household.pk),
        "report_version": str(report.version if report else 1),
        "notification_id": str(notification or MISSING),
        "cart_item_id": str(item or MISSING),
        "suggestion_id": str(suggestion or MISSING),
        "notice_id": str(notice.pk),
        "member_id": str(member.pk),
        "sticker_code": sticker_code(_place(community)),
    }


def _fill(route: str, values: dict[str, str]) -> dict[str, str]:
    return {k: v.format(**values) for k, v in BODIES.get(route, {}).items()}


def _form(body: dict[str, str]) -> dict[str, Any]:
    """The body as posted: ``@png`` is a photo (a new file for each post)."""
    return {
        k: SimpleUploadedFile("photo.png", PNG, content_type="image/png") if v == "@png" else v
        for k, v in body.items()
    }


def _post_path(route: str, values: dict[str, str]) -> str:
    """The route's path about the objects of ``values`` (those of _values)."""
    path = route.split(" ", 1)[1]
    path = re.sub(r"<int:(\w+)>", lambda m: values[m.group(1)], path)
    path = path.replace("<str:code>", values["sticker_code"])
    return path.replace("<slug:section>", "take")  # a queue section: complaints to take (CP-1)


def _has_community(route: str) -> bool:
    """Whether the route is asked about 滨江苑's objects too: it names one in its path, or its
    body does (an id, or the community itself)."""
    path = route.split(" ", 1)[1]
    in_body = any("{" in v for v in BODIES.get(route, {}).values())
    return "<int:" in path or "<str:code>" in path or in_body


class PostMatrix(TestCase):
    company: Company

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()
        # A repair reported at the front desk in each community, with the repair team (DS-1):
        # the order the actions are posted on.
        for community in (cls.company.own, cls.company.other):
            household = Household.objects.filter(community=community).order_by("id")[0]
            work_order_create(
                community=community,
                by=User.objects.get(username=f"{community.code}-reception1"),
                now=NOW,
                draft=WorkOrderDraft(
                    kind="repair", description="厨房水龙头漏水", household=household
                ),
            )

    def setUp(self) -> None:
        set_clock(FixedClock(NOW))
        self.addCleanup(set_clock, None)
        self.clients: dict[str, Client] = {}
        for key in PRINCIPALS:
            self.clients[key] = self._client(key)

    def _client(self, key: str) -> Client:
        c = Client()
        if key != "an":
            c.force_login(User.objects.get(username=USERNAMES[key]))
        return c

    def _post(self, key: str, path: str, body: dict[str, str]) -> tuple[str, list[str]]:
        """The answer to ``key``'s POST and the writes it made (then rolled back)."""
        with transaction.atomic():
            with watching_writes() as writes:
                r = self.clients[key].post(path, _form(body))
            transaction.set_rollback(True)
        if path == "/desk/logout/" or path == "/portal/logout/":
            self.clients[key] = self._client(key)  # signed in again for the next route
        to_login = r.status_code == 302 and "/login/" in r["Location"]
        code = "log" if to_login else str(r.status_code)
        if to_login and path == "/desk/logout/":
            code = "out"  # signed out onto the sign-in page: the answer, not a refusal
        return code, writes.statements

    def _row(self, route: str, community: Community) -> tuple[list[str], list[str]]:
        """Each principal's cell (``302w``: answered 302 and wrote), and what a refusal wrote."""
        values = _values(community)
        path, body = _post_path(route, values), _fill(route, values)
        cells, wrong = [], []
        for key in PRINCIPALS:
            code, writes = self._post(key, path, body)
            cells.append(code + ("w" if writes else ""))
            if code in REFUSALS and writes:
                wrong.append(f"{route} {key} {community.code}: {code} but wrote {writes[:3]}")
        return cells, wrong

    def test_every_route_has_a_post_row_and_every_row_a_route(self) -> None:
        routes = set(post_routes())
        assert sorted(routes - set(POST_ROUTES)) == [], "routes with no row in post_table.py"
        assert sorted(set(POST_ROUTES) - routes) == [], "rows of post_table.py with no route"
        assert sorted(set(BODIES) - routes) == [], "bodies of post_bodies.py with no route"

    def test_the_table_declares_no_refusal_that_writes_and_each_body_a_write(self) -> None:
        """Read from the table alone: a refusal never carries ``w``, and a body sent to change
        something changes it for someone (else it would prove nothing by being refused)."""
        for route, (own, other) in POST_ROUTES.items():
            cells = own.split() + (other.split() if other else [])
            assert not [c for c in cells if c.rstrip("w") in REFUSALS and c.endswith("w")], route
            if BODIES.get(route) and route in CHANGING:
                assert any(c.endswith("w") for c in cells), f"{route}: no cell changes anything"

    def test_every_cell_answers_as_declared_and_no_refusal_changes_anything(self) -> None:
        own, other = self.company.own, self.company.other
        wrong: list[str] = []
        refusals_that_wrote: list[str] = []
        printed: list[str] = []
        for route in post_routes():
            got_own, w1 = self._row(route, own)
            got_other, w2 = self._row(route, other) if _has_community(route) else (None, [])
            refusals_that_wrote += w1 + w2
            other_text = f'"{" ".join(got_other)}"' if got_other else "None"
            printed.append(f'    "{route}": ("{" ".join(got_own)}", {other_text}),')
            want = POST_ROUTES.get(route)
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
        assert not refusals_that_wrote, "\n".join(refusals_that_wrote)
        assert not wrong, "\n".join(wrong)

    def test_own_pages_with_another_communitys_ids_change_nothing(self) -> None:
        """锦绣花园's page, 滨江苑's object in the path and in the form: every role of 锦绣花园 is
        refused, or shown the form's error, and nothing changes. (Company leadership and the
        superuser see both communities: for them the pair is no door.)"""
        own, other = self.company.own, self.company.other
        own_ids = {k: str(v) for k, v in _ids(own).items()}
        other_values = _values(other)
        found: list[str] = []
        for route in post_routes():
            path = route.split(" ", 1)[1]
            names = set(re.findall(r"<int:(\w+)>", path))
            names |= {n for v in BODIES.get(route, {}).values() for n in re.findall(r"{(\w+)}", v)}
            if "community_id" not in names or not names & OBJECT_IDS:
                continue  # no object named but the community's own (a room's code is no id)
            mixed_values = {**other_values, "community_id": own_ids["community_id"]}
            mixed, body = _post_path(route, mixed_values), _fill(route, mixed_values)
            for key in ("rc", "ad", "oh", "tl", "tm", "co"):
                code, writes = self._post(key, mixed, body)
                if writes or code == "500":
                    found.append(f"{route} {key}: {code} {writes[:3]}")
        assert not found, "\n".join(found)


# The ids that name one community's object (what a mixed POST names of 滨江苑's).
OBJECT_IDS = {
    "order_id",
    "emergency_id",
    "contact_id",
    "staff_id",
    "notice_id",
    "activity_id",
    "resident_id",
    "place_id",
    "household_id",
    "notification_id",
    "cart_item_id",
    "suggestion_id",
    "member_id",
}
# The routes whose body asks for a change (the rest are pages that show, or refuse the method).
CHANGING = {
    "POST /desk/emergency/",
    "POST /desk/emergencies/<int:emergency_id>/",
    "POST /desk/incidents/<int:emergency_id>/",
    "POST /desk/notifications/",
    "POST /desk/language/",
    "POST /desk/<int:community_id>/intake/",
    "POST /desk/orders/<int:order_id>/",
    "POST /desk/jobs/<int:order_id>/",
    "POST /desk/<int:community_id>/queue/assign/<int:order_id>/",
    "POST /desk/<int:community_id>/concierge/",
    "POST /desk/<int:community_id>/cart/",
    "POST /desk/<int:community_id>/visits/new/",
    "POST /desk/<int:community_id>/suggestions/",
    "POST /desk/<int:community_id>/issues/",
    "POST /desk/<int:community_id>/activities/",
    "POST /desk/<int:community_id>/activities/<int:activity_id>/",
}
