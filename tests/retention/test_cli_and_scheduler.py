"""`passerelle retention run|rules` on a demo node, and the retention task inside the node."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from passerelle.audit.reader import AuditSearch
from passerelle.cli import app
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, write_config
from passerelle.domain.countries import Country
from passerelle.exc import ConfigError
from passerelle.node.context import NodeContext
from passerelle.retention.catalogue import node_rules
from passerelle.retention.period import Period
from passerelle.retention.rules import RetentionRule, register_rule, unregister_rule
from passerelle.retention.scheduler import RetentionScheduler
from passerelle.retention.service import RetentionBusy
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.retention.conftest import RuleTable

runner = CliRunner()


@pytest.fixture
def node(tmp_path: Path) -> DemoNode:
    n = DemoNode(Country.BE, tmp_path / "demo" / "BE", 18401)
    write_config(n)
    init_identity(n)
    return n


def _old_and_new_request(ctx: NodeContext) -> tuple[object, object]:
    rule = next(r for r in ctx.retention.rules() if r.name == "follow_up_requests")
    table = RuleTable.of(ctx.engine, rule)
    now = dt.datetime.now(dt.UTC)
    old = table.insert(created_at=rule.period.cutoff(now) - dt.timedelta(days=1))
    new = table.insert(created_at=now - dt.timedelta(days=1))
    return old, new


def test_cli_dry_run_then_run(node: DemoNode) -> None:
    ctx = NodeContext.build(load_settings(node.config))
    old, new = _old_and_new_request(ctx)
    args = ["retention", "run", "--data-dir", str(node.directory.parent), "--country", "BE"]
    dry = runner.invoke(app, [*args, "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    rules = {r["rule"]: r for r in json.loads(dry.output)["rules"]}
    assert rules["follow_up_requests"]["status"] == "would_delete"
    assert rules["follow_up_requests"]["count"] == 1
    assert rules["anpr_reads"]["status"] == "would_delete"  # the table exists (migration 0010)
    assert rules["anpr_reads"]["count"] == 0
    assert rules["anpr_reads"]["period"] == "P1Y"  # BE: 12 months
    assert ctx.audit.count(AuditSearch(kind="erasure")) == 0
    done = runner.invoke(app, [*args, "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    rules = {r["rule"]: r for r in report["rules"]}
    assert rules["follow_up_requests"] == {**rules["follow_up_requests"], "count": 1}
    assert rules["follow_up_requests"]["status"] == "deleted"
    with ctx.engine.connect() as conn:
        left = set(conn.execute(sa.text("SELECT id FROM follow_up_requests")).scalars())
    assert left == {new} and old not in left
    applied = [r for r in report["rules"] if r["status"] == "deleted"]
    assert ctx.audit.count(AuditSearch(kind="erasure")) == len(applied)
    assert ctx.retention.recent_runs()[0]["run_id"] == report["run_id"]
    table = runner.invoke(app, args)  # the human table, with nothing left to delete
    assert table.exit_code == 0 and "deleted 0 row(s)" in table.output
    ctx.engine.dispose()


def test_cli_rules_and_bad_configuration(node: DemoNode) -> None:
    out = runner.invoke(
        app,
        [
            "retention",
            "rules",
            "--json",
            "--data-dir",
            str(node.directory.parent),
            "--country",
            "BE",
        ],
    )
    assert out.exit_code == 0, out.output
    names = {r["name"] for r in json.loads(out.output)}
    assert {"checks", "follow_up_requests", "audit_entries", "anpr_reads"} <= names
    text = node.config.read_text() + '\n[retention.periods]\nno_such_rule = "P1D"\n'
    node.config.write_text(text)
    bad = runner.invoke(app, ["retention", "rules", "--config", str(node.config)])
    assert bad.exit_code == 1 and "no_such_rule" in bad.output


def test_configuration_and_registry_precedence(node: DemoNode) -> None:
    settings = load_settings(
        node.config,
        retention={
            "periods": {"checks": "P30D"},
            "rules": [
                {
                    "name": "incidents",
                    "table": "incidents",
                    "timestamp_column": "reported_at",
                    "period": 365,
                    "condition": {"shared": True},
                }
            ],
        },
    )
    register_rule(
        RetentionRule(
            name="checks",
            dataset="checks",
            table="check_results",
            timestamp_column="at",
            period=Period.parse("P7D"),
            legal_basis="registered",
        )
    )
    try:
        rules = {r.name: r for r in node_rules(settings)}
    finally:
        unregister_rule("checks")
    assert rules["checks"].table == "check_results"  # the registry replaces the default
    assert rules["checks"].period == Period.parse("P30D")  # the configuration sets the period
    assert rules["incidents"].period == Period(seconds=365 * 86400)
    assert rules["incidents"].condition_text == "shared = true"
    with pytest.raises(ConfigError):
        node_rules(load_settings(node.config, retention={"periods": {"checks": "soon"}}))


async def test_scheduler_runs_on_wake_and_is_single_flight(node: DemoNode) -> None:
    ctx = NodeContext.build(load_settings(node.config))
    _old_and_new_request(ctx)
    scheduler = RetentionScheduler(ctx.retention, interval_s=3600)
    scheduler.start()
    try:
        scheduler.wake()
        deadline = time.monotonic() + 20
        while scheduler.runs == 0:
            assert time.monotonic() < deadline, "the scheduled run did not happen"
            await asyncio.sleep(0.02)
        assert ctx.retention.recent_runs()[0]["trigger"] == "scheduler"
        assert ctx.retention._lock.acquire(blocking=False)  # a run under way...
        try:
            assert await scheduler.tick() is None  # ...so this turn is skipped
            with pytest.raises(RetentionBusy):
                ctx.retention.run()
        finally:
            ctx.retention._lock.release()
        assert scheduler.skipped == 1 and scheduler.runs == 1
    finally:
        await scheduler.stop()
        ctx.engine.dispose()


@pytest.mark.parametrize("schedule", [True, False])
def test_the_node_starts_the_task_unless_switched_off(node: DemoNode, schedule: bool) -> None:
    ctx = NodeContext.build(load_settings(node.config, retention={"schedule": schedule}))
    application = create_app(ctx)
    with TestClient(application):
        task = getattr(application.state, "retention_scheduler", None)
        assert (task is not None) is schedule
