"""A read replica for the reports (DATABASE_REPLICA_URL, issue 15): the monthly report, its
PDF and workbook, the comparison of communities and the KPI figures read from the replica when
one is configured, through propdesk.core.replica; access is checked on the primary; writes never
go to the replica; without one nothing changes.

The replica here is a second alias on the same test database (TEST MIRROR in tests/settings.py),
so these tests commit (transaction=True): a replica sees only what was committed."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from propdesk.community.models import Community, User
from propdesk.core.replica import reads_alias, replica_reads
from propdesk.reports.selectors import monthly_report
from tests.conftest import client_for
from tests.reports.conftest import NOW
from tests.web.conftest import browser_for

ROOT = Path(__file__).resolve().parents[2]
# The tables only the heavy reads touch: clocks, visits, suggestions, issues.
HEAVY = ('"clocks_clock"', '"followup_returnvisit"', '"followup_feedbackitem"')


def _heavy(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if any(t in q["sql"] for t in HEAVY)]


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]


@pytest.fixture
def replica(settings):
    settings.REPORTS_DATABASE = "replica"
    return connections["replica"]


both = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@both
def test_the_monthly_report_reads_only_from_the_replica(november, office, replica):
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        report = monthly_report(office.community, 2026, 11, now=NOW)
    assert report.line("RV-2-rate").figure == Decimal("83.3")  # the same figures
    assert len(on_replica) >= 10
    assert _heavy(on_replica)
    assert on_default.captured_queries == []
    assert _writes(on_replica) == []


@both
def test_every_report_route_reads_its_figures_from_the_replica(november, office, replica):
    """The console page, PDF and workbook, the API's report, files, comparison, compliance and
    satisfaction (KPI) figures: their heavy reads on the replica, none on the primary."""
    boss = User.objects.get(username="boss")
    cid = office.community.pk
    month = "month=2026-11"
    api = f"community={cid}&{month}"
    routes = [
        (browser_for(office.head), reverse("desk-report", args=[cid]) + f"?{month}"),
        (browser_for(office.head), reverse("desk-report-pdf", args=[cid]) + f"?{month}"),
        (browser_for(office.head), reverse("desk-report-xlsx", args=[cid]) + f"?{month}"),
        (browser_for(boss), reverse("desk-report-compare") + f"?{month}"),
        (client_for(office.head), reverse("report-monthly") + f"?{api}"),
        (client_for(office.head), reverse("report-pdf") + f"?{api}"),
        (client_for(office.head), reverse("report-xlsx") + f"?{api}"),
        (client_for(boss), reverse("report-compare") + f"?{month}"),
        (client_for(office.head), reverse("compliance") + f"?{api}"),
        (client_for(office.head), reverse("satisfaction") + f"?{api}"),
    ]
    for client, url in routes:
        with (
            CaptureQueriesContext(replica) as on_replica,
            CaptureQueriesContext(connections["default"]) as on_default,
        ):
            r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert _heavy(on_replica), url
        assert _heavy(on_default) == [], url
        assert _writes(on_replica) == [], url


@both
def test_access_is_checked_on_the_primary(november, office, other_office, replica):
    """Another community's report is 404 and a team member's 403, decided before any figure is
    read: the replica is not asked at all."""
    cid = other_office.community.pk
    for client, url, status in [
        (
            client_for(office.head),
            reverse("report-monthly") + f"?community={cid}&month=2026-11",
            404,
        ),
        (
            client_for(office.repair_member),
            reverse("compliance") + f"?community={office.community.pk}&month=2026-11",
            403,
        ),
    ]:
        with CaptureQueriesContext(replica) as on_replica:
            r = client.get(url)
        assert r.status_code == status
        assert _heavy(on_replica) == []


@both
def test_writes_never_go_to_the_replica(office, replica):
    """An object read inside replica_reads() comes from the replica; saving it writes to the
    primary."""
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
        replica_reads(),
    ):
        assert reads_alias() == "replica"
        community = Community.objects.get(pk=office.community.pk)
        assert community._state.db == "replica"
        community.name = "锦绣花园二期"
        community.save(update_fields=["name"])
    assert reads_alias() == "default"
    assert _writes(on_replica) == []
    assert any(s.startswith("UPDATE") for s in _writes(on_default))
    assert Community.objects.using("default").get(pk=office.community.pk).name == "锦绣花园二期"


@pytest.mark.django_db  # the primary only: any query to the replica would fail this test
def test_without_a_replica_nothing_changes(november, office):
    with replica_reads():
        assert reads_alias() == "default"
    report = monthly_report(office.community, 2026, 11, now=NOW)
    assert report.line("RV-2-rate").figure == Decimal("83.3")
    r = client_for(office.head).get(
        reverse("report-monthly") + f"?community={office.community.pk}&month=2026-11"
    )
    assert r.status_code == 200


def _settings(**env: str) -> str:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URL"}
    }
    run = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; print(sorted(s.DATABASES), s.REPORTS_DATABASE)",
        ],
        cwd=ROOT,
        env={**base, "SECRET_KEY": secrets.token_urlsafe(50), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def test_the_replica_alias_exists_only_when_configured():
    assert _settings() == "['default'] default"
    assert (
        _settings(DATABASE_REPLICA_URL="postgres://reader@replica-host:5432/propdesk")
        == "['default', 'replica'] replica"
    )


def test_objects_of_the_primary_and_the_replica_may_be_related_and_no_other(settings) -> None:
    """An order read from the replica may be given to a row written on the primary (they are
    the same data); a database that is neither is Django's own rule (no answer)."""
    from propdesk.core.replica import ReplicaRouter
    from propdesk.desk.models import WorkOrder

    def on(alias: str | None) -> WorkOrder:
        order = WorkOrder()
        order._state.db = alias
        return order

    router = ReplicaRouter()
    settings.REPORTS_DATABASE = "replica"
    assert router.allow_relation(on("default"), on("default")) is True
    assert router.allow_relation(on("default"), on("replica")) is True
    assert router.allow_relation(on("replica"), on("replica")) is True
    assert router.allow_relation(on("other"), on("default")) is None
    assert router.allow_relation(on("other"), on("other")) is None
    settings.REPORTS_DATABASE = "default"
    assert router.allow_relation(on("replica"), on("default")) is None
