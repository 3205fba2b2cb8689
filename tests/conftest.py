"""Shared fixtures: an injected clock and a small company of two communities with staff in
every role. Tests use the real database (SQLite, or PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from propdesk.community.models import Community, Household, Team, User
from propdesk.core.clock import FixedClock, set_clock
from propdesk.desk.models import WorkOrder
from tests import factories as f


@pytest.fixture(scope="session", autouse=True)
def _database_is_what_was_asked(django_db_setup: None, django_db_blocker: object) -> None:
    """A run asked for PostgreSQL must really run on it (never fall back silently)."""
    wanted = os.environ.get("DATABASE_URL", "")
    if wanted.startswith("postgres"):
        assert connection.vendor == "postgresql", connection.vendor


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """The injected time source: 2026-11-26 10:00 in Shanghai, moved only by the test."""
    c = FixedClock(datetime(2026, 11, 26, 2, 0, tzinfo=UTC))
    set_clock(c)
    yield c
    set_clock(None)


@pytest.fixture(scope="session", autouse=True)
def _sqlite_flush_lifts_the_event_delete_trigger(
    django_db_setup: None, django_db_blocker: object
) -> Iterator[None]:
    """Transactional tests empty the database after each test (flush). PostgreSQL's flush is
    TRUNCATE, which the append-only row trigger does not see; SQLite's is DELETE, which its
    trigger refuses. So on SQLite the test flush drops that trigger before its DELETEs and creates
    it again after them, the statement taken from the migration that made it. Patched on the
    class: a live server's or an async context's connection is another instance."""
    if connection.vendor != "sqlite":
        yield
        return
    from django.db.backends.sqlite3.operations import DatabaseOperations

    migration = importlib.import_module("propdesk.desk.migrations.0008_events_no_delete_sqlite")
    backoffice = importlib.import_module(
        "propdesk.community.migrations.0005_backoffice_events_append_only"
    )
    original = DatabaseOperations.sql_flush

    def sql_flush(self: DatabaseOperations, style: object, tables: list[str], **kw: object):
        sql = original(self, style, tables, **kw)  # type: ignore[arg-type]
        before, after = [], []
        if "desk_workorderevent" in tables:
            before.append("DROP TRIGGER IF EXISTS desk_event_no_delete;")
            after.append(migration.NO_DELETE)
        if "community_backofficeevent" in tables:
            before.append("DROP TRIGGER IF EXISTS community_backoffice_no_delete;")
            after.append(backoffice.NO_DELETE)
        return [*before, *sql, *after]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@dataclass
class Office:
    """One community's office, fully staffed."""

    community: Community
    receptionist: User
    administrator: User
    head: User
    repair_leader: User
    repair_member: User
    cleaning_leader: User
    repair: Team
    cleaning: Team
    service: Team
    household: Household


def make_office(community: Community, tag: str) -> Office:
    def staff(role: str, name: str) -> User:
        return f.UserFactory(username=f"{tag}-{name}", roles=[(community, role)])

    repair_leader = staff("team_leader", "repair-leader")
    repair_member = staff("team_member", "repair-member")
    cleaning_leader = staff("team_leader", "cleaning-leader")
    head = staff("office_head", "head")
    repair = f.TeamFactory(
        community=community,
        kind="repair",
        name="维修班",
        leader=repair_leader,
        member_list=[repair_member],
    )
    cleaning = f.TeamFactory(
        community=community, kind="cleaning", name="清洁班", leader=cleaning_leader
    )
    service = f.TeamFactory(
        community=community, kind="customer_service", name="客服中心", leader=head
    )
    building = f.BuildingFactory(community=community, number="3")
    unit = f.UnitFactory(building=building, number="2")
    household = f.HouseholdFactory(unit=unit, community=community, room="1502", code="3-2-1502")
    f.ResidentFactory(household=household, name="张伟", phone="13812345678")
    return Office(
        community=community,
        receptionist=staff("receptionist", "reception"),
        administrator=staff("administrator", "admin"),
        head=head,
        repair_leader=repair_leader,
        repair_member=repair_member,
        cleaning_leader=cleaning_leader,
        repair=repair,
        cleaning=cleaning,
        service=service,
        household=household,
    )


@pytest.fixture
def company(db: None) -> f.CompanyFactory:
    return f.CompanyFactory(name="锦绣物业")


@pytest.fixture
def office(company: object) -> Office:
    return make_office(f.CommunityFactory(company=company, name="锦绣花园", code="jxhy"), "a")


@pytest.fixture
def other_office(company: object) -> Office:
    """A second community of the same company: its data must stay out of reach of `office`."""
    return make_office(f.CommunityFactory(company=company, name="滨江苑", code="bjy"), "b")


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: User) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def lamp_reported_by_phone(office: Office, now: datetime, phone: str = "13900001111") -> WorkOrder:
    """A caller in no household (a tenant, a passer-by) rang from ``phone`` about the garden's
    lamp, and the front desk opened a repair at the place: the order."""
    from propdesk.desk.services import ContactInput, WorkOrderDraft, contact_log

    contact = contact_log(
        community=office.community,
        by=office.receptionist,
        now=now,
        data=ContactInput(
            channel="phone",
            intent="repair",
            content="花园路灯不亮",
            outcome="work_order",
            caller_phone=phone,
            work_orders=[
                WorkOrderDraft(kind="repair", description="花园路灯不亮", location="花园")
            ],
        ),
    )
    return contact.work_orders.get()


def reported_through_the_api(
    office: Office,
    phone: str,
    description: str,
    household: Household | None = None,
    location: str = "",
) -> WorkOrder:
    """An order opened through the API (``POST /api/work-orders/``) by the front desk, with no
    call logged: its reporter's phone ``phone``, for ``household`` or at ``location``."""
    body = {
        "community": office.community.pk,
        "kind": "repair",
        "description": description,
        "household": household.pk if household is not None else None,
        "location": location,
        "reporter_name": "刘女士",
        "reporter_phone": phone,
    }
    r = client_for(office.receptionist).post("/api/work-orders/", body, format="json")
    assert r.status_code == 201, r.json()
    order = WorkOrder.objects.get(pk=r.json()["id"])
    assert order.contact_id is None
    return order


def backoffice_client(user: User, app_label: str | None = None) -> Client:
    """``user`` signed in to the back office (staff) with every permission, or those of
    ``app_label``'s models: still only their communities' rows."""
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    perms = Permission.objects.all()
    user.user_permissions.set(
        perms.filter(content_type__app_label=app_label) if app_label else perms
    )
    client = Client()
    client.force_login(user)
    return client
