"""Retention of hotlist entries, removed entries and the partner feed: boundary tests.

Runs on SQLite and (integration) PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from passerelle.anpr.hotlists_retention import ENTRIES_RULE, FEED_RULE, REMOVED_RULE
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.retention.catalogue import node_rules
from passerelle.retention.engine import RetentionEngine
from passerelle.settings import load_settings
from passerelle.storage.tables_anpr_hotlists import (
    anpr_hotlist_entries,
    anpr_hotlist_feed,
    anpr_hotlist_shares,
)
from tests.anpr.exchange_fixtures import CONTACT, Clock, entry
from tests.node.conftest import free_port

SECOND = dt.timedelta(seconds=1)
DAYS_30 = dt.timedelta(days=30)


@pytest.fixture
def node(tmp_path: Path, db_url: str) -> Iterator[tuple[NodeContext, Clock]]:
    demo = DemoNode(Country.BE, tmp_path / "BE", free_port())
    write_config(demo)
    init_identity(demo)
    ctx = NodeContext.build(load_settings(demo.config, database={"url": db_url}))
    clock = Clock()
    ctx.anpr.set_clock(clock)
    yield ctx, clock
    ctx.engine.dispose()


def _ids(ctx: NodeContext, table: sa.Table, column: str) -> set[str]:
    with ctx.engine.connect() as conn:
        return {str(v) for v in conn.execute(sa.select(table.c[column])).scalars()}


def _run(ctx: NodeContext, at: dt.datetime) -> dict[str, int]:
    engine = RetentionEngine(
        ctx.engine,
        [ENTRIES_RULE, REMOVED_RULE, FEED_RULE],
        country=Country.BE,
        audit=ctx.audit,
        clock=lambda: at,
    )
    return {o.rule: o.count for o in engine.run().outcomes}


def test_entries_go_thirty_days_after_expiry_or_removal(node: tuple[NodeContext, Clock]) -> None:
    ctx, clock = node
    t0 = clock.now
    service = ctx.anpr.hotlists
    hl = service.create_list(CONTACT, "Retention", "case")
    expires = t0 + dt.timedelta(days=1)
    service.add_entries(
        CONTACT,
        hl.hotlist_id,
        [
            entry("1-AAA-001", entry_id="exp", expires_at=expires.isoformat()),
            entry(
                "1-AAA-002", entry_id="rem", expires_at=(t0 + dt.timedelta(days=300)).isoformat()
            ),
            entry(
                "1-AAA-003", entry_id="keep", expires_at=(t0 + dt.timedelta(days=300)).isoformat()
            ),
        ],
    )
    with ctx.engine.begin() as conn:  # as if shared (the share goes with its entry)
        service.store.set_share(conn, "BE-exp", Country.NL, "contact", t0)
        service.store.append_feed(conn, Country.NL, "BE-exp", "upsert", t0)
    clock.advance(days=2)
    service.remove(CONTACT, ["BE-rem"])
    removed_at = clock.now

    assert _run(ctx, expires + DAYS_30 - SECOND)["anpr_hotlist_entries"] == 0
    assert _run(ctx, expires + DAYS_30 + SECOND)["anpr_hotlist_entries"] == 1
    assert _ids(ctx, anpr_hotlist_entries, "entry_id") == {"BE-rem", "BE-keep"}
    assert _ids(ctx, anpr_hotlist_shares, "entry_id") == set()

    assert _run(ctx, removed_at + DAYS_30 - SECOND)["anpr_hotlist_removed"] == 0
    assert _run(ctx, removed_at + DAYS_30 + SECOND)["anpr_hotlist_removed"] == 1
    assert _ids(ctx, anpr_hotlist_entries, "entry_id") == {"BE-keep"}

    assert _run(ctx, t0 + dt.timedelta(days=180) - SECOND)["anpr_hotlist_feed"] == 0
    assert _run(ctx, t0 + dt.timedelta(days=180) + SECOND)["anpr_hotlist_feed"] == 1
    assert _ids(ctx, anpr_hotlist_feed, "entry_id") == set()
    # a trimmed feed: the partner's next pull gets a snapshot instead of changes
    answer = service.feed_answer(Country.NL, {"since": 0})
    assert answer["full"] is True and answer["entries"] == []


def test_the_node_applies_the_rules() -> None:
    from passerelle.settings import NodeSettings

    names = {r.name for r in node_rules(NodeSettings(country=Country.NL))}
    assert {
        "anpr_hotlist_entries",
        "anpr_hotlist_removed",
        "anpr_hotlist_feed",
        "anpr_hits",
    } <= names
