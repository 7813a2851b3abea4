"""Audit log benchmark: chained writes, per-check latency, verification.

For SQLite (WAL, synchronous=NORMAL) and PostgreSQL (if reachable):
- bulk writes by one writer (``append_many`` in batches of 1,000) and by 8 concurrent
  writers (batches of 100), in entries/s, against a baseline in the same process: a plain
  executemany INSERT of the same rows (same columns, no chaining, no encryption);
- the latency of one ``append`` (what logging adds to a check), median and p99, against
  a plain one-row INSERT + COMMIT;
- ``verify_db`` over everything written, against a bare SELECT of the same columns; and
  the offline ``verify_file`` of a JSONL export.
Run: .venv/bin/python -m benchmarks.bench_audit [--entries 1000000] [--no-pg]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.common import OUT, report
from passerelle.audit.canonical import GENESIS, chain_hash, columns_of, dumps, entry_object
from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef, Recipient
from passerelle.audit.export import export_jsonl
from passerelle.audit.offline import verify_file
from passerelle.audit.protect import DpoKeys
from passerelle.audit.sql import SqlAuditLog
from passerelle.audit.verify import verify_db
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from passerelle.storage.db import create_engine, migrate
from passerelle.storage.tables import audit_chain, audit_entries

PG_ADMIN = os.environ.get(
    "PASSERELLE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def event(i: int) -> AuditEvent:
    """A typical person check as the requesting node logs it."""
    return AuditEvent(
        kind=EventKind.PARTNER_QUERY_SENT,
        actor=Actor(subject=f"officer-{i % 500}", role="officer", country=Country.BE, unit="ZP"),
        outcome="hit" if i % 20 == 0 else "no_hit",
        purpose="joint_control",
        justification="joint patrol, roadside check",
        legal_ref=LegalRef(patrol_id=f"patrol-{i % 50}"),
        query={
            "family_name": "Janssens",
            "given_names": "Marie",
            "birth_date": "1987-03-14",
            "national_id": f"87031400{i % 1000:03d}",
        },
        datasets=("population", "wanted_persons", "police_records"),
        record_ids=(f"rec-{i}",) if i % 20 == 0 else (),
        recipients=(Recipient(country=Country.NL),),
        partner=Country.NL,
        exchange_id=str(uuid.uuid4()),
        detail={"latency_ms": 12},
    )


def plain_rows(n: int, dpo: DpoKeys) -> list[dict[str, Any]]:
    """The same rows the audit log writes, built beforehand: the baseline inserts these."""
    rows = []
    for i in range(n):
        ev, entry_id = event(i), str(uuid.uuid4())
        obj = entry_object(
            ev,
            position=i + 1,
            entry_id=entry_id,
            node="BE",
            query=dpo.encrypt(ev.query, entry_id),
            query_key=dpo.key_id,
            subject_keys=dpo.subject_keys(ev.query),
        )
        row = columns_of(obj)
        row.update(canonical=dumps(obj), prev_hash=GENESIS, hash=GENESIS)
        rows.append(row)
    return rows


@contextmanager
def database(backend: str, tmp: Path) -> Iterator[str | None]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / f'audit-{uuid.uuid4().hex[:8]}.db'}"
        return
    admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"passerelle_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        admin.dispose()
        yield None
        return
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def open_log(url: str) -> SqlAuditLog:
    engine = create_engine(url)
    migrate(engine)
    return SqlAuditLog(engine, key=NodeKey.generate(Country.BE), dpo=DpoKeys.generate())


def write_bulk(log: SqlAuditLog, total: int, writers: int, batch: int) -> float:
    per = total // writers

    def work(w: int) -> None:
        for start in range(0, per, batch):
            log.append_many([event(w * per + start + j) for j in range(min(batch, per - start))])

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def baseline_bulk(url: str, rows: list[dict[str, Any]], batch: int) -> float:
    engine = create_engine(url)
    migrate(engine)
    t0 = time.perf_counter()
    for start in range(0, len(rows), batch):
        with engine.begin() as conn:
            conn.execute(audit_entries.insert(), rows[start : start + batch])
    seconds = time.perf_counter() - t0
    engine.dispose()
    return seconds


def latencies(log: SqlAuditLog, samples: int) -> list[float]:
    out = []
    for i in range(samples):
        ev = event(i)
        t0 = time.perf_counter()
        log.append(ev)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def baseline_latencies(url: str, rows: list[dict[str, Any]]) -> list[float]:
    engine = create_engine(url)
    migrate(engine)
    out = []
    for row in rows:
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(audit_entries.insert(), [row])
        out.append((time.perf_counter() - t0) * 1000)
    engine.dispose()
    return out


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def bare_select(engine: sa.Engine) -> float:
    t0 = time.perf_counter()
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            cur = raw.driver_connection.cursor(name="bench_select")  # type: ignore[union-attr]
        else:
            cur = raw.cursor()
        cur.execute(
            "SELECT position, canonical, prev_hash, hash FROM audit_entries ORDER BY position"
        )
        while cur.fetchmany(20_000):
            pass
    finally:
        raw.close()
    return time.perf_counter() - t0


class Rows(list[dict[str, Any]]):
    """Result rows, each printed and saved as soon as it is measured (long runs)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def append(self, item: dict[str, Any]) -> None:
        super().append(item)
        print({k: round(v, 4) if isinstance(v, float) else v for k, v in item.items()}, flush=True)
        self.path.write_text(json.dumps(list(self), indent=2))


