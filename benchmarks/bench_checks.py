"""Federated person checks: four real nodes on loopback, BE fanning out to NL, LU, DE.

Each node (``passerelle node serve``, SQLite as in the demo) holds ``--persons`` people
plus wanted persons, vehicles, documents and police records from ``passerelle synth``
(demo seed), imported once into ``--data-dir`` and reused. An officer of BE on an active
joint patrol with NL, LU and DE sends person checks of realistic variants
(``benchmarks/checks/queries.py``) with 1, 8 and 32 concurrent officers (closed loop,
async httpx, this process); then again with DE stopped and LU slowed by 3 s (a delaying
TCP proxy between BE and LU). Baselines in the same run: a signed federation /hello
round-trip BE → NL (the node's own PartnerClient), and BE's local-only check.
Run: .venv/bin/python -m benchmarks.bench_checks [--persons 1000000] [--duration 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from benchmarks.checks.load import Run, pct, run_load, summary
from benchmarks.checks.nodes import Cluster, nodes_for, prepare
from benchmarks.checks.queries import QueryBank
from benchmarks.common import OUT, report
from passerelle.auth.idp import DemoIdP
from passerelle.auth.roles import Role
from passerelle.demo.layout import DEMO_SEED, DemoNode
from passerelle.domain.countries import Country
from passerelle.federation.client import PartnerClient
from passerelle.federation.keys import NodeKey
from passerelle.federation.trust import TrustStore
from passerelle.logs import configure_logging
from passerelle.settings import load_settings

SLOW_S = 3.0
ORDER = ["BE", "NL", "LU", "DE"]
OVERHEAD_S = 0.25  # an answer counts as over budget past time_budget_s + this (HTTP, auth, JSON)
JUSTIFICATION = "roadside check, joint patrol A76 Maastricht-Heerlen"


def token(node: DemoNode, user: str, roles: list[Role]) -> str:
    s = load_settings(node.config)
    assert s.oidc.issuer and s.oidc.audience
    return DemoIdP(s.data_dir / "idp", s.oidc.issuer, s.oidc.audience).issue(
        user, roles, minutes=240
    )


def start_patrol(be: DemoNode, officer_token: str) -> str:
    crew = [f"{c}:officer" for c in ("BE", "NL", "LU", "DE")]
    r = httpx.post(
        f"{be.url}/api/v1/ops/patrols",
        json={"crew": crew, "start": True, "vehicle": "bench", "area": "Benelux border"},
        headers={"Authorization": f"Bearer {officer_token}"},
        timeout=30,
    )
    r.raise_for_status()
    view = r.json()
    patrol_id = str(view["patrol_id"])
    deadline = time.monotonic() + 30  # copies may be delivered by the node's outbox
    while bad := {c: s for c, s in view.get("sync", {}).items() if s != "registered"}:
        if time.monotonic() > deadline:
            raise RuntimeError(f"patrol not registered at every partner: {bad}")
        time.sleep(0.2)
        view = httpx.get(
            f"{be.url}/api/v1/ops/patrols/{patrol_id}",
            headers={"Authorization": f"Bearer {officer_token}"},
            timeout=30,
        ).json()
    return patrol_id


class Checks:
    """Sends person checks from BE's API as one officer."""

    def __init__(self, be: DemoNode, officer_token: str, patrol_id: str, bank: QueryBank):
        self.http = httpx.AsyncClient(
            base_url=be.url,
            headers={"Authorization": f"Bearer {officer_token}"},
            timeout=30,
            # Below uvicorn's 5 s keep-alive: never reuse a connection the node is closing.
            limits=httpx.Limits(
                max_connections=64, max_keepalive_connections=64, keepalive_expiry=2.0
            ),
        )
        self.patrol_id = patrol_id
        self.draw = bank.stream(DEMO_SEED)

    def sender(self, countries: list[str] | None) -> Callable[[int], tuple[str, Any]]:
        def make(_i: int) -> tuple[str, Callable[[], Awaitable[tuple[int, Any]]]]:
            variant, subject = self.draw()
            body: dict[str, Any] = {
                "subject": subject,
                "context": {
                    "purpose": "joint_control",
                    "patrol_id": self.patrol_id,
                    "justification": JUSTIFICATION,
                },
            }
            if countries:
                body["countries"] = countries

            async def send() -> tuple[int, Any]:
                try:
                    r = await self.http.post("/api/v1/checks/person", json=body)
                except httpx.HTTPError:  # counted as an error (status 0), never retried
                    return 0, None
                return r.status_code, (r.json() if r.status_code == 200 else None)

            return variant, send

        return make


