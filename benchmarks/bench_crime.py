"""Crime picture benchmark: Gi*, Knox and incident import, against esda / pointpats.

- Gi* with 999 conditional permutations over ~50,000 H3 cells (resolution 9 around
  Aachen, Poisson counts with a few hotspots): ours (vectorised) against esda's
  ``G_Local(star=True, n_jobs=1)`` on the same cells, weights and seed, and the
  largest difference of their p-values and pseudo z-scores.
- Knox with 999 permutations on 20,000 incidents (one year, 20 km × 20 km, with
  near-repeat series): our banded table (5 × 100 m, 5 × 7 days); and on the first
  5,000 of them (pointpats builds dense n × n matrices: 20,000 points need over
  6 GB) both ours and pointpats' ``Knox`` (one cell: distance ≤ 500 m, ≤ 34 days),
  with the check that our near count equals pointpats' statistic.
- Import of 1,000,000 incidents (canonical CSV, 0.1 % bad rows) into SQLite:
  validation + load, against a baseline in the same process (plain ``read_csv``
  and the same INSERTs without validation).
Run: .venv/bin/python -m benchmarks.bench_crime [--cells 50000] [--incidents 20000]
     [--pointpats-max 5000] [--rows 1000000] [--skip-esda]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import h3
import numpy as np
import polars as pl
import sqlalchemy as sa

from benchmarks.common import report
from passerelle.crime.grid import Grid
from passerelle.crime.hotspots import gi_star
from passerelle.crime.incidents import parse_incidents
from passerelle.crime.nearrepeat import NearRepeatSettings, knox_bands
from passerelle.crime.store import COLUMNS, CrimeStore
from passerelle.storage.db import create_engine, migrate
from passerelle.storage.tables import crime_incidents

AACHEN = (50.7753, 6.0839)


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def bench_gi(cells: int, skip_esda: bool) -> list[dict[str, Any]]:
    k = int(np.ceil((-3 + np.sqrt(9 - 12 * (1 - cells))) / 6))  # rings for >= cells
    centre = h3.latlng_to_cell(*AACHEN, 9)
    grid = Grid.of(h3.grid_disk(centre, k))
    rng = np.random.default_rng(1)
    lam = np.full(len(grid), 0.3)
    centres = grid.centres()
    for _ in range(8):
        c = centres[rng.integers(len(grid))]
        d2 = ((centres - c) ** 2).sum(axis=1)
        lam += 4.0 * np.exp(-d2 / (2 * 0.004**2))
    y = rng.poisson(lam).astype(np.float64)
    w = grid.neighbours()
    t_ours, ours = _timed(lambda: gi_star(y, w, permutations=999, seed=11))
    row: dict[str, Any] = {
        "task": f"Gi* 999 perms, {len(grid):,} cells",
        "passerelle_s": t_ours,
    }
    if not skip_esda:
        import esda
        from libpysal.weights import WSP

        W = WSP(w).to_W(silence_warnings=True)  # noqa: N806
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_esda, theirs = _timed(
                lambda: esda.G_Local(
                    y, W, transform="B", star=True, permutations=999, seed=11, n_jobs=1
                )
            )
        row |= {
            "baseline": "esda G_Local (n_jobs=1)",
            "baseline_s": t_esda,
            "speedup": t_esda / t_ours,
            "max_abs_diff_p": float(np.abs(ours.p_sim - theirs.p_sim).max()),
            "max_abs_diff_z_sim": float(np.abs(ours.z_sim - theirs.z_sim).max()),
        }
    row["hot_cells_fdr_0.05"] = int((np.array(ours.classes(0.05)) == "hot").sum())
    return [row]


def _incidents(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    base = n * 7 // 10
    xy = rng.uniform(0, 20_000, (base, 2))
    days = rng.integers(0, 365, base)
    # near-repeat series: follow-ups within 300 m and 21 days of a seed
    seeds = rng.integers(0, base, n - base)
    fxy = xy[seeds] + rng.normal(0, 120, (n - base, 2))
    fdays = days[seeds] + rng.integers(0, 21, n - base)
    return np.vstack([xy, fxy]), np.concatenate([days, fdays]).astype(np.int64)


def bench_knox(n: int, baseline_max: int) -> list[dict[str, Any]]:
    """Ours on ``n`` incidents; pointpats (dense n × n matrices, about 14 bytes per pair
    per array) on the same data when n <= baseline_max, else on the first baseline_max."""
    rng = np.random.default_rng(2)
    xy, days = _incidents(n, rng)
    s = NearRepeatSettings(100.0, 5, 7, 5, "euclidean", 999, seed=3)
    shape = f"{s.spatial_bands + 2}×{s.temporal_bands + 1}"
    t_ours, _ours = _timed(lambda: knox_bands(xy, days, s))
    rows: list[dict[str, Any]] = [
        {"task": f"Knox 999 perms, {n:,} incidents ({shape} table)", "passerelle_s": t_ours}
    ]
    from pointpats.spacetime import Knox

    m = min(n, baseline_max)
    sub_xy, sub_days = xy[:m], days[:m]
    t_small, small = _timed(lambda: knox_bands(sub_xy, sub_days, s))
    t_pp, pp = _timed(
        lambda: Knox(sub_xy, sub_days.astype(float)[:, None], delta=500.0, tau=34, permutations=999)
    )
    rows.append(
        {
            "task": f"Knox 999 perms, {m:,} incidents ({shape} table)",
            "passerelle_s": t_small,
            "baseline": "pointpats Knox (one cell)",
            "baseline_s": t_pp,
            "speedup": t_pp / t_small,
            "near_pairs_ours": int(small.observed[:6, :5].sum()),
            "near_pairs_pointpats": int(pp.statistic_),
        }
    )
    return rows


def bench_import(rows: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(4)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "incidents.csv"
        day0 = dt.date(2025, 1, 1)
        dates = [str(day0 + dt.timedelta(days=int(x))) for x in rng.integers(0, 700, rows)]
        bad = rng.choice(rows, rows // 1000, replace=False)
        for i in bad:
            dates[i] = "2025-13-45"
        pl.DataFrame(
            {
                "incident_id": [f"DE-{i}" for i in range(rows)],
                "occurred_on": dates,
                "latitude": np.round(rng.uniform(50.6, 51.0, rows), 6),
                "longitude": np.round(rng.uniform(5.8, 6.4, rows), 6),
                "offence_code": rng.choice(["436*00", "*50*00", "224000", "674000"], rows),
            }
        ).write_csv(path)
        engine = create_engine(f"sqlite:///{Path(d) / 'ours.db'}")
        migrate(engine)

        def ours() -> int:
            p = parse_incidents(path, source_format="canonical", country="DE")
            return CrimeStore(engine).load(
                p.frame, source_name="bench", source_format="canonical", rejected=len(p.rejected)
            )

        t_ours, loaded = _timed(ours)
        base_engine = create_engine(f"sqlite:///{Path(d) / 'base.db'}")
        migrate(base_engine)

        def baseline() -> int:
            df = pl.read_csv(path, infer_schema_length=0)
            df = df.with_columns(
                pl.lit("DE").alias("country"),
                pl.col("occurred_on").str.strptime(pl.Date, strict=False),
                pl.col("latitude", "longitude").cast(pl.Float64),
                pl.lit(None, dtype=pl.String).alias("period_end"),
                pl.lit(None, dtype=pl.String).alias("municipality_code"),
                pl.lit(None, dtype=pl.String).alias("iccs"),
            ).drop_nulls("occurred_on")
            recs = df.select(COLUMNS).to_dicts()
            with base_engine.begin() as conn:
                for start in range(0, len(recs), 20_000):
                    chunk = recs[start : start + 20_000]
                    for r in chunk:
                        r["batch_id"] = 0
                    conn.execute(crime_incidents.insert(), chunk)
            return len(recs)

        t_base, _ = _timed(baseline)
        with engine.connect() as conn:
            stored = conn.execute(sa.select(sa.func.count()).select_from(crime_incidents)).scalar()
        engine.dispose()
        base_engine.dispose()
    return [
        {
            "task": f"import {rows:,} incidents (SQLite)",
            "passerelle_s": t_ours,
            "baseline": "read_csv + INSERT, no validation",
            "baseline_s": t_base,
            "speedup": t_base / t_ours,
            "loaded": loaded,
            "stored": stored,
            "rows_per_s": rows / t_ours,
        }
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=50_000)
    ap.add_argument("--incidents", type=int, default=20_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--pointpats-max", type=int, default=5_000)
    ap.add_argument("--skip-esda", action="store_true")
    a = ap.parse_args()
    rows: list[dict[str, Any]] = []
    for part in (
        lambda: bench_gi(a.cells, a.skip_esda),
        lambda: bench_knox(a.incidents, a.pointpats_max),
        lambda: bench_import(a.rows),
    ):
        done = part()
        print(done, flush=True)
        rows += done
    keys = ["task", "passerelle_s", "baseline", "baseline_s", "speedup"]
    table = [{k: r.get(k, "") for k in keys} for r in rows]
    report("crime", table, {"details": rows})


if __name__ == "__main__":
    main()