def run_backend(
    backend: str, args: argparse.Namespace, tmp: Path, rows: Rows
) -> list[dict[str, Any]]:
    n = args.entries if backend == "sqlite" else args.pg_entries or args.entries
    base_n, samples = min(n, args.baseline_entries), args.samples
    dpo = DpoKeys.generate()
    base = plain_rows(base_n, dpo)
    with database(backend, tmp) as url:
        if url is None:
            print(f"{backend}: not reachable, skipped")
            return rows
        log = open_log(url)
        seconds = write_bulk(log, n, 1, 1000)
        with database(backend, tmp) as burl:
            assert burl is not None
            base_s = baseline_bulk(burl, base, 1000)
        rate, base_rate = n / seconds, base_n / base_s
        rows.append(row(backend, "write, 1 writer (batches of 1,000)", n, seconds, rate, base_rate))
        vr = verify_db(log)
        assert vr.ok, vr.findings
        sel = bare_select(log.engine)
        rows.append(
            row(
                backend,
                "verify_db (chain + heads)",
                vr.entries,
                vr.seconds,
                vr.entries / vr.seconds,
                vr.entries / sel,
            )
        )
        if backend == "sqlite":
            out = tmp / "export.jsonl"
            t0 = time.perf_counter()
            export_jsonl(log, out)
            ex_s = time.perf_counter() - t0
            rows.append(row(backend, "export_jsonl", vr.entries, ex_s, vr.entries / ex_s, None))
            fr = verify_file(out, log.key.public_key)
            assert fr.ok, fr.findings
            rows.append(
                row(
                    backend,
                    "verify_file (offline)",
                    fr.entries,
                    fr.seconds,
                    fr.entries / fr.seconds,
                    None,
                )
            )
            out.unlink()
        log.engine.dispose()
    with database(backend, tmp) as url:
        assert url is not None
        log = open_log(url)
        cn = args.concurrent_entries if backend == "sqlite" else args.pg_concurrent_entries
        cn = cn or n
        seconds = write_bulk(log, cn, 8, 100)
        vr = verify_db(log)
        assert vr.ok and vr.entries >= cn, vr.findings
        rows.append(
            row(
                backend,
                "write, 8 writers (batches of 100)",
                cn,
                seconds,
                cn / seconds,
                base_n / base_s,
            )
        )
        lat = latencies(log, samples)
        log.engine.dispose()
    with database(backend, tmp) as url:
        assert url is not None
        blat = baseline_latencies(url, base[:samples])
    rows.append(
        {
            "backend": backend,
            "step": "one append (a check's entry), ms",
            "entries": samples,
            "seconds": sum(lat) / 1000,
            "rate_per_s": samples / (sum(lat) / 1000),
            "baseline_per_s": samples / (sum(blat) / 1000),
            "median_ms": statistics.median(lat),
            "p99_ms": p(lat, 99),
            "baseline_median_ms": statistics.median(blat),
            "baseline_p99_ms": p(blat, 99),
        }
    )
    return rows