def hello_sender(be: DemoNode) -> tuple[PartnerClient, Callable[[int], tuple[str, Any]]]:
    """Signed POST /federation/v1/hello to NL with the node's own client; answer verified."""
    s = load_settings(be.config)
    client = PartnerClient(NodeKey.load_or_create(s.key_path, Country.BE, demo=True),
                           TrustStore.load(s.trust_path))  # fmt: skip
    nl = next(p for p in client.trust.partners() if p.country is Country.NL)

    def make(_i: int) -> tuple[str, Callable[[], Awaitable[tuple[int, Any]]]]:
        async def send() -> tuple[int, Any]:
            r = await client.call(nl, "/federation/v1/hello", {}, 5.0)
            return (200 if r.status == "ok" else 599), {"sources": [
                {"country": "NL", "status": r.status, "latency_ms": r.latency_ms}
            ]}  # fmt: skip

        return "hello", send

    return client, make


def profile(
    args: argparse.Namespace, cluster: Cluster, level: str
) -> list[subprocess.Popen[bytes]]:
    """With --py-spy: sample BE and NL during the all-up level of --profile-officers."""
    if not args.py_spy or level != f"BE+NL+LU+DE, all up x{args.profile_officers}":
        return []
    pids = cluster.pids()
    spies = []
    for c in ("BE", "NL"):  # collapsed stacks; idle threads included (filter them when reading)
        out = OUT / f"checks-{args.persons}-profile-{c}.txt"
        cmd = [str(args.py_spy), "record", "-p", str(pids[c]), "-d", str(int(args.duration))]
        cmd += ["-r", "200", "-f", "raw", "-o", str(out)]
        spies.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return spies


