"""The console's list rows are read as values (``queues.OrderRow``, ``ClockRow``), not as model
instances: every row the lists draw (the board, a queue's sections, the orders to assign, my jobs
and the team's pool, the return visits' complaints) must read exactly as the instances drew it,
for every kind of row (emergency, complaint, tags, an agitated owner, no room, nobody assigned,
a member without a name, waiting, an appointment, paused and breached clocks, words that need
escaping), in Chinese and in English."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation

from propdesk.clocks.models import Clock
from propdesk.desk.models import WorkOrder
from propdesk.desk.queues import CLOCK_FIELDS, Page, _live, _read_rows, label_rows
from tests.web.test_rows_built_in_python import _varied_orders

# What the rows were before (main 588332f: queues._rows): model instances with the five
# relations joined and the live clocks prefetched.
INSTANCE_FIELDS = (
    "id",
    "community_id",
    "number",
    "kind",
    "complaint_type",
    "is_important",
    "is_long_running",
    "is_construction_legacy",
    "is_urgent",
    "location",
    "description",
    "appointment_at",
    "state",
    "version",
    "waiting",
    "created_at",
    "household__code",
    "team__name",
    "assignee__name",
    "assignee__username",
    "service_item__name",
    "contact__owner_agitated",
)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

# Every value a row's template or builder reads, and each clock's.
READ = (
    "pk",
    "id",
    "community_id",
    "number",
    "kind",
    "complaint_type",
    "is_emergency",
    "kind_label",
    "state_label",
    "is_important",
    "is_long_running",
    "is_construction_legacy",
    "is_urgent",
    "location",
    "description",
    "appointment_at",
    "state",
    "version",
    "waiting",
    "created_at",
    "household_id",
    "team_id",
    "assignee_id",
    "service_item_id",
    "contact_id",
    "household.code",
    "team.name",
    "assignee.name",
    "assignee.username",
    "service_item.name",
    "contact.owner_agitated",
)


def _as_instances(ids: list[int]) -> list[WorkOrder]:
    live = Prefetch(
        "clocks",
        queryset=Clock.objects.filter(_live()).only(*CLOCK_FIELDS).order_by("due_at", "id"),
        to_attr="live_clocks",
    )
    return label_rows(
        list(
            WorkOrder.objects.filter(pk__in=ids)
            .select_related("household", "team", "assignee", "service_item", "contact")
            .only(*INSTANCE_FIELDS)
            .prefetch_related(live)
            .order_by("id")
        )  # type: ignore[arg-type]
    )  # type: ignore[return-value]


def _value(obj: Any, path: str) -> Any:
    for name in path.split("."):
        obj = getattr(obj, name, None) if obj is not None else None
    return obj


def _draw(rows: list[Any], now: datetime, office: Any) -> str:
    """Every list template and builder the rows go through."""
    request = RequestFactory().get("/desk/1/queue/take/?page=2")
    request.user = office.administrator
    desk = type("Desk", (), {"community": office.community})()
    team_desk = type(
        "TeamDesk", (), {"team": office.repair, "to_assign": rows, "members": [], "suggested": None}
    )()
    page = Page(rows, len(rows))
    board = type("Board", (), {"orders": rows, "calendar_fallback": {}})()
    context = {"rows": rows, "now": now, "desk": desk, "td": team_desk, "jobs": page}
    drawn = [
        get_template("web/partials/order_rows.html").render(context, request),
        get_template("web/partials/order_rows.html").render(
            {**context, "take_button": True}, request
        ),
        get_template("web/partials/team_desk.html").render(context, request),
        Template(
            "{% load console %}{% board_rows board now %}{% job_cards jobs now %}"
            "{% for o in rows %}{{ o }} {{ o.household.code|default:o.location }}"
            "{% for c in o.live_clocks %}{% clock_chip c now %}{{ c.pk }}{% endfor %}{% endfor %}"
        ).render(Context({**context, "board": board})),
    ]
    return TOKEN.sub("", "\n".join(drawn))


def test_a_row_read_as_values_draws_as_the_order_instance_did(office, clock, open_order) -> None:
    orders = _varied_orders(office, clock, open_order)
    ids = sorted(o.pk for o in orders)
    rows = label_rows(_read_rows(WorkOrder.objects.filter(pk__in=ids).order_by("id")))
    instances = _as_instances(ids)
    assert [r.pk for r in rows] == [o.pk for o in instances] == ids
    for row, order in zip(rows, instances, strict=True):
        for path in READ:
            got, want = _value(row, path), _value(order, path)
            assert (got, type(got)) == (want, type(want)), (order.number, path)
        assert len(row.live_clocks) == len(order.live_clocks)  # type: ignore[attr-defined]
        for c, d in zip(row.live_clocks, order.live_clocks, strict=True):  # type: ignore[attr-defined]
            for name in (*CLOCK_FIELDS, "pk"):
                assert (getattr(c, name), type(getattr(c, name))) == (
                    getattr(d, name),
                    type(getattr(d, name)),
                ), (order.number, name)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            drawn = _draw(rows, clock.now(), office)
            assert drawn == _draw(instances, clock.now(), office)
    # The rows drew something of every kind (not two empty lists alike).
    for word in ("Emergency", "agitated owner", "data-appointment=", "3栋大堂 &lt;门口&gt;"):
        assert word in drawn, word
