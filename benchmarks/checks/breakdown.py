"""Where a check's CPU goes on the requesting node: BE's check service in this process.

The partners (NL, LU, DE) run as real node processes; BE's ``CheckService`` runs here,
on the same data and configuration as the BE node, with its parts wrapped to add up the
CPU time of the thread that runs them (``time.thread_time``), so work done in worker
threads is counted too. Checks are sent one after the other (no concurrency), so the
figures are CPU costs, not waits. Run after ``bench_checks`` has prepared the data:
.venv/bin/python -m benchmarks.checks.breakdown --persons 100000 [--checks 200]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.bench_checks import start_patrol, token
from benchmarks.checks.nodes import Cluster, nodes_for, prepare
from benchmarks.checks.queries import QueryBank
from benchmarks.common import OUT, report
from passerelle.auth.roles import Role
from passerelle.checks import provider as provider_mod
from passerelle.checks import service as service_mod
from passerelle.checks.federation import answer_partner_check
from passerelle.checks.models import CheckContext, CheckRequest
from passerelle.checks.service import CheckService
from passerelle.demo.layout import DEMO_SEED
from passerelle.domain.countries import Country
from passerelle.federation import client as client_mod
from passerelle.federation.keys import NodeKey
from passerelle.federation.server import signed_json_response
from passerelle.federation.signing import InMemoryNonceStore, sign_request, verify_request
from passerelle.node.context import NodeContext
from passerelle.ops.store import PatrolStore
from passerelle.settings import load_settings

CPU: dict[str, float] = defaultdict(float)


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*a: Any, **k: Any) -> Any:
        t0 = time.thread_time()
        try:
            return fn(*a, **k)
        finally:
            CPU[name] += time.thread_time() - t0

    return wrapper


PATCHES: list[tuple[object, str, str]] = [
    (service_mod, "validate_check", "validate"),
    (service_mod, "search", "local search (SQL + matching)"),
    (service_mod, "check_patrol_access", "patrol rule"),
    (PatrolStore, "get", "patrol lookup (SQL)"),
    (client_mod, "sign_request", "sign requests (RFC 9421)"),
    (client_mod, "verify_response", "verify answers (RFC 9421)"),
    (service_mod, "_partner_source", "partner answers -> sources"),
]


PROVIDER_PATCHES: list[tuple[object, str, str]] = [
    (provider_mod, "validate_check", "validate"),
    (provider_mod, "search", "local search (SQL + matching)"),
    (provider_mod, "disclose_matches", "policy filter + references"),
]


def instrument(ctx: NodeContext, patches: list[tuple[object, str, str]]) -> None:
    for owner, attr, label in [*patches, (ctx.audit, "append_many", "audit writes")]:
        setattr(owner, attr, timed(label, getattr(owner, attr)))


def measure_provider(
    nl: NodeContext, be_key: NodeKey, bank: QueryBank, patrol_id: str, n: int
) -> dict[str, Any]:
    """NL answering BE's signed check requests: verify, answer, sign (no HTTP)."""
    draw = bank.stream(DEMO_SEED + 2)
    nonces = InMemoryNonceStore()
    url = f"{nl.settings.base_url}/federation/v1/checks/person"

    def one() -> None:
        payload = {
            "check_id": uuid.uuid4().hex, "kind": "person", "subject": draw()[1],
            "context": {"purpose": "joint_control", "patrol_id": patrol_id,
                        "justification": "roadside check"},
            "officer": {"subject": "officer", "role": "officer"},
        }  # fmt: skip
        body = json.dumps(payload).encode()
        headers, _ = sign_request("POST", url, {"content-type": "application/json"}, body, be_key)
        t0 = time.thread_time()
        v = verify_request("POST", url, headers, body, nl.trust, nonces)
        CPU["verify request (RFC 9421)"] += time.thread_time() - t0
        answer = answer_partner_check(nl, v.partner.country, "person", json.loads(body))
        t0 = time.thread_time()
        signed_json_response(answer, nl.key, v.nonce)
        CPU["sign answer + JSON (RFC 9421)"] += time.thread_time() - t0

    for _ in range(5):
        one()
    CPU.clear()
    c0, w0 = time.thread_time(), time.perf_counter()
    for _ in range(n):
        one()
    cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
    parts = {k: round(v * 1000 / n, 2) for k, v in sorted(CPU.items(), key=lambda kv: -kv[1])}
    return {
        "cpu_ms": round(cpu * 1000 / n, 2),
        "wall_ms": round(wall * 1000 / n, 1),
        "parts": parts,
    }


