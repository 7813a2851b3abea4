"""Joint-action board latency: a result registered at a participant → the organiser's SSE board.

Four real node processes (``passerelle node serve``: BE organises; NL, LU and DE take
part) on loopback. BE plans an action with 40 checkpoints along the borders; then
``--controls`` results (default 5,000, one control each) are registered over the API
of the four nodes at ``--rate`` per second (default 20: the peak rate, held for the
whole run), their times spread over a simulated weekend (the weekend is compressed,
the sending is real time). One client per country sends its results in order.

Measured: for each result registered at a participant, the time from sending the
POST to the first ``ops.actions`` event on the organiser's server-sent-events stream
(``/api/v1/actions/stream``, read over HTTP) whose board counts that result. Baseline
in the same run: a plain signed federation call NL → BE (``/federation/v1/hello``),
idle and during the load. Results: a table, and JSON in ``bench-results/``.

    .venv/bin/python -m benchmarks.bench_ops_actions --controls 5000 --rate 20
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import report
from passerelle.auth.idp import DemoIdP
from passerelle.auth.roles import Role
from passerelle.demo.layout import demo_nodes
from passerelle.demo.run import NodeProcesses
from passerelle.demo.setup import init_identity, wire_trust, write_config
from passerelle.domain.countries import Country
from passerelle.federation.client import PartnerClient
from passerelle.federation.keys import NodeKey
from passerelle.federation.trust import TrustStore
from passerelle.settings import load_settings

COUNTRIES = [Country.BE, Country.NL, Country.LU, Country.DE]
SHARE = {"BE": 0.3, "NL": 0.3, "LU": 0.2, "DE": 0.2}
# weight of each hour of the weekend (Fri 18:00 → Sun 18:00): busy evenings and nights
WEEKEND_H = 48


def hour_weight(h: int) -> float:
    clock = (18 + h) % 24
    return 3.0 if clock >= 20 or clock < 3 else 1.5 if 14 <= clock < 20 else 0.7


def checkpoints(rng: random.Random) -> list[dict[str, Any]]:
    """40 checkpoints near the BE/NL/DE/LU borders (Maastricht, Aachen, Luxembourg)."""
    centres = [(50.85, 5.70), (50.78, 6.05), (51.45, 4.95), (49.60, 6.05), (50.45, 6.25)]
    out = []
    for i in range(40):
        lat, lon = centres[i % len(centres)]
        out.append({"checkpoint_id": f"CP{i + 1:02d}", "name": f"Checkpoint {i + 1}",
                    "lat": round(lat + rng.uniform(-0.12, 0.12), 5),
                    "lon": round(lon + rng.uniform(-0.15, 0.15), 5)})  # fmt: skip
    return out


def token(node: Any, user: str, role: Role) -> str:
    s = load_settings(node.config)
    assert s.oidc.issuer and s.oidc.audience
    idp = DemoIdP(s.data_dir / "idp", issuer=s.oidc.issuer, audience=s.oidc.audience)
    return idp.issue(user, [role])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class BoardReader(threading.Thread):
    """Reads the organiser's SSE stream; keeps (arrival time, results per country)."""

    def __init__(self, url: str, tok: str, action_id: str) -> None:
        super().__init__(daemon=True)
        self.url, self.tok, self.action_id = url, tok, action_id
        self.events: list[tuple[float, dict[str, int]]] = []
        self.connected = threading.Event()
        self.stop = False

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.tok}", "Accept": "text/event-stream"}
        with (
            httpx.Client(timeout=httpx.Timeout(5, read=None)) as client,
            client.stream("GET", f"{self.url}/api/v1/actions/stream", headers=headers) as r,
        ):
            self.connected.set()
            data = ""
            for line in r.iter_lines():
                if self.stop:
                    return
                if line.startswith("data: "):
                    data = line[6:]
                elif line == "" and data:
                    now = time.perf_counter()
                    event = json.loads(data)
                    data = ""
                    if event.get("action_id") == self.action_id:
                        per = event["board"]["by_country"]
                        self.events.append((now, {c: int(v["results"]) for c, v in per.items()}))


