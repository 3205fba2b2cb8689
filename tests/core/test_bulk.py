"""core.bulk.create_many: the lean INSERT … RETURNING of the create's hot path stores exactly
what the ORM's create stores, and gives each instance its own id."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import JSONField, Value
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from propdesk.clocks.models import Clock
from propdesk.core.bulk import create_many
from propdesk.desk.models import Announcement, WorkOrder, WorkOrderEvent
from tests.conftest import Office

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _order(office: Office, number: str, **kw: object) -> WorkOrder:
    at = datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=SHANGHAI)
    return WorkOrder(
        community=office.community,
        number=number,
        kind="repair",
        description="厨房水龙头漏水",
        household=office.household,
        team=office.repair,
        state="dispatched",
        created_by=office.receptionist,
        created_at=at,
        updated_at=at,
        **kw,
    )


def _stored(order_id: int) -> dict[str, object]:
    row = model_to_dict(WorkOrder.objects.get(pk=order_id))
    row.pop("id")
    row.pop("number")
    return row


def test_create_many_stores_what_the_orms_create_stores(office: Office) -> None:
    kw = {
        "appointment_at": datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI),
        "fee_charged": Decimal("12.50"),
        "is_urgent": True,
    }
    by_orm = _order(office, "A-1", **kw)
    by_orm.save(force_insert=True)
    lean = [_order(office, "A-2", **kw), _order(office, "A-3")]
    assert create_many(lean) is lean
    # Each instance has its own row, in the order given, and is marked saved.
    assert [WorkOrder.objects.get(pk=o.pk).number for o in lean] == ["A-2", "A-3"]
    assert all(not o._state.adding and o._state.db == "default" for o in lean)
    assert _stored(lean[0].pk) == _stored(by_orm.pk)
    # Unset values take the model's defaults, NULL included.
    assert _stored(lean[1].pk) == {
        **_stored(by_orm.pk),
        **{k: None for k in kw},
        "is_urgent": False,
    }


def test_a_json_none_is_stored_as_null_as_the_orm_does(office: Office) -> None:
    order = _order(office, "B-1")
    create_many([order])
    fields = {
        "community_id": office.community.pk,
        "event": "order_routed",
        "order": order,
        "cause": "x",
        "title": "t",
        "exclude": [3, 1],
        "recipient_ids": None,
        "created_at": order.created_at,
    }
    by_orm = Announcement.objects.create(**fields)
    (lean,) = create_many([Announcement(**fields)])
    got = Announcement.objects.filter(pk__in=[by_orm.pk, lean.pk], recipient_ids__isnull=True)
    assert got.count() == 2
    assert Announcement.objects.get(pk=lean.pk).exclude == [3, 1]
    # Several rows at once (on PostgreSQL one array per column): each its own values, in the
    # order given, SQL NULL and JSON lists and objects alike, in one statement.
    rows = [
        Announcement(**fields),
        Announcement(**{**fields, "recipient_ids": [7], "exclude": [], "payload": {"k": "值"}}),
        Announcement(**{**fields, "cause": "y", "title": "t" * 200, "order": None}),
    ]
    with CaptureQueriesContext(connection) as queries:
        create_many(rows)
    assert len(queries.captured_queries) == 1
    stored = {a.pk: a for a in Announcement.objects.filter(pk__in=[a.pk for a in rows])}
    assert [
        (stored[a.pk].recipient_ids, stored[a.pk].exclude, stored[a.pk].payload) for a in rows
    ] == [(None, [3, 1], None), ([7], [], {"k": "值"}), (None, [3, 1], None)]
    assert (stored[rows[2].pk].title, stored[rows[2].pk].order_id) == ("t" * 200, None)
    assert Announcement.objects.filter(pk=rows[0].pk, recipient_ids__isnull=True).exists()


def test_nothing_to_create_writes_nothing(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        assert create_many([]) == []


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 26, 10, 0, 0, 123456, tzinfo=SHANGHAI),
        datetime(2026, 11, 26, 2, 0, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 3, 1, 0, 0, 0, 1, tzinfo=ZoneInfo("America/New_York")),
        None,
        "2026-11-26 10:00:00+08:00",
    ],
)
def test_a_datetime_is_stored_as_the_field_stores_it(value: object) -> None:
    """The lean statements give a ``DateTimeField``'s aware ``datetime`` straight to the
    backend's adapter: the same as the field's own ``get_db_prep_save``, on either database."""
    from django.db import connection

    from propdesk.core.bulk import _prep

    for name in ("created_at", "appointment_at"):
        field = WorkOrder._meta.get_field(name)
        assert _prep(field, value, connection) == field.get_db_prep_save(value, connection)


class _Encoder(DjangoJSONEncoder):
    """A field's own encoder (no model of propdesk has one): it must be the one used."""


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"team": 3, "kind": "repair", "contact": None, "note": "厨房水龙头漏水"},
        ["administrator", "receptionist"],
        {"nested": {"a": [1, 2.5, True, None]}, "at": "2026-11-26T10:00:00+08:00"},
        [{"k": "v"}, ["x"]],
        None,
        "a string",
        3,
        Value(None, JSONField()),
    ],
)
def test_a_json_value_is_stored_as_the_field_stores_it(value: object) -> None:
    """The lean statements give a ``JSONField``'s dict or list straight to the backend's
    adapter with the field's encoder: the same as the field's own ``get_db_prep_save``, on
    either database (PostgreSQL's adapter wraps it: its object and its text compared)."""
    from django.db import connection

    from propdesk.core.bulk import _prep

    def same(a: object, b: object) -> bool:
        if hasattr(a, "dumps") and hasattr(a, "obj"):  # psycopg's Jsonb
            return type(a) is type(b) and a.dumps(a.obj) == b.dumps(b.obj)  # type: ignore[attr-defined]
        return a == b

    fields = [
        WorkOrderEvent._meta.get_field("data"),
        Clock._meta.get_field("progress"),
        JSONField(encoder=_Encoder),
    ]
    for field in fields:
        assert same(_prep(field, value, connection), field.get_db_prep_save(value, connection))
    dated = {"at": datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)}  # only the encoder reads it
    assert same(_prep(fields[2], dated, connection), fields[2].get_db_prep_save(dated, connection))