async def measure(ctx: NodeContext, bank: QueryBank, patrol_id: str, n: int,
                  countries: list[str] | None, principal: Any) -> dict[str, Any]:  # fmt: skip
    draw = bank.stream(DEMO_SEED + 1)
    svc = CheckService(ctx)
    for _ in range(5):  # warm-up (connections, caches)
        await svc.run("person", _request(draw()[1], patrol_id, countries), principal)
    CPU.clear()
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(n):
        await svc.run("person", _request(draw()[1], patrol_id, countries), principal)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    parts = {k: round(v * 1000 / n, 2) for k, v in sorted(CPU.items(), key=lambda kv: -kv[1])}
    return {
        "cpu_ms": round(cpu * 1000 / n, 2),
        "wall_ms": round(wall * 1000 / n, 1),
        "parts": parts,
    }


def _request(subject: dict[str, str], patrol_id: str, countries: list[str] | None) -> CheckRequest:
    return CheckRequest(
        subject=subject,
        context=CheckContext(
            purpose="joint_control", patrol_id=patrol_id, justification="roadside check"
        ),
        countries=countries,
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--checks", type=int, default=200)
    ap.add_argument("--data-dir", type=Path, default=OUT / "checks-data")
    ap.add_argument("--port-base", type=int, default=18400)
    args = ap.parse_args()
    nodes = nodes_for(args.data_dir, args.persons, args.port_base)
    prepare(nodes, args.persons)
    bank = QueryBank(nodes, args.persons, DEMO_SEED)
    cluster = Cluster(nodes)
    cluster.start()
    try:
        be = cluster.nodes[Country.BE]
        patrol_id = start_patrol(be, token(be, "officer", [Role.OFFICER]))
        ctx = NodeContext.build(load_settings(be.config))
        principal = ctx.verifier.verify(token(be, "officer", [Role.OFFICER]))
        tok = token(be, "officer", [Role.OFFICER])
        t0 = time.thread_time()
        for _ in range(200):
            ctx.verifier.verify(tok)
        jwt_ms = (time.thread_time() - t0) * 1000 / 200
        instrument(ctx, PATCHES)

        async def both() -> dict[str, Any]:
            local = await measure(ctx, bank, patrol_id, args.checks, ["BE"], principal)
            fed = await measure(ctx, bank, patrol_id, args.checks, None, principal)
            await ctx.client.aclose()
            return {"local": local, "federated": fed}

        res = asyncio.run(both())
        nl_ctx = NodeContext.build(load_settings(cluster.nodes[Country.NL].config))
        instrument(nl_ctx, PROVIDER_PATCHES)
        res["provider"] = measure_provider(nl_ctx, ctx.key, bank, patrol_id, args.checks)
    finally:
        cluster.stop()
    names = list(dict.fromkeys([*res["federated"]["parts"], *res["local"]["parts"]]))
    rows = [
        {"part (BE, CPU ms per check)": k, "local only": res["local"]["parts"].get(k, 0.0),
         "BE+NL+LU+DE": res["federated"]["parts"].get(k, 0.0)}
        for k in names
    ]  # fmt: skip
    rows.append({"part (BE, CPU ms per check)": "token verification (API, not in the service)",
                 "local only": round(jwt_ms, 2), "BE+NL+LU+DE": round(jwt_ms, 2)})  # fmt: skip
    for label, key in (("whole check service (process CPU)", "cpu_ms"), ("wall time", "wall_ms")):
        rows.append({"part (BE, CPU ms per check)": label, "local only": res["local"][key],
                     "BE+NL+LU+DE": res["federated"][key]})  # fmt: skip
    rows += [
        {"part (BE, CPU ms per check)": f"NL answering: {k}", "local only": "-", "BE+NL+LU+DE": v}
        for k, v in [*res["provider"]["parts"].items(),
                     ("whole answer (thread CPU)", res["provider"]["cpu_ms"])]
    ]  # fmt: skip
    report(f"checks-breakdown-{args.persons}", rows, {"persons_per_node": args.persons,
                                                      "checks": args.checks})  # fmt: skip


if __name__ == "__main__":
    main()
