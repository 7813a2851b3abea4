"""ANPR analytics: cloned plates and convoys on a simulated day, against sorting the same
reads by plate and time (polars) as the baseline, with precision and recall of what the
simulator planted.

Each figure is the median of ``--runs`` runs on one core (``POLARS_MAX_THREADS=1``).
Run: .venv/bin/python -m benchmarks.anpr.bench_analytics [--scales 0.1,0.5] [--runs 3]
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")

import argparse
import datetime as dt
import itertools
import statistics
import time
from collections.abc import Callable
from typing import Any

import polars as pl

from benchmarks.common import report
from passerelle.anpr.analytics_clones import detect_clones
from passerelle.anpr.analytics_convoy import detect_convoys
from passerelle.anpr.simulate import SimConfig, simulate

START = dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)  # a Monday, from 06:00 local


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _pr(found: set[Any], planted: set[Any]) -> tuple[float, float]:
    hit = len(found & planted)
    return hit / max(1, len(planted)), hit / max(1, len(found))


def run(scale: float, runs: int) -> dict[str, Any]:
    sim = simulate(SimConfig(seed=1, start=START, hours=24, scale=scale, clones=8, convoys=4))
    reads = sim.reads
    base, _ = _median(lambda: reads.sort("plate", "read_at"), runs)
    t_clones, clones = _median(lambda: detect_clones(reads), runs)
    t_convoys, (groups, pairs) = _median(lambda: detect_convoys(reads), runs)
    c_recall, c_precision = _pr(set(clones["plate"]), set(sim.clones))
    planted = {frozenset(p) for g in sim.convoys for p in itertools.combinations(g, 2)}
    flagged = pairs.filter(pl.col("convoy")).select("plate_a", "plate_b").iter_rows()
    v_recall, v_precision = _pr({frozenset(p) for p in flagged}, planted)
    ranked = pairs.sort("p_value").head(len(planted)).select("plate_a", "plate_b").iter_rows()
    top = len({frozenset(p) for p in ranked} & planted) / max(1, len(planted))
    return {
        "scale": scale,
        "reads": reads.height,
        "sort_ms": base * 1000,
        "clones_ms": t_clones * 1000,
        "clones_x_sort": t_clones / base,
        "clone_recall": c_recall,
        "clone_precision": c_precision,
        "convoys_ms": t_convoys * 1000,
        "convoys_x_sort": t_convoys / base,
        "convoy_pair_recall": v_recall,
        "convoy_pair_precision": v_precision,
        "convoy_groups": f"{len(groups)}/{len(sim.convoys)}",
        "convoy_top_ranked": top,  # share of planted pairs among the best-ranked ones
        "pairs_tested": int(pairs["tested"][0]) if pairs.height else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="0.1,0.5")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()
    rows = [run(float(s), args.runs) for s in args.scales.split(",")]
    report("anpr_analytics", rows, {"load_before": load, "load_after": os.getloadavg()})


if __name__ == "__main__":
    main()
