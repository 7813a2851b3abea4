"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from passerelle.storage.db import schema_is_current
from passerelle.web.deps import CtxDep

router = APIRouter(tags=["health"])
COUNTS_TTL_S = 60.0


class NodeMetrics:
    """Gauges refreshed at scrape time; register counts are cached for a minute."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.records = Gauge(
            "passerelle_register_records",
            "Records per national register dataset.",
            ["dataset"],
            registry=registry,
        )
        self.partners = Gauge(
            "passerelle_trusted_partners", "Partner nodes in the trust store.", registry=registry
        )
        self.outbox = Gauge(
            "passerelle_outbox_messages",
            "Messages to partner nodes by state (pending ones are still being retried).",
            ["state"],
            registry=registry,
        )
        self._counted_at = 0.0


@router.get("/healthz", summary="Liveness: the process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database reachable, schema current, key loaded")
def readyz(ctx: CtxDep) -> Response:
    checks: dict[str, str] = {}
    try:
        ctx.registers.ping()
        checks["database"] = "ok"
        checks["schema"] = "ok" if schema_is_current(ctx.engine) else "outdated"
    except Exception as e:  # readiness reports, it does not raise
        checks["database"] = f"error: {type(e).__name__}"
    checks["key"] = "ok" if ctx.key.key_id else "missing"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics (text format)")
def metrics(request: Request, ctx: CtxDep) -> Response:
    m: NodeMetrics = request.app.state.node_metrics
    now = time.monotonic()
    if now - m._counted_at > COUNTS_TTL_S:
        for dataset, n in ctx.registers.counts().items():
            m.records.labels(dataset).set(n)
        m._counted_at = now
    m.partners.set(len(ctx.trust.partners()))
    outbox = ctx.outbox.counts()
    for state in ("pending", "delivered", "rejected"):
        m.outbox.labels(state).set(outbox.get(state, 0))
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)
