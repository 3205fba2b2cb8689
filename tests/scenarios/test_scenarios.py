"""The shipped scenarios replay on the fake clock and come out as they say (every rule, end to
end through the services and the sweeper), and leave the database as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from propdesk.clocks.models import Clock
from propdesk.community.models import Community
from propdesk.demo.simulate import ScenarioError, run_scenario
from propdesk.desk.models import WorkOrder

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenario_runs_as_expected_and_keeps_nothing(db, path: Path) -> None:
    """FD-3 FD-5 FD-6 CP-1 CP-2 CP-3 CP-4 CP-5 CP-6 CP-7 DS-1 EM-2 RV-1 RV-6 RV-7 RV-8 WT-1 WT-3"""
    report = run_scenario(path.read_text(encoding="utf-8"))
    assert report.ok, report.failures
    assert report.outcomes
    assert not Community.objects.exists()
    assert not WorkOrder.objects.exists() and not Clock.objects.exists()


def test_every_timed_rule_is_walked_through_by_some_scenario(db) -> None:
    walk = [p for p in SCENARIOS if p.stem != "month"]  # the month adds volume, not rules
    rules = {o.rule_id for p in walk for o in run_scenario(p.read_text("utf-8")).outcomes}
    assert {
        "FD-3",
        "FD-5",
        "FD-6",
        "CP-1",
        "CP-2",
        "CP-3",
        "CP-4",
        "CP-5",
        "CP-6",
        "CP-7",
        "DS-1",
        "EM-2",
        "RV-1",
        "RV-6",
        "RV-7",
        "RV-8",
        "CP-5-rectification",
    } <= rules


def test_the_command_fails_when_an_expectation_is_not_met(db, tmp_path, capsys) -> None:
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text(
        "start: 2026-11-26T09:00:00+08:00\n"
        "steps:\n"
        "  - {at: +0m, open: {label: A, kind: complaint}}\n"
        "  - {at: +11m, end: true}\n"
        "expect: {A: {CP-1: met}}\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("simulate", str(scenario))
    out = capsys.readouterr().out
    assert "A CP-1: expected met, got breached" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("steps: []", "needs start and steps"),
        ("start: 2026-11-26T09:00:00\nsteps: []", "UTC offset"),
        ("start: 2026-11-26T09:00:00+08:00\nsteps:\n  - {at: soon, end: true}", "at must be"),
        (
            "start: 2026-11-26T09:00:00+08:00\nsteps:\n  - {act: {order: X, action: close}}",
            "no order labelled X",
        ),
        ("start: 2026-11-26T09:00:00+08:00\nsteps:\n  - {teleport: {}}", "unknown step"),
    ],
)
def test_a_wrong_scenario_says_where(db, text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        run_scenario(text)