def row(
    backend: str, step: str, n: int, seconds: float, rate: float, base_rate: float | None
) -> dict[str, Any]:
    return {
        "backend": backend,
        "step": step,
        "entries": n,
        "seconds": seconds,
        "rate_per_s": rate,
        "baseline_per_s": base_rate if base_rate is not None else "-",
        "median_ms": "-",
        "p99_ms": "-",
        "baseline_median_ms": "-",
        "baseline_p99_ms": "-",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--concurrent-entries", type=int, default=None)
    parser.add_argument("--baseline-entries", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=2_000, help="single-append latency samples")
    parser.add_argument("--pg-entries", type=int, default=None, help="default: --entries")
    parser.add_argument("--pg-concurrent-entries", type=int, default=None)
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--only-pg", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--verify-only", type=int, default=None, help="only time verification of N entries"
    )
    parser.add_argument("--latency-only", action="store_true", help="only one-append latency")
    args = parser.parse_args()
    started = datetime.now(UTC)
    OUT.mkdir(exist_ok=True)
    if args.latency_only:
        with tempfile.TemporaryDirectory() as tmp:
            rows = bench_latency(args, Path(tmp))
        report("audit_latency", rows, {"started": started.isoformat()})
        return
    if args.verify_only:
        with tempfile.TemporaryDirectory() as tmp:
            rows = bench_verify(args.verify_only, Path(tmp))
        report("audit_verify", rows, {"started": started.isoformat()})
        return
    results = Rows(OUT / "audit.partial.json")
    backends = [b for b in ("sqlite", "postgresql") if not (args.no_pg and b == "postgresql")]
    if args.only_pg:
        backends = ["postgresql"]
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            run_backend(backend, args, Path(tmp), results)
    settings = {k: v for k, v in vars(args).items()}
    report("audit", list(results), {"settings": settings, "started": started.isoformat()})


def bench_verify(n: int, tmp: Path) -> list[dict[str, Any]]:
    """Verification alone over ``n`` chained entries written in bulk (how they were written
    does not matter to the verifier). Reports wall and CPU time: on a shared machine the
    CPU time is what one idle core would take."""
    url = f"sqlite:///{tmp / 'verify.db'}"
    log = open_log(url)
    token = log.dpo.encrypt(event(0).query, "x")
    keys = log.dpo.subject_keys(event(0).query)
    prev, batch = GENESIS, []
    for i in range(n):
        obj = entry_object(
            event(i),
            position=i + 1,
            entry_id=str(uuid.uuid4()),
            node="BE",
            query=token,
            query_key=log.dpo.key_id,
            subject_keys=keys,
        )
        text = dumps(obj)
        digest = chain_hash(prev, text)
        row = columns_of(obj)
        row.update(canonical=text, prev_hash=prev, hash=digest)
        batch.append(row)
        prev = digest
        if len(batch) == 10_000 or i == n - 1:
            with log.engine.begin() as conn:
                conn.execute(audit_entries.insert(), batch)
            batch = []
    with log.engine.begin() as conn:
        conn.execute(audit_chain.insert().values(id=1, position=n, hash=prev))
    log.sign_head()
    out: list[dict[str, Any]] = []

    def measure(step: str, fn: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        out.append({"step": step, "entries": n, "wall_s": wall, "cpu_s": cpu})
        print(out[-1], flush=True)
        return result

    measure("bare SELECT of the chain columns (baseline)", lambda: bare_select(log.engine))
    report_db = measure("verify_db (chain + heads)", lambda: verify_db(log))
    assert report_db.ok, report_db.findings
    path = tmp / "verify.jsonl"
    export_jsonl(log, path)
    report_file = measure("verify_file (offline)", lambda: verify_file(path, log.key.public_key))
    assert report_file.ok, report_file.findings
    log.engine.dispose()
    return out


def bench_latency(args: argparse.Namespace, tmp: Path) -> list[dict[str, Any]]:
    """One ``append`` per check against one plain INSERT + COMMIT, wall and CPU time."""
    out: list[dict[str, Any]] = []
    base = plain_rows(args.samples, DpoKeys.generate())
    for backend in ("sqlite",) if args.no_pg else ("sqlite", "postgresql"):
        with database(backend, tmp) as url:
            if url is None:
                continue
            log = open_log(url)
            latencies(log, 100)  # warm up: connections, statement cache
            cpu = time.process_time()
            lat = latencies(log, args.samples)
            cpu = (time.process_time() - cpu) / args.samples * 1000
            log.engine.dispose()
        with database(backend, tmp) as url:
            assert url is not None
            bcpu = time.process_time()
            blat = baseline_latencies(url, base)
            bcpu = (time.process_time() - bcpu) / args.samples * 1000
        out.append(
            {
                "backend": backend,
                "samples": args.samples,
                "median_ms": statistics.median(lat),
                "p99_ms": p(lat, 99),
                "cpu_ms": cpu,
                "baseline_median_ms": statistics.median(blat),
                "baseline_p99_ms": p(blat, 99),
                "baseline_cpu_ms": bcpu,
            }
        )
        print(out[-1], flush=True)
    return out


if __name__ == "__main__":
    main()
