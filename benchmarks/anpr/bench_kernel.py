"""ANPR matching kernel: reads/s per core with OCR tolerance against 10k, 100k and 1M
hotlist entries, recall of planted misread hits, false hits per million reads, and in
the same run an exact Polars hash join of the same reads as the baseline.

Both run on one core (``POLARS_MAX_THREADS=1``; the kernel is NumPy, single-threaded).
Each figure is the median of ``--runs`` runs on the same batch. Also measured: the
time to build the index, to add and to remove 100 entries of a live index, its memory.
Run: .venv/bin/python -m benchmarks.anpr.bench_kernel [--sizes 10000,100000,1000000]
     [--reads 1000000] [--runs 3] [--hit-rate 0.01]
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one core, for the baseline too

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from benchmarks.anpr import kernel_data
from benchmarks.common import report
from passerelle.anpr.index import ALERT_SCORE, HotlistIndex, IndexEntry, Match


def _median(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


SHOWN = ("hotlist", "kernel_reads_per_s", "match_objects_reads_per_s", "join_reads_per_s",
         "kernel_vs_join", "recall", "false_hits_per_M", "alert_false_hits_per_M")  # fmt: skip


def _tolerated(reads: kernel_data.Reads) -> npt.NDArray[np.bool_]:
    """Misreads the default tolerance covers: confusions, and an indel on 5+ characters."""
    indel = np.isin(reads.kind, ("dropped", "extra")) & (np.char.str_len(reads.truth) >= 5)
    return np.isin(reads.kind, ("exact", "confusion", "confusion2")) | indel


def _quality(
    matches: list[Match],
    reads: kernel_data.Reads,
    entry_plate: dict[str, str],
    min_score: float = 0.0,
) -> dict[str, Any]:
    truth = reads.truth
    matches = [m for m in matches if m.score >= min_score]
    found = np.zeros(len(truth), np.bool_)
    false_by_outcome = {"exact": 0, "fuzzy": 0, "wrong_country": 0}
    for m in matches:
        if entry_plate[m.entry_id] == truth[m.read_idx]:
            found[m.read_idx] = True
        else:
            false_by_outcome[m.outcome] += 1
    tolerated = reads.planted & _tolerated(reads)
    misread = tolerated & (reads.kind != "exact")
    beyond = reads.planted & ~_tolerated(reads)
    per_million = 1e6 / len(truth)
    return {
        "planted": int(reads.planted.sum()),
        "planted_misread": int(misread.sum()),
        "recall": float(found[tolerated].mean()),
        "recall_misread": float(found[misread].mean()),
        "beyond_tolerance": int(beyond.sum()),
        "found_beyond_tolerance": int(found[beyond].sum()),
        "false_hits_per_M": round(sum(false_by_outcome.values()) * per_million, 1),
        "false_by_outcome_per_M": {
            k: round(v * per_million, 1) for k, v in false_by_outcome.items()
        },
    }


def run_size(
    rng: np.random.Generator,
    plates: kernel_data.Strs,
    countries: kernel_data.Strs,
    size: int,
    n_reads: int,
    runs: int,
    hit_rate: float,
) -> dict[str, Any]:
    hot = rng.choice(len(plates) - 1000, size, replace=False)
    ids = [f"e{i}" for i in range(size)]
    entries = [IndexEntry(e, str(plates[h]), str(countries[h]))
               for e, h in zip(ids, hot.tolist(), strict=True)]  # fmt: skip
    t0 = time.perf_counter()
    index = HotlistIndex.build(entries)
    build_s = time.perf_counter() - t0
    reads = kernel_data.reads(rng, plates, countries, hot, n_reads, hit_rate)
    series = pl.Series("plate", reads.plate.astype(str))
    index.match_frame(series, reads.country)  # warm-up (regexes compiled, caches filled)
    kernel_s, _frame = _median(lambda: index.match_frame(series, reads.country), runs)
    objects_s, matches = _median(lambda: index.match(series, reads.country), runs)
    reads_df = pl.DataFrame({"read_idx": np.arange(n_reads), "plate": series})
    hot_df = pl.DataFrame({"entry_id": ids, "plate": [e.plate for e in entries]})
    join_s, joined = _median(lambda: reads_df.join(hot_df, on="plate", how="inner"), runs)
    plate_of = {e.entry_id: e.plate for e in entries}
    quality = _quality(matches, reads, plate_of)
    alerts = _quality(matches, reads, plate_of, ALERT_SCORE)
    planted = reads.planted & _tolerated(reads)
    join_found = np.zeros(n_reads, np.bool_)
    join_found[joined["read_idx"].to_numpy()] = True
    # a live node: 100 new entries in, 100 old ones out, while the index is in use
    spare = [IndexEntry(f"new{k}", str(plates[-1000 + k]), None) for k in range(1000)]
    index.add(spare[-1:])  # the first add after a build grows the columns (amortised)
    add_times, remove_times = [], []
    for k in range(5):
        batch = spare[k * 100 : (k + 1) * 100]
        t0 = time.perf_counter()
        index.add(batch)
        add_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        index.remove(ids[k * 100 : (k + 1) * 100])
        remove_times.append(time.perf_counter() - t0)
    return {
        "hotlist": size,
        "reads": n_reads,
        "kernel_reads_per_s": round(n_reads / kernel_s),
        "join_reads_per_s": round(n_reads / join_s),
        "kernel_vs_join": round(join_s / kernel_s, 3),
        "match_objects_reads_per_s": round(n_reads / objects_s),
        "kernel_s": round(kernel_s, 4),
        "join_s": round(join_s, 4),
        "recall": round(quality["recall"], 5),
        "recall_misread": round(quality["recall_misread"], 5),
        "recall_exact_join": round(float(join_found[planted].mean()), 5),
        "false_hits_per_M": quality["false_hits_per_M"],
        "alert_recall": round(alerts["recall"], 5),
        "alert_false_hits_per_M": alerts["false_hits_per_M"],
        "hits": len(matches),
        "build_s": round(build_s, 3),
        "add_100_ms": round(statistics.median(add_times) * 1000, 2),
        "remove_100_ms": round(statistics.median(remove_times) * 1000, 2),
        "index_mb": round(index.memory_bytes() / 2**20, 1),
        "_detail": {"all": quality, f"score>={ALERT_SCORE}": alerts},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--reads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hit-rate", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    plates, countries = kernel_data.vehicles(rng, int(max(sizes) * 1.5) + args.reads // 2 + 2000)
    print(f"{len(plates):,} vehicles in {time.perf_counter() - t0:.1f} s")
    rows, details = [], {}
    for size in sizes:
        row = run_size(rng, plates, countries, size, args.reads, args.runs, args.hit_rate)
        details[str(size)] = row.pop("_detail")
        rows.append(row)
    load = os.getloadavg()
    shown = [{k: r[k] for k in SHOWN} for r in rows]  # the console table; JSON has all
    report(
        "anpr_kernel",
        shown,
        {
            "full_rows": rows,
            "detail": details,
            "load_average": [round(x, 2) for x in load],
            "polars_threads": pl.thread_pool_size(),
            "misreads": kernel_data.MISREADS,
            "hit_rate": args.hit_rate,
            "runs": args.runs,
        },
    )
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
