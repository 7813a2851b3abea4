"""Single-query latency of ``find_person_matches`` over a register of N persons.

A synthetic NL population register of N persons is written into SQLite by the bulk
loader (``bulkload.py``: the synth's name stocks, keys from the importer's own
functions, checked against the importer on a sample), or, with a database URL or
``bulk=False``, generated and imported through the importer (validation + blocking
keys, row by row, as a node does), then persons of the register are looked up with the
variations officers produce (ICAO spelling, merged particles, swapped names,
day-month swap, partial date). Reports p50/p99 latency, candidates read per
query and the share found, next to an exact indexed lookup on the same engine
(``get_person`` by national id) as the in-process baseline.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks.matching import bulkload
from passerelle.domain.countries import Country
from passerelle.domain.names import merge_particles
from passerelle.matching import PersonQuery, find_person_matches
from passerelle.registers.importer import Importer, columns_of
from passerelle.registers.sources import frame_rows
from passerelle.registers.sql import SqlRegisters
from passerelle.storage.db import create_engine, migrate
from passerelle.storage.tables import population
from passerelle.synth import generate_country


def _variant(row: dict[str, Any], rng: random.Random) -> tuple[str, PersonQuery]:
    given, family = str(row["given_names"]), str(row["family_name"])
    prefix = str(row.get("family_name_prefix") or "")
    birth = str(row.get("birth_date") or "") or None
    kind = rng.choice(["plain", "merged", "swapped", "day_month", "partial", "first_only"])
    if kind == "merged" and prefix:
        family, prefix = merge_particles(prefix, family), ""
    elif kind == "swapped":
        given, family, prefix = f"{prefix} {family}".strip(), given.split()[0], ""
    elif kind == "day_month" and birth and len(birth) == 10 and int(birth[8:]) <= 12:
        birth = f"{birth[:5]}{birth[8:]}-{birth[5:7]}"
    elif kind == "partial" and birth:
        birth = birth[:7]
    elif kind == "first_only":
        given = given.split()[0]
    query = PersonQuery(given_names=given, family_name=family, family_name_prefix=prefix or None,
                        birth_date=birth, sex=row.get("sex"))  # fmt: skip
    return kind, query


def _sample(registers: SqlRegisters, queries: int, rng: random.Random) -> list[dict[str, Any]]:
    with registers.engine.connect() as conn:
        top = int(conn.execute(sa.select(sa.func.max(population.c.id))).scalar_one())
        ids = rng.sample(range(1, top + 1), queries)
        rows = conn.execute(sa.select(population).where(population.c.id.in_(ids)))
        return [dict(r._mapping) for r in rows]


def run(
    persons: int,
    queries: int = 500,
    db_url: str | None = None,
    reuse: bool = False,
    bulk: bool = True,
    db_path: Path | None = None,
) -> dict[str, Any]:
    """Latency over ``persons``; with ``reuse`` and a filled database, skip the load.

    SQLite at ``db_path`` (a temporary file by default) is filled by the bulk loader;
    ``db_url`` (PostgreSQL) or ``bulk=False`` go through the importer.
    """
    path = db_path or Path(tempfile.mkdtemp(prefix="passerelle-latency-")) / "nl.db"
    engine = create_engine(db_url or f"sqlite:///{path}")
    migrate(engine)
    registers = SqlRegisters(engine, Country.NL)
    synth_s = import_s = 0.0
    loaded = registers.counts()["population"] if reuse else 0
    method = "reused" if loaded else "importer"
    if not loaded and bulk and db_url is None:
        engine.dispose()
        timings = bulkload.load(path, persons)
        synth_s, import_s = timings["generate_s"], timings["insert_s"] + timings["index_s"]
        loaded, method = int(timings["persons"]), "bulk"
    elif not loaded:
        t0 = time.perf_counter()
        frame = generate_country(Country.NL, persons, seed=3)["population"]
        synth_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        loaded = (
            Importer(registers, Country.NL)
            .import_rows(
                "population",
                frame_rows(frame, columns_of("population"), "population"),
                source="population.synth",
            )
            .loaded
        )
        import_s = time.perf_counter() - t1
    rng = random.Random(5)
    sample = _sample(registers, queries, rng)
    latencies, candidates, found, baseline = [], [], 0, []
    for row in sample:
        _, query = _variant(row, rng)
        t = time.perf_counter()
        matches = find_person_matches(registers, "population", query)
        latencies.append(time.perf_counter() - t)
        candidates.append(matches[0].explanation["candidates"] if matches else 0)
        found += bool(matches) and matches[0].record["national_id"] == row["national_id"]
        t = time.perf_counter()
        registers.get_person(str(row["national_id"]))
        baseline.append(time.perf_counter() - t)
    engine.dispose()
    latencies.sort()
    baseline.sort()

    def pct(values: list[float], p: float) -> float:
        return values[min(len(values) - 1, int(p * len(values)))] * 1000

    return {
        "persons": loaded, "backend": engine.dialect.name, "load": method,
        "synth_s": synth_s, "import_s": import_s, "queries": queries,
        "p50_ms": pct(latencies, 0.5), "p99_ms": pct(latencies, 0.99),
        "exact_id_p50_ms": pct(baseline, 0.5), "exact_id_p99_ms": pct(baseline, 0.99),
        "candidates_median": statistics.median(candidates), "candidates_max": max(candidates),
        "top1_found": found / queries,
    }  # fmt: skip
