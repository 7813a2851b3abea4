"""Retention of camera reads per jurisdiction: one second inside stays, one second outside goes.

On PostgreSQL whole days before the cutoff are dropped as partitions and the
boundary day is cut row by row; on SQLite rows are deleted in batches. Each
run leaves one ERASURE entry per rule in the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from passerelle.anpr.reads_partitions import existing_partitions, partition_name
from passerelle.audit.reader import AuditSearch
from passerelle.domain.countries import Country
from passerelle.retention.period import Period
from passerelle.retention.service import RetentionService
from tests.anpr.ingest_support import Clock, make_ctx

NOW = dt.datetime(2026, 11, 23, 12, 30, 15, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
PERIODS = {Country.NL: "P28D", Country.LU: "P28D", Country.BE: "P12M", Country.DE: "P28D"}


def row(read_id: str, at: dt.datetime, *, hit: bool = False) -> dict[str, Any]:
    return {
        "read_id": read_id,
        "read_at": at,
        "camera_id": "CAM-E40-1",
        "site": "E40",
        "lat": 50.7,
        "lon": 6.1,
        "direction": "W",
        "received_at": at,
        "plate": "1ABC234",
        "plate_raw": "1ABC234",
        "plate_country": "BE",
        "country_inferred": True,
        "confidence": 0.9,
        "image_ref": None,
        "hit": hit,
    }


@pytest.mark.parametrize("country", [Country.NL, Country.LU, Country.BE, Country.DE])
def test_reads_retention_boundary_per_country(
    tmp_path: Path, db_url: str, country: Country
) -> None:
    clock = Clock(NOW)
    ctx = make_ctx(tmp_path, country, db_url, clock=clock, cameras=False)
    cutoff = Period.parse(PERIODS[country]).cutoff(NOW)
    hit = country is Country.DE  # DE keeps hit reads only
    rows = [
        row("inside", cutoff + SECOND, hit=hit),
        row("outside", cutoff - SECOND, hit=hit),
        row("old", cutoff - dt.timedelta(days=3), hit=hit),
        row("recent", NOW - dt.timedelta(hours=1), hit=hit),
    ]
    if country is Country.DE:  # the safety net: a no-hit read goes at once
        rows += [row("no-hit-now", NOW - SECOND), row("no-hit-future", NOW + SECOND)]
    store = ctx.anpr.reads
    store.prepare(rows)
    with ctx.engine.begin() as conn:
        assert store.insert(conn, rows) == len(rows)
    old_day = (cutoff - dt.timedelta(days=3)).date()
    if store.partitions.enabled:
        with ctx.engine.connect() as conn:
            assert partition_name(old_day) in existing_partitions(conn).values()
    service = RetentionService(ctx.engine, ctx.settings, audit=ctx.audit, clock=clock)
    report = service.run(trigger="test")
    outcomes = {o.rule: o for o in report.outcomes}
    reads = outcomes["anpr_reads"]
    assert reads.status == "deleted" and reads.count == 2
    assert reads.oldest == cutoff - dt.timedelta(days=3) and reads.newest == cutoff - SECOND
    left = {
        r["read_id"]
        for r in store.window(
            since=NOW - dt.timedelta(days=800), until=NOW + dt.timedelta(days=1)
        ).to_dicts()
    }
    expected = {"inside", "recent"} | ({"no-hit-future"} if country is Country.DE else set())
    assert left == expected
    if country is Country.DE:
        assert outcomes["anpr_reads_no_hit"].count == 1
    else:
        assert "anpr_reads_no_hit" not in outcomes
    if store.partitions.enabled:
        with ctx.engine.connect() as conn:
            days = existing_partitions(conn)
        assert old_day not in days  # dropped as a whole
        assert (cutoff + SECOND).date() in days  # the boundary day stays, cut row by row
    erasures = ctx.audit.search(AuditSearch(kind="erasure", limit=50))
    rules = {e.detail["rule"]: e.detail["count"] for e in erasures}
    assert rules["anpr_reads"] == 2


def test_partitions_do_not_disturb_the_schema_comparison(pg_url: str, tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from passerelle.storage.tables import metadata
    from tests.storage.test_db import _not_a_partition

    ctx = make_ctx(tmp_path, Country.NL, pg_url, cameras=False)
    ctx.anpr.reads.partitions.ensure([dt.date(2026, 11, 20)])
    with ctx.engine.connect() as conn:
        assert len(existing_partitions(conn)) == 3  # the day and two ahead
        context = MigrationContext.configure(conn, opts={"include_object": _not_a_partition})
        assert compare_metadata(context, metadata) == []


def test_a_read_in_the_default_partition_moves_into_its_day(pg_url: str, tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, Country.NL, pg_url, cameras=False)
    at = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
    with ctx.engine.begin() as conn:  # no partition for the day yet: the default takes it
        ctx.anpr.reads.insert(conn, [row("early", at)])
        assert conn.execute(sa.text("SELECT count(*) FROM anpr_reads_default")).scalar_one() == 1
    ctx.anpr.reads.partitions.ensure([at.date()])
    with ctx.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM anpr_reads_default")).scalar_one() == 0
        moved = f'SELECT read_id FROM "{partition_name(at.date())}"'
        assert conn.execute(sa.text(moved)).scalars().all() == ["early"]
