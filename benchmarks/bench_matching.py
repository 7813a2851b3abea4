"""Matching benchmark: FEBRL4 against recordlinkage and splink in the same run, the
cross-border name set, and single-query latency over a large register.

Run: .venv/bin/python -m benchmarks.bench_matching [--persons 1000000] [--queries 1000]
     [--crossborder-persons 50000] [--skip-latency] [--db-path nl.db [--reuse]]
The FEBRL4 peers need the bench extra: `make bench-deps` (see docs/performance.md).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.common import report
from benchmarks.matching import crossborder, febrl, latency


def _rounded(row: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000, help="register size (latency)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--crossborder-persons", type=int, default=50_000)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--db-url", default=None, help="PostgreSQL URL for the latency run")
    parser.add_argument("--db-path", type=Path, default=None, help="SQLite file (kept)")
    parser.add_argument("--reuse", action="store_true", help="reuse a filled --db-path/--db-url")
    parser.add_argument(
        "--importer", action="store_true", help="load through the importer, not the bulk loader"
    )
    args = parser.parse_args()

    rows = [_rounded(r) for r in febrl.run_all()]
    report("matching_febrl4", rows)
    cb = crossborder.run(args.crossborder_persons)
    kinds = cb.pop("errors_injected")
    report("matching_crossborder", [_rounded(cb)], {"errors_injected": kinds})
    if not args.skip_latency:
        result = latency.run(
            args.persons, args.queries, args.db_url, reuse=args.reuse, bulk=not args.importer,
            db_path=args.db_path,
        )  # fmt: skip
        report("matching_latency", [_rounded(result)])


if __name__ == "__main__":
    main()