def test_several_clocks_store_what_the_orms_create_stores(office: Office) -> None:
    """A create starts its clocks in one statement (on PostgreSQL the rows as one JSON
    parameter, ``json_populate_recordset``): every column reads back as the ORM's create stores
    it: instants in any zone to the microsecond, NULLs, texts with quotes, backslashes and
    Chinese, JSON of every shape, and each instance gets its own row's id, in order."""
    from propdesk.clocks.services.policy import policy_for

    _policy, version_id = policy_for(office.community)

    def clock(i: int, **kw: object) -> Clock:
        at = datetime(2026, 11, 26, 10, 0, 0, 123456 + i, tzinfo=SHANGHAI)
        return Clock(
            community=office.community,
            rule_id="CP-1",
            title="投诉10分钟内安排管理员处理",
            subject=str(i),
            started_at=at,
            due_at=datetime(2026, 11, 26, 2, 10, 0, 1, tzinfo=ZoneInfo("UTC")),
            next_check_at=datetime(2026, 3, 8, 2, 30, tzinfo=ZoneInfo("America/New_York")),
            policy_version_id=version_id,
            **kw,
        )

    shapes = [
        {"progress": [{"at": "2026-11-26T10:00:00+08:00", "by": 3, "note": '引号"与\\反斜杠'}]},
        {"progress": {"nested": {"a": [1, 2.5, True, None]}}, "level": 2, "met_by": office.head},
        {"progress": [], "cancel_reason": "it's \t\n 取消", "warn_at": None, "paused_seconds": 7},
        {"progress": "a string", "state": "met", "met_at": "2026-11-26 11:00:00.5+08:00"},
    ]
    by_orm = [clock(i, **kw) for i, kw in enumerate(shapes)]
    for c in by_orm:
        c.save(force_insert=True)
    lean = [clock(i, **kw) for i, kw in enumerate(shapes)]
    with CaptureQueriesContext(connection) as queries:
        assert create_many(lean) is lean
    assert len(queries.captured_queries) == 1
    assert [Clock.objects.get(pk=c.pk).subject for c in lean] == ["0", "1", "2", "3"]

    def stored(pk: int) -> dict[str, object]:
        row = model_to_dict(Clock.objects.get(pk=pk))
        row.pop("id")
        return row

    assert [stored(c.pk) for c in lean] == [stored(c.pk) for c in by_orm]
    assert Clock.objects.get(pk=lean[0].pk).started_at == by_orm[0].started_at
