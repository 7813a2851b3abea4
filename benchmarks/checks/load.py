"""Closed-loop load: N concurrent officers sending checks for a fixed duration.

Each officer sends its next check as soon as the previous answer arrived (no think
time), so checks/s at N officers is the node's throughput at that concurrency.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Send = Callable[[], Awaitable[tuple[int, dict[str, Any] | None]]]


@dataclass
class Run:
    latencies_ms: list[float] = field(default_factory=list)
    answered_ms: list[float] = field(default_factory=list)  # 200 answers only (no 503 busy)
    http: Counter[int] = field(default_factory=Counter)
    sources: dict[str, Counter[str]] = field(default_factory=dict)
    source_ms: dict[str, list[float]] = field(default_factory=dict)
    # Client latency minus the slowest source's own latency: time spent outside the
    # search and fan-out (HTTP, auth, validation, patrol lookup, audit writes, queueing).
    outside_ms: list[float] = field(default_factory=list)
    variants: dict[str, Counter[str]] = field(default_factory=dict)
    over_budget: int = 0
    seconds: float = 0.0


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


async def run_load(
    make_send: Callable[[int], tuple[str, Send]],
    officers: int,
    duration_s: float,
    budget_s: float | None = None,
) -> Run:
    """``make_send(i)`` gives the i-th call's variant name and a coroutine factory."""
    run = Run()
    counter = 0
    stop_at = time.perf_counter() + duration_s

    async def officer() -> None:
        nonlocal counter
        while time.perf_counter() < stop_at:
            counter += 1
            variant, send = make_send(counter)
            t0 = time.perf_counter()
            status, answer = await send()
            ms = (time.perf_counter() - t0) * 1000
            run.latencies_ms.append(ms)
            run.http[status] += 1
            if status == 200:
                run.answered_ms.append(ms)
            if budget_s is not None and ms > budget_s * 1000:
                run.over_budget += 1
            if answer is None:
                continue
            hit = False
            own = [s["latency_ms"] for s in answer.get("sources", [])]
            if own:
                run.outside_ms.append(ms - max(own))
            for s in answer.get("sources", []):
                run.sources.setdefault(s["country"], Counter())[s["status"]] += 1
                run.source_ms.setdefault(s["country"], []).append(s["latency_ms"])
                hit |= s["status"] == "hit"
            run.variants.setdefault(variant, Counter())["hit" if hit else "no_hit"] += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(officer() for _ in range(officers)))
    run.seconds = time.perf_counter() - t0
    return run


def summary(run: Run) -> dict[str, Any]:
    lat = run.latencies_ms
    return {
        "n": len(lat),
        "p50_ms": round(pct(lat, 50), 1),
        "p95_ms": round(pct(lat, 95), 1),
        "p99_ms": round(pct(lat, 99), 1),
        "max_ms": round(max(lat), 1) if lat else None,
        "mean_ms": round(statistics.fmean(lat), 1) if lat else None,
        "per_s": round(len(lat) / run.seconds, 1) if run.seconds else 0.0,
        "answered_p50_ms": round(pct(run.answered_ms, 50), 1),
        "answered_p99_ms": round(pct(run.answered_ms, 99), 1),
        "answered_max_ms": round(max(run.answered_ms), 1) if run.answered_ms else None,
    }
