"""Node foundation benchmark: synthetic data, register import, federation signatures.

Each measured step is compared with a baseline run in the same process:
- import (validate + load) vs a bare executemany of the same rows into the same table;
- RFC 9421 sign+verify of a request vs a raw Ed25519 sign+verify of the same body.
Run: .venv/bin/python benchmarks/bench_foundation.py [--persons 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import median_time, report
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import InMemoryNonceStore, sign_request, verify_request
from passerelle.federation.trust import PartnerEntry, TrustStore
from passerelle.registers.importer import Importer, derive_keys
from passerelle.registers.schema import validate_row
from passerelle.registers.sources import frame_rows
from passerelle.registers.sql import SqlRegisters
from passerelle.storage.db import create_engine, migrate
from passerelle.storage.tables import population
from passerelle.synth import generate_country


def bench_import(persons: int, tmp: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    t0 = time.perf_counter()
    frames = generate_country(Country.NL, persons, seed=7)
    synth_s = time.perf_counter() - t0
    total_rows = sum(f.height for f in frames.values())
    rows.append(
        {
            "step": "synth NL (all datasets)",
            "rows": total_rows,
            "seconds": synth_s,
            "rows_per_s": total_rows / synth_s,
            "vs_baseline": "-",
        }
    )
    frame = frames["population"]
    # Baseline: the same cleaned rows inserted with a bare executemany, no validation.
    clean = [
        derive_keys("population", validate_row("population", Country.NL, r))
        for _, r in frame_rows(frame, frame.columns, "bench")
    ]
    base_engine = create_engine(f"sqlite:///{tmp / 'base.db'}")
    migrate(base_engine)

    def baseline() -> None:
        with base_engine.begin() as conn:
            conn.execute(population.delete())
            conn.execute(population.insert(), clean)

    engine = create_engine(f"sqlite:///{tmp / 'node.db'}")
    migrate(engine)
    importer = Importer(SqlRegisters(engine, Country.NL), Country.NL)

    def full() -> None:
        report_ = importer.import_rows(
            "population", frame_rows(frame, frame.columns, "bench"), source="bench"
        )
        assert report_.loaded == frame.height and not report_.rejected

    b = median_time(baseline, 3)
    f = median_time(full, 3)
    rows.append(
        {
            "step": "insert only (baseline)",
            "rows": frame.height,
            "seconds": b,
            "rows_per_s": frame.height / b,
            "vs_baseline": "1.00",
        }
    )
    rows.append(
        {
            "step": "import: validate + load",
            "rows": frame.height,
            "seconds": f,
            "rows_per_s": frame.height / f,
            "vs_baseline": f"{f / b:.2f}x time",
        }
    )
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(population)).scalar_one()
            == frame.height
        )
    return rows


def bench_signatures(tmp: Path, n: int = 2000) -> list[dict[str, object]]:
    be = NodeKey.load_or_create(tmp / "be.pem", Country.BE)
    trust = TrustStore([PartnerEntry.from_key(be, base_url="http://127.0.0.1:8401", name="BE")])
    url = "http://127.0.0.1:8402/federation/v1/checks/person"
    body = b'{"subject":{"family_name":"Peeters","given_names":"Jan","birth_date":"1980-01-01"}}'
    pub = be.public_key

    def raw() -> None:
        for _ in range(n):
            pub.verify(be.private_key.sign(body), body)

    def rfc9421() -> None:
        nonces = InMemoryNonceStore()
        for _ in range(n):
            headers, _ = sign_request("POST", url, {}, body, be)
            verify_request("POST", url, headers, body, trust, nonces)

    r = median_time(raw, 3)
    s = median_time(rfc9421, 3)
    return [
        {
            "step": "Ed25519 sign+verify (baseline)",
            "rows": n,
            "seconds": r,
            "rows_per_s": n / r,
            "vs_baseline": "1.00",
        },
        {
            "step": "RFC 9421 sign+verify request",
            "rows": n,
            "seconds": s,
            "rows_per_s": n / s,
            "vs_baseline": f"{s / r:.2f}x time",
        },
        {
            "step": "  per request (µs)",
            "rows": 1,
            "seconds": s / n,
            "rows_per_s": "-",
            "vs_baseline": f"{s / n * 1e6:.0f} µs",
        },
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        rows = bench_import(args.persons, tmp) + bench_signatures(tmp)
    report("foundation", rows, {"persons": args.persons})


if __name__ == "__main__":
    main()
