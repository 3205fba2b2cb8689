"""The pages answer GET, HEAD and POST only: every route of the console, the portal, a sticker's
link (the URL conf outside /api/ and /admin/, as the role matrix lists them) and the back office
answers PUT, DELETE, PATCH, TRACE and OPTIONS with 405 and ``Allow: GET, HEAD, POST``, signed in
or not, and changes nothing; GET still answers as the matrix declares."""

from __future__ import annotations

from django.test import Client, TestCase

from propdesk.community.models import User
from propdesk.core.clock import FixedClock, set_clock
from propdesk.desk.models import WorkOrder, WorkOrderEvent
from tests.access.seeded import NOW, Company, seed_company
from tests.access.test_matrix import _path, console_routes

METHODS = ("put", "delete", "patch", "trace", "options")


class PageMethods(TestCase):
    company: Company

    @classmethod
    def setUpTestData(cls) -> None:
        cls.company = seed_company()

    def setUp(self) -> None:
        set_clock(FixedClock(NOW))
        self.addCleanup(set_clock, None)

    def _answers(self, client: Client, paths: list[str]) -> dict[tuple[str, str], str]:
        """(method, path) → status and Allow, for every answer that is not the 405 it must be."""
        wrong: dict[tuple[str, str], str] = {}
        for path in paths:
            for method in METHODS:
                r = getattr(client, method)(path)
                got = f"{r.status_code} {r.get('Allow', '')}"
                if got != "405 GET, HEAD, POST":
                    wrong[(method.upper(), path)] = got
        return wrong

    def test_every_page_refuses_other_methods_with_405_and_allow(self) -> None:
        own = self.company.own
        paths = [
            _path(route, own)[0] for route in console_routes() if not route.startswith("GET /api/")
        ]
        paths += [
            "/admin/",
            f"/admin/community/community/{own.pk}/change/",
            "/admin/notify/notificationendpoint/add/",
        ]
        assert len(paths) > 40
        orders, events = WorkOrder.objects.count(), WorkOrderEvent.objects.count()
        head = Client()
        head.force_login(User.objects.get(username="jxhy-head"))
        superuser = Client()
        superuser.force_login(self.company.superuser)
        for client in (head, superuser, Client()):
            assert self._answers(client, paths) == {}
        assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count()) == (orders, events)

    def test_get_head_and_post_still_reach_the_page(self) -> None:
        own = self.company.own
        c = Client()
        c.force_login(User.objects.get(username="jxhy-head"))
        queue = f"/desk/{own.pk}/queue/"
        assert c.get(queue).status_code == 200
        assert c.head(queue).status_code == 200
        # The API keeps its own answers: DRF's 405 names the methods of each view.
        r = c.put("/api/work-orders/")
        assert (r.status_code, r["Allow"]) == (405, "GET, POST, HEAD, OPTIONS")
