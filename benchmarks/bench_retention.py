"""Retention benchmark: how fast the engine deletes a backlog, in bounded batches.

For SQLite and PostgreSQL (if reachable): a ``follow_up_requests`` table with N rows,
half of them past the rule's period, interleaved in time. The engine deletes the
expired half in batches (default 1,000 rows per transaction, oldest first, one
ERASURE audit entry for the rule). Baseline in the same process, on an identical copy:
one unbounded ``DELETE ... WHERE created_at < cutoff`` (fast, but one long transaction
holding its locks for the whole backlog).
Run: .venv/bin/python -m benchmarks.bench_retention [--rows 200000] [--no-pg]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.bench_audit import database
from benchmarks.common import report
from passerelle.audit.protect import DpoKeys
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from passerelle.retention.catalogue import builtin_rules
from passerelle.retention.engine import RetentionEngine
from passerelle.storage.db import create_engine, migrate
from passerelle.storage.tables import follow_up_requests

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
RULE = next(r for r in builtin_rules(Country.NL) if r.name == "follow_up_requests")


def fill(engine: sa.Engine, rows: int, tag: str) -> None:
    cutoff = RULE.period.cutoff(NOW)
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for i in range(rows):
            expired = i % 2 == 0
            at = cutoff - dt.timedelta(minutes=i + 1) if expired else NOW - dt.timedelta(minutes=i)
            batch.append(
                {
                    "request_id": f"{tag}{i:09d}",
                    "direction": "outgoing",
                    "partner": "BE",
                    "reference": f"ref-{i}",
                    "dataset": "wanted_persons",
                    "officer": "nl-officer",
                    "justification": "benchmark",
                    "urgency": "normal",
                    "purpose": "investigation",
                    "status": "answered",
                    "created_at": at,
                    "deadline_at": at + dt.timedelta(days=7),
                }
            )
            if len(batch) == 10_000:
                conn.execute(sa.insert(follow_up_requests), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(follow_up_requests), batch)
    if engine.dialect.name == "postgresql":  # fresh statistics, as autovacuum keeps them
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE follow_up_requests"))


def run(url: str, rows: int, batch_size: int) -> dict[str, Any]:
    engine = create_engine(url)
    migrate(engine)
    fill(engine, rows, "A")
    log = SqlAuditLog(engine, key=NodeKey.generate(Country.NL), dpo=DpoKeys.generate())
    retention = RetentionEngine(
        engine, [RULE], country=Country.NL, audit=log, clock=lambda: NOW, batch_size=batch_size
    )
    t0 = time.perf_counter()
    out = retention.run()
    engine_s = time.perf_counter() - t0
    deleted = out.outcomes[0].count
    # baseline: the same backlog again, one unbounded DELETE
    fill(engine, rows, "B")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        base = conn.execute(
            sa.delete(follow_up_requests).where(
                follow_up_requests.c.created_at < RULE.period.cutoff(NOW)
            )
        ).rowcount
    base_s = time.perf_counter() - t0
    engine.dispose()
    return {
        "backend": engine.dialect.name,
        "rows": rows,
        "deleted": deleted,
        "batch": batch_size,
        "engine_s": engine_s,
        "engine_rows_per_s": deleted / engine_s,
        "baseline_deleted": int(base),
        "baseline_s": base_s,
        "ratio_to_baseline": base_s / engine_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", *(() if args.no_pg else ("postgresql",))):
            with database(backend, Path(tmp)) as url:
                if url is None:
                    print(f"{backend}: not reachable, skipped")
                    continue
                results.append(run(url, args.rows, args.batch))
    report("retention", results)


if __name__ == "__main__":
    main()
