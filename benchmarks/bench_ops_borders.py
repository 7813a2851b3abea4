"""Border lookup and position handling of the pursuits (``ops.borders``, ``PursuitService``).

1. ``country_at`` on the packaged 10 m OSM geometry (147 polygons, ~70,000 vertices) for
   random points in the region, against two baselines in the same run: building the
   shapely Point alone, and testing the point against every polygon without the tree.
2. ``add_position`` at the origin node (SQLite, as in the demo): the border test, the
   speed check against the pursuit's fixes, the audit entry and the transaction, for
   positions that stay in one country and for positions that cross (a notification
   stored and queued in the outbox as well). Baseline: one audit entry alone.

Run: .venv/bin/python -m benchmarks.bench_ops_borders [--points 5000] [--positions 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import shapely

from benchmarks.common import report
from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.auth.roles import Principal, Role
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, wire_trust, write_config
from passerelle.domain.countries import Country
from passerelle.logs import configure_logging
from passerelle.node.context import NodeContext
from passerelle.ops.borders import Borders
from passerelle.ops.pursuits_service import PursuitService
from passerelle.settings import load_settings

CONTROL = Principal("control", "Control", frozenset({Role.CONTROL_ROOM}), "bench", "b", 0)
LANAKEN_BE = (50.865758, 5.644222)
LANAKEN_NL = (50.865332, 5.644748)


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def row(what: str, samples: list[float], unit: float, baseline: float | None) -> dict[str, object]:
    med = statistics.median(samples)
    p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
    return {
        "what": what,
        "n": len(samples),
        "median": med * unit,
        "p95": p95 * unit,
        "× baseline": med / baseline if baseline else 1.0,
    }


def lookups(n: int) -> list[dict[str, object]]:
    t0 = time.perf_counter()
    borders = Borders.load()
    load_s = time.perf_counter() - t0
    rnd = random.Random(8)
    pts = [(rnd.uniform(49.4, 53.5), rnd.uniform(2.5, 7.3)) for _ in range(n)]
    it = iter(pts * 3)
    base = timed(lambda: shapely.Point(*reversed(next(it))), n)
    tree = timed(lambda: borders.country_at(*next(it)), n)
    parts = borders.parts

    def naive() -> object:
        lat, lon = next(it)
        p = shapely.Point(lon, lat)
        return next((c for g, c in zip(parts, borders.codes, strict=True) if g.covers(p)), None)

    brute = timed(naive, max(50, n // 20))
    b = statistics.median(base)
    return [
        {"what": "Borders.load() (first, in process)", "n": 1, "median": load_s * 1e6,
         "p95": load_s * 1e6, "× baseline": 0.0},
        row("baseline: shapely.Point(lon, lat)", base, 1e6, b),
        row("country_at (STR tree, prepared)", tree, 1e6, b),
        row("every polygon, no tree", brute, 1e6, b),
    ]  # fmt: skip


def positions(n: int) -> list[dict[str, object]]:
    root = Path(tempfile.mkdtemp(prefix="bench-borders-"))
    nodes = [DemoNode(c, root / c.value, 18700 + i) for i, c in enumerate((Country.BE, Country.NL))]
    keys = {}
    for node in nodes:
        write_config(node)
        keys[node.country.value], _ = init_identity(node)
    wire_trust(nodes, keys)
    ctx = NodeContext.build(load_settings(nodes[0].config))
    clock = [dt.datetime.now(dt.UTC)]
    ctx.pursuits.set_clock(lambda: clock[0])
    service = PursuitService(ctx)
    event = AuditEvent(
        kind=EventKind.PURSUIT,
        actor=Actor(subject="control", role="control_room", country=Country.BE),
        outcome="bench",
        purpose=None,
        justification=None,
    )
    base = timed(lambda: ctx.audit.append(event), n)
    pid = service.open(CONTROL, "bench", "bench", lat=LANAKEN_BE[0], lon=LANAKEN_BE[1]).pursuit_id

    def stay() -> object:
        clock[0] += dt.timedelta(seconds=5)
        return service.add_position(CONTROL, pid, *LANAKEN_BE)

    same = timed(stay, n)
    crossings: list[float] = []
    for _ in range(max(20, n // 5)):
        p = service.open(CONTROL, "bench", "bench", lat=LANAKEN_BE[0], lon=LANAKEN_BE[1])
        clock[0] += dt.timedelta(seconds=5)
        t0 = time.perf_counter()
        service.add_position(CONTROL, p.pursuit_id, *LANAKEN_NL)
        crossings.append(time.perf_counter() - t0)
    b = statistics.median(base)
    return [
        row("baseline: one audit entry", base, 1e3, b),
        row("add_position, same country", same, 1e3, b),
        row("add_position, crossing (+ notification queued)", crossings, 1e3, b),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--positions", type=int, default=200)
    args = parser.parse_args()
    configure_logging("warning", json=False)
    load = os.getloadavg()[0]
    report("ops_borders_lookup_us", lookups(args.points), {"load_1min": load})
    report("ops_borders_positions_ms", positions(args.positions), {"load_1min": load})
    print(f"load average (1 min) at start: {load:.2f}")


if __name__ == "__main__":
    main()