async def baseline(be_dir: Any, nl: Any, n: int) -> list[float]:
    """Signed federation calls NL → BE (hello), sequential; milliseconds."""
    s = load_settings(nl.config)
    client = PartnerClient(NodeKey.load_or_create(s.key_path, Country.NL, demo=True),
                           TrustStore.load(s.trust_path))  # fmt: skip
    entry = next(p for p in client.trust.partners() if p.country is Country.BE)
    out = []
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            r = await client.call(entry, "/federation/v1/hello", {}, 5.0)
            if r.status == "ok":
                out.append((time.perf_counter() - t0) * 1000)
    finally:
        await client.aclose()
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    root = Path(args.data_dir or tempfile.mkdtemp(prefix="bench-actions-"))
    nodes = demo_nodes(root, COUNTRIES, args.port_base)
    keys = {}
    for node in nodes:
        write_config(node)
        keys[node.country.value], _ = init_identity(node)
    wire_trust(nodes, keys)
    by = {n.country.value: n for n in nodes}
    procs = NodeProcesses(nodes)
    procs.start()
    try:
        procs.wait_ready(timeout_s=180)
        return measure(args, rng, by)
    finally:
        for p in procs.procs.values():
            p.terminate()
        for p in procs.procs.values():
            p.wait(timeout=30)