def code_version() -> dict[str, Any]:
    """The commit the nodes ran, and which source files differed from it (shared tree)."""
    root = Path(__file__).resolve().parents[1]
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    dirty = subprocess.run(["git", "status", "--short", "--", "src"], cwd=root,
                           capture_output=True, text=True).stdout.split("\n")  # fmt: skip
    return {"commit": head, "src_changed": [ln[3:] for ln in dirty if ln.strip()]}


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """User + system CPU time of each node process (and of this load generator)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for name, pid in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # stopped node
        out[name] = (int(fields[11]) + int(fields[12])) / tick
    t = os.times()
    out["client"] = t.user + t.system
    return out


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def row(scenario: str, officers: int, run: Run, budget: float | None = None) -> dict[str, Any]:
    s = summary(run)
    errors = sum(n for code, n in run.http.items() if code != 200)
    out: dict[str, Any] = {
        "scenario": scenario,
        "officers": officers,
        "checks": s["n"],
        "p50_ms": s["p50_ms"],
        "p95_ms": s["p95_ms"],
        "p99_ms": s["p99_ms"],
        "max_ms": s["max_ms"],
        "per_s": s["per_s"],
        "errors": errors,
        "ok_p50_ms": s["answered_p50_ms"],  # 200 answers only: 503 checks_busy excluded
        "ok_p99_ms": s["answered_p99_ms"],
        "ok_max_ms": s["answered_max_ms"],
    }
    ok = ("hit", "no_hit", "ok")  # "ok": a verified /hello answer
    out["answered_pct"] = " ".join(
        f"{c} {100 * sum(n for st, n in counts.items() if st in ok) / sum(counts.values()):.0f}"
        for c, counts in sorted(run.sources.items(), key=lambda kv: ORDER.index(kv[0]))
    )
    out["over_budget"] = run.over_budget if budget is not None else "-"
    return out


def sources_detail(run: Run) -> dict[str, Any]:
    out: dict[str, Any] = {
        "outside_sources": {
            "p50_ms": round(pct(run.outside_ms, 50), 1),
            "p99_ms": round(pct(run.outside_ms, 99), 1),
        }
    }
    return out | {
        c: {
            "status": dict(counts),
            "p50_ms": round(pct(run.source_ms.get(c, []), 50), 1),
            "p99_ms": round(pct(run.source_ms.get(c, []), 99), 1),
        }
        for c, counts in sorted(run.sources.items())
    }


async def measure(args: argparse.Namespace, cluster: Cluster, bank: QueryBank) -> dict[str, Any]:
    be = cluster.nodes[Country.BE]
    budget = load_settings(be.config).checks.time_budget_s
    tok = token(be, "officer", [Role.OFFICER])
    patrol_id = start_patrol(be, tok)
    checks = Checks(be, tok, patrol_id, bank)
    hello_client, hello = hello_sender(be)
    rows: list[dict[str, Any]] = []
    detail: dict[str, Any] = {}

    async def level(name: str, make: Any, n: int, budget_s: float | None = None) -> None:
        la = loadavg()
        limit = budget_s + OVERHEAD_S if budget_s is not None else None
        spies = profile(args, cluster, f"{name} x{n}")
        cpu0 = cpu_seconds(cluster.pids())
        run = await run_load(make, n, args.duration, limit)
        cpu1 = cpu_seconds(cluster.pids())
        for spy in spies:
            spy.wait()
        done = max(1, len(run.latencies_ms))
        cpu = {k: round((cpu1[k] - cpu0[k]) * 1000 / done, 2) for k in cpu1 if k in cpu0}
        nodes_cpu = round(sum(v for k, v in cpu.items() if k != "client"), 1)
        rows.append(row(name, n, run, budget_s) | {"cpu_ms_per_check": nodes_cpu, "load": la})
        detail[f"{name} x{n}"] = {
            "cpu_ms_per_check": cpu,
            "sources": sources_detail(run),
            "http": dict(run.http),
            "variants": {v: dict(c) for v, c in sorted(run.variants.items())},
        }
        print(f"  {rows[-1]}", flush=True)

    try:
        await run_load(checks.sender(None), 4, min(5.0, args.duration))  # warm-up
        await run_load(hello, 2, 1.0)
        for n in args.officers:
            await level("baseline: signed /hello BE→NL", hello, n)
        for n in args.officers:
            await level("baseline: BE local only", checks.sender(["BE"]), n, budget)
        for n in args.officers:
            await level("BE+NL+LU+DE, all up", checks.sender(None), n, budget)
        cluster.stop_node(Country.DE)
        cluster.set_proxy_delay(SLOW_S)
        for n in args.officers:
            await level("DE stopped, LU +3 s", checks.sender(None), n, budget)
    finally:
        await checks.http.aclose()
        await hello_client.aclose()
    return {"rows": rows, "detail": detail, "budget_s": budget, "patrol_id": patrol_id}


def main() -> None:
    os.environ.setdefault("COLUMNS", "160")  # the table's width when not on a terminal
    configure_logging("warning", True)  # the /hello baseline's client logs every call at info
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=10_000, help="persons per node")
    ap.add_argument("--duration", type=float, default=8.0, help="seconds per load level")
    ap.add_argument("--officers", default="1,8,32", help="concurrency levels")
    ap.add_argument("--data-dir", type=Path, default=OUT / "checks-data")
    ap.add_argument("--port-base", type=int, default=18400)
    ap.add_argument("--py-spy", type=Path, help="py-spy binary: profile BE and NL (all up)")
    ap.add_argument("--profile-officers", type=int, default=8)
    args = ap.parse_args()
    args.officers = [int(x) for x in args.officers.split(",")]
    nodes = nodes_for(args.data_dir, args.persons, args.port_base)
    print(f"preparing {len(nodes)} nodes × {args.persons:,} persons in {nodes[0].directory.parent}")
    t0 = time.perf_counter()
    timings = prepare(nodes, args.persons)
    prepare_s = time.perf_counter() - t0
    bank = QueryBank(nodes, args.persons, DEMO_SEED)
    print(f"queries: {bank.counts()}")
    cluster = Cluster(nodes)
    t0 = time.perf_counter()
    cluster.start()
    startup_s = time.perf_counter() - t0
    try:
        result = asyncio.run(measure(args, cluster, bank))
    finally:
        cluster.stop()
    report(
        f"checks-{args.persons}",
        result["rows"],
        {
            "persons_per_node": args.persons,
            "duration_per_level_s": args.duration,
            "budget_s": result["budget_s"],
            "slow_partner_s": SLOW_S,
            "over_budget_means_ms_over": (result["budget_s"] + OVERHEAD_S) * 1000,
            "database": "SQLite (WAL), one file per node, as in the demo",
            "prepare_s": round(prepare_s, 1),
            "prepare": timings,
            "node_startup_s": round(startup_s, 1),
            "queries": bank.counts(),
            "detail": result["detail"],
            "loadavg_end": loadavg(),
            "code": code_version(),
        },
    )


if __name__ == "__main__":
    main()
