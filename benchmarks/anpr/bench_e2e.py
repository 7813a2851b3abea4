"""ANPR end to end: camera reads → ingest → match → store → hit at the owner's stream.

Two real nodes run as separate processes on loopback: BE (the reporting
country: its cameras, its own hotlist of ``--entries`` plates, and entries NL
shared with it) and NL (the owner of the shared entries). This driver process
feeds BE and listens to NL's live hit stream (server-sent events).

- **throughput**: ``--reads`` reads (a realistic plate mix: a vehicle
  population seen again and again, 3 % OCR misreads) fed as fast as BE takes
  them — *embedded*: ``POST /api/v1/anpr/reads`` batches of 5,000 into BE on
  SQLite with the in-process queue; *production*: published to NATS JetStream
  and pulled by BE's durable consumer into PostgreSQL. Baseline in the same
  run: the same rows written by a bare ``executemany`` into the same database
  (no parsing, normalising, matching): the storage floor.
- **latency**: reads at ``--rate`` reads/s (5,000 by default) in batches every
  100 ms, with planted reads of NL's shared plates; for each planted hit, the
  time from sending its batch to the hit's arrival on NL's
  ``/api/v1/anpr/hits/stream`` (BE matches, records, routes via its outbox over
  signed federation; NL records and publishes). Reported as p50/p90/p99.

    .venv/bin/python -m benchmarks.anpr.bench_e2e [--quick] [--backend embedded|production|both]

Production needs PostgreSQL (``PASSERELLE_TEST_POSTGRES``) and NATS
(``PASSERELLE_TEST_NATS``); it is skipped with a note when they are absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from benchmarks.anpr.e2e_setup import (
    NATS,
    PG,
    HttpFeeder,
    NatsFeeder,
    Pair,
    Stream,
    token,
    wait,
)
from benchmarks.common import report
from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.settings import load_settings
from passerelle.storage.db import create_engine, migrate


def count_reads(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM anpr_reads")).scalar_one())


def storage_floor(db_url: str, batches: list[list[dict[str, Any]]]) -> float:
    """Rows/s of the read store's own insert into an empty database: no parsing, no
    normalising, no matching, no hits (the baseline)."""
    from passerelle.anpr.reads import ReadStore

    engine = create_engine(db_url)
    migrate(engine)
    store = ReadStore(engine, Country.BE)
    now = dt.datetime.now(dt.UTC)
    rows = [
        [
            {
                "read_id": r["read_id"], "camera_id": r["camera_id"], "site": "E40", "lat": 50.7,
                "lon": 6.1, "direction": "W", "read_at": now, "received_at": now,
                "plate": r["plate"], "plate_raw": r["plate"], "plate_country": "BE",
                "country_inferred": True, "confidence": 0.9, "image_ref": r["image_ref"],
                "hit": False,
            }
            for r in batch
        ]
        for batch in batches
    ]  # fmt: skip
    n = sum(len(b) for b in rows)
    t0 = time.perf_counter()
    for batch in rows:
        store.prepare(batch)
        with engine.begin() as conn:
            store.insert(conn, batch)
    elapsed = time.perf_counter() - t0
    engine.dispose()
    return n / elapsed


def throughput(feeder: Any, be: sa.Engine, stream: Stream, n: int) -> tuple[float, list[Any]]:
    now = dt.datetime.now(dt.UTC)
    batches = [stream.batch(5000, now) for _ in range(n // 5000)]
    bodies = [feeder.encode(b) for b in batches]
    before = count_reads(be)
    t0 = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(feeder.send, bodies))
    wait(lambda: count_reads(be) >= before + n, 600, "all reads stored")
    return n / (time.perf_counter() - t0), batches


def latency(
    feeder: Any, pair: Pair, stream: Stream, shared: list[str], rate: int, seconds: float
) -> dict[str, Any]:
    sent: dict[str, float] = {}
    arrived: dict[str, float] = {}
    bearer = token(pair.nl, Role.CONTROL_ROOM)
    stop = threading.Event()
    opened = threading.Event()

    def listen() -> None:
        headers = {"Authorization": f"Bearer {bearer}"}
        with httpx.stream(
            "GET", f"{pair.nl.url}/api/v1/anpr/hits/stream", headers=headers, timeout=None
        ) as r:
            opened.set()
            for line in r.iter_lines():
                if line.startswith("data:"):
                    data = json.loads(line[5:])
                    if data.get("read_id") in sent and data.get("received"):
                        arrived.setdefault(data["read_id"], time.monotonic())
                if stop.is_set():
                    return

    threading.Thread(target=listen, daemon=True).start()
    opened.wait(10)
    ticks = int(seconds * 10)
    per_tick = rate // 10
    plant = iter(shared)
    pool = ThreadPoolExecutor(4)
    start = time.monotonic()
    for tick in range(ticks):
        hits = [next(plant)] if tick % 2 == 0 else []  # 5 planted hits per second
        batch = stream.batch(per_tick - len(hits), dt.datetime.now(dt.UTC), hits)
        body = feeder.encode(batch)
        at = time.monotonic()
        for r in batch[len(batch) - len(hits) :]:
            sent[r["read_id"]] = at
        pool.submit(feeder.send, body)
        pause = start + (tick + 1) / 10 - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    pool.shutdown(wait=True)
    achieved = ticks * per_tick / (time.monotonic() - start)
    deadline = time.monotonic() + 15
    while len(arrived) < len(sent) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    ms = sorted((arrived[k] - sent[k]) * 1000 for k in arrived)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) >= 2 else [float("nan")] * 99
    return {
        "rate": round(achieved),
        "planted": len(sent),
        "received": len(arrived),
        "p50_ms": round(statistics.median(ms), 1) if ms else None,
        "p90_ms": round(q[89], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(ms[-1], 1) if ms else None,
    }


def backend(kind: str, args: argparse.Namespace, root: Path) -> dict[str, Any] | None:
    admin: sa.Engine | None = None
    names: list[str] = []
    anpr: dict[str, Any] = {"queue": "memory"}
    db_url: str | None = None
    floor_url = f"sqlite:///{root / kind / 'floor.db'}"
    run = uuid.uuid4().hex[:8]
    if kind == "production":
        admin = sa.create_engine(PG, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                for name in (f"bench_be_{run}", f"bench_floor_{run}"):
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                    names.append(name)
        except Exception as e:
            print(f"production skipped: PostgreSQL unavailable ({type(e).__name__})")
            return None
        db_url = admin.url.set(database=names[0]).render_as_string(hide_password=False)
        floor_url = admin.url.set(database=names[1]).render_as_string(hide_password=False)
        anpr = {
            "queue": "nats", "nats_url": NATS, "nats_stream": f"BENCH_{run.upper()}",
            "nats_subject_prefix": f"bench{run}", "nats_batch": 20,
        }  # fmt: skip
    pair = Pair(root / kind, db_url, anpr)
    feeder: Any = None
    try:
        shared = pair.prepare(args.entries, int(args.seconds * 5) + 20, args.seed)
        pair.start()
        be = create_engine(load_settings(pair.be.config).db_url)
        shared_sql = "SELECT count(*) FROM anpr_hotlist_entries WHERE owner_country = 'NL'"

        def synced() -> bool:
            with be.connect() as conn:
                return int(conn.execute(sa.text(shared_sql)).scalar_one()) >= len(shared)

        wait(synced, 120, "NL's entries at BE")
        if kind == "production":
            subject = f"bench{run}.be.anpr.reads"
            feeder = NatsFeeder(NATS, anpr["nats_stream"], subject)
        else:
            feeder = HttpFeeder(pair.be.url, token(pair.be, Role.CONTROL_ROOM))
        stream = Stream(args.seed)
        throughput(feeder, be, stream, 5000)  # warm-up: index built, caches filled
        rates: list[float] = []
        batches: list[Any] = []
        for _ in range(args.repeats):
            rate, batches = throughput(feeder, be, stream, args.reads)
            rates.append(rate)
        floor = storage_floor(floor_url, batches)
        lat = latency(feeder, pair, stream, shared, args.rate, args.seconds)
        be.dispose()
        median = statistics.median(rates)
        return {
            "backend": "embedded (SQLite, HTTP, in-process queue)"
            if kind == "embedded"
            else "production (NATS JetStream, PostgreSQL)",
            "hotlist": args.entries + len(shared),
            "reads_per_s": round(median),
            "runs": [round(r) for r in rates],
            "floor_rows_per_s": round(floor),
            "vs_floor": round(median / floor, 2),
            **{f"lat_{k}": v for k, v in lat.items()},
        }
    finally:
        if feeder is not None:
            feeder.close()
        pair.stop()
        if admin is not None:
            with admin.connect() as conn:
                for name in names:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="Small run (development).")
    parser.add_argument("--backend", choices=["embedded", "production", "both"], default="both")
    parser.add_argument("--reads", type=int, default=100_000, help="Reads per throughput run.")
    parser.add_argument("--repeats", type=int, default=3, help="Throughput runs (median).")
    parser.add_argument("--entries", type=int, default=100_000, help="BE's own hotlist size.")
    parser.add_argument("--rate", type=int, default=5000, help="Reads/s of the latency run.")
    parser.add_argument("--seconds", type=float, default=30.0, help="Length of the latency run.")
    parser.add_argument("--seed", type=int, default=20231001)
    args = parser.parse_args()
    if args.quick:
        args.reads, args.repeats, args.entries, args.seconds = 20_000, 1, 10_000, 8.0
    import tempfile

    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-anpr-e2e-") as tmp:
        kinds = ["embedded", "production"] if args.backend == "both" else [args.backend]
        for kind in kinds:
            row = backend(kind, args, Path(tmp))
            if row is not None:
                rows.append(row)
    extra = {"load_before": load_before, "load_after": os.getloadavg(), "args": vars(args)}
    print(f"load average before {load_before}, after {os.getloadavg()}")
    report("anpr_e2e", rows, extra)


if __name__ == "__main__":
    main()