def measure(args: argparse.Namespace, rng: random.Random, by: dict[str, Any]) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    start = now - dt.timedelta(hours=WEEKEND_H)
    room = token(by["BE"], "room", Role.CONTROL_ROOM)
    plan = {
        "name": "Etoile benchmark", "starts_at": start.isoformat(),
        "ends_at": (now + dt.timedelta(hours=2)).isoformat(),
        "participants": [{"country": c, "services": ["police", "customs"]} for c in SHARE],
        "checkpoints": checkpoints(rng), "share_back": not args.no_share_back,
    }  # fmt: skip
    r = httpx.post(f"{by['BE'].url}/api/v1/actions", json=plan,
                   headers={"Authorization": f"Bearer {room}"}, timeout=30)  # fmt: skip
    r.raise_for_status()
    aid = r.json()["action_id"]
    tokens = {c: token(by[c], "officer", Role.OFFICER) for c in SHARE}
    deadline = time.monotonic() + 60
    for c in ("NL", "LU", "DE"):  # the plan reached every participant
        auth = {"Authorization": f"Bearer {tokens[c]}"}
        url = f"{by[c].url}/api/v1/actions/{aid}"
        while httpx.get(url, timeout=10, headers=auth).status_code != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"plan did not reach {c}")
            time.sleep(0.1)
    idle = asyncio.run(baseline(by["BE"], by["NL"], args.baseline))
    reader = BoardReader(by["BE"].url, room, aid)
    reader.start()
    reader.connected.wait(10)
    time.sleep(0.3)  # the stream's subscription is in place once its first bytes came
    weights = [hour_weight(h) for h in range(WEEKEND_H)]
    plan_cps = [str(c["checkpoint_id"]) for c in checkpoints(random.Random(args.seed))]
    controls = []
    for i in range(args.controls):
        country = rng.choices(list(SHARE), weights=list(SHARE.values()))[0]
        hour = rng.choices(range(WEEKEND_H), weights=weights)[0]
        at = start + dt.timedelta(hours=hour, seconds=rng.randrange(3600))
        body = {"submission_id": f"bench-{i:06d}", "checkpoint_id": rng.choice(plan_cps),
                "occurred_at": at.isoformat(), "persons_checked": 1,
                "vehicles_checked": int(rng.random() < 0.6), "hits": int(rng.random() < 0.03),
                "arrests": int(rng.random() < 0.01),
                "seizures": [{"type": "cannabis", "quantity": rng.randint(1, 50), "unit": "g"}]
                if rng.random() < 0.05 else []}  # fmt: skip
        controls.append((i / args.rate, country, body))
    sent: dict[str, list[tuple[int, float]]] = {c: [] for c in SHARE}
    errors: list[int] = []
    during: list[float] = []

    async def country_sender(c: str, t0: float) -> None:
        mine = [(due, body) for due, cc, body in controls if cc == c]
        auth = {"Authorization": f"Bearer {tokens[c]}"}
        async with httpx.AsyncClient(base_url=by[c].url, timeout=30, headers=auth) as http:
            for k, (due, body) in enumerate(mine, start=1):
                delay = t0 + due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                sent_at = time.perf_counter()
                resp = await http.post(f"/api/v1/actions/{aid}/results", json=body)
                if resp.status_code != 201:
                    errors.append(resp.status_code)
                sent[c].append((k, sent_at))

    async def load() -> None:
        t0 = time.perf_counter() + 0.2
        tasks = [country_sender(c, t0) for c in SHARE]
        during_task = asyncio.create_task(baseline_during(by, during, args))
        await asyncio.gather(*tasks)
        during_task.cancel()

    started = time.perf_counter()
    asyncio.run(load())
    elapsed = time.perf_counter() - started
    expected = {c: len(v) for c, v in sent.items()}
    wait_until = time.monotonic() + 120
    while time.monotonic() < wait_until:
        last = reader.events[-1][1] if reader.events else {}
        if all(last.get(c, 0) >= n for c, n in expected.items()):
            break
        time.sleep(0.2)
    reader.stop = True
    latencies: dict[str, list[float]] = {c: [] for c in SHARE}
    for c, items in sent.items():
        j = 0
        for k, t_send in items:
            while j < len(reader.events) and reader.events[j][1].get(c, 0) < k:
                j += 1
            if j < len(reader.events):
                latencies[c].append((reader.events[j][0] - t_send) * 1000)
    remote = [x for c in ("NL", "LU", "DE") for x in latencies[c]]
    load_avg = os.getloadavg()
    final = reader.events[-1][1] if reader.events else {}
    rows = [
        row("board: result at participant → organiser SSE", remote),
        row("board: organiser's own result → its SSE", latencies["BE"]),
        row("baseline: signed federation call NL→BE, idle", idle),
        row("baseline: signed federation call NL→BE, under load", during),
    ]
    return {
        "rows": rows,
        "extra": {
            "action_id": aid,
            "controls": args.controls,
            "rate_per_s": args.rate,
            "send_seconds": round(elapsed, 1),
            "achieved_rate": round(args.controls / elapsed, 1),
            "errors": len(errors),
            "board_events": len(reader.events),
            "board_final": final,
            "expected": expected,
            "share_back": not args.no_share_back,
            "lost": sum(expected[c] - final.get(c, 0) for c in expected),
            "load_average_after": [round(x, 2) for x in load_avg],
        },
    }


async def baseline_during(by: dict[str, Any], out: list[float], args: argparse.Namespace) -> None:
    while True:
        out.extend(await baseline(by["BE"], by["NL"], 5))
        await asyncio.sleep(0.5)


def row(name: str, ms: list[float]) -> dict[str, Any]:
    return {
        "measure": name, "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1) if ms else float("nan"),
        "p95_ms": round(pct(ms, 0.95), 1), "p99_ms": round(pct(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else float("nan"),
    }  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--controls", type=int, default=5000)
    p.add_argument("--rate", type=float, default=20.0, help="results per second, all nodes")
    p.add_argument("--baseline", type=int, default=200, help="idle baseline calls")
    p.add_argument("--port-base", type=int, default=8460)
    p.add_argument("--data-dir", default=None, help="default: a new temporary directory")
    p.add_argument("--no-share-back", action="store_true", help="organiser keeps the board")
    p.add_argument("--seed", type=int, default=8)
    args = p.parse_args()
    out = run(args)
    print(json.dumps(out["extra"], indent=2))
    path = report(f"ops-actions-{args.controls}", out["rows"], out["extra"])
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
