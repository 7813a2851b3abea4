"""The FastAPI application factory of a node."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CollectorRegistry

from passerelle import __version__
from passerelle.anpr.api_analytics import router as anpr_analytics_router
from passerelle.anpr.api_hits import router as anpr_hits_router
from passerelle.anpr.api_hotlists import router as anpr_hotlists_router
from passerelle.anpr.api_reads import router as anpr_reads_router
from passerelle.anpr.exchange_federation import router as anpr_exchange_federation_router
from passerelle.audit.hooks import federation_rejected_hook
from passerelle.checks.api import router as checks_router
from passerelle.checks.federation import router as checks_federation_router
from passerelle.crime.api import router as crime_router
from passerelle.crime.sharing import router as crime_federation_router
from passerelle.federation.server import FederationState
from passerelle.federation.server import router as federation_router
from passerelle.node.context import NodeContext
from passerelle.ops.action_federation import router as actions_federation_router
from passerelle.ops.api import router as patrols_router
from passerelle.ops.api_actions import router as actions_router
from passerelle.ops.api_pursuits import router as pursuits_router
from passerelle.ops.federation import router as patrols_federation_router
from passerelle.ops.pursuit_federation import router as pursuits_federation_router
from passerelle.requests.federation import router as requests_federation_router
from passerelle.requests.service import start_delivery
from passerelle.retention.scheduler import start_retention
from passerelle.web import api_node, api_requests, health, i18n, idp_routes, pages
from passerelle.web.action_pages import router as action_pages_router
from passerelle.web.anpr_pages import router as anpr_pages_router
from passerelle.web.api_dpo import router as dpo_api_router
from passerelle.web.check_pages import router as check_pages_router
from passerelle.web.control_room import router as control_room_router
from passerelle.web.crime_pages import router as crime_pages_router
from passerelle.web.dpo_pages import router as dpo_pages_router
from passerelle.web.errors import install_error_handlers
from passerelle.web.health import NodeMetrics
from passerelle.web.middleware import BodyLimit, HttpMetrics, RequestContext
from passerelle.web.patrol_log_pages import router as patrol_log_pages_router
from passerelle.web.pursuit_pages import router as pursuit_pages_router
from passerelle.web.requests_pages import router as requests_pages_router

STATIC = Path(__file__).with_name("static")


def create_app(ctx: NodeContext) -> FastAPI:
    s = ctx.settings

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = start_retention(_app, ctx)
        delivery = start_delivery(ctx)
        ctx.patrols.start_background()
        ctx.pursuits.start_background()  # before the outbox: its delivery callbacks
        ctx.outbox.start_background()
        await ctx.anpr.start()
        if s.anpr.enabled:  # hotlist sync with partners: pull now and on a timer
            ctx.anpr.hotlists.start_sync()
        yield
        await ctx.anpr.hotlists.stop_sync()
        await ctx.anpr.stop()
        await ctx.patrols.stop_background()
        await ctx.pursuits.stop_background()
        await ctx.outbox.stop_background()
        ctx.live.close()
        if delivery is not None:
            await delivery.stop()
        if scheduler is not None:
            await scheduler.stop()
        await ctx.aclose()

    i18n.load_catalogues()  # a broken catalogue stops the node at start-up
    app = FastAPI(
        docs_url=None,  # served below from the vendored Swagger UI: no CDN
        title=f"Passerelle node {s.country.value}",
        version=__version__,
        description="Police information exchange across the Benelux and the Euregio "
        "Meuse-Rhine. Officer endpoints under /api/v1 take a bearer JWT.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.federation = FederationState(
        key=ctx.key,
        trust=ctx.trust,
        nonces=ctx.nonces,
        node_name=s.name,
        country=s.country,
        window_s=s.federation.signature_window_s,
        max_body=s.federation.max_body_bytes,
        on_rejected=federation_rejected_hook(ctx.audit, s.country),
    )
    registry = CollectorRegistry()
    app.state.node_metrics = NodeMetrics(registry)
    registry.register(ctx.anpr.metrics)  # ANPR ingest counters (passerelle.anpr)
    registry.register(ctx.anpr.hotlists.metrics)  # ANPR hotlists and hits
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(api_node.router)
    app.include_router(federation_router)
    app.include_router(api_requests.router)
    app.include_router(requests_federation_router)
    app.include_router(checks_router)
    app.include_router(checks_federation_router)
    app.include_router(patrols_router)
    app.include_router(patrols_federation_router)
    app.include_router(pursuits_router)
    app.include_router(pursuits_federation_router)
    app.include_router(pursuit_pages_router)
    app.include_router(anpr_reads_router)
    app.include_router(anpr_hotlists_router)
    app.include_router(anpr_hits_router)
    app.include_router(anpr_exchange_federation_router)
    app.include_router(anpr_analytics_router)
    app.include_router(anpr_pages_router)
    app.include_router(actions_router)
    app.include_router(actions_federation_router)
    app.include_router(action_pages_router)
    if ctx.idp is not None:
        app.include_router(idp_routes.router)
    app.include_router(pages.router)
    app.include_router(dpo_api_router)
    app.include_router(dpo_pages_router)
    app.include_router(requests_pages_router)
    app.include_router(crime_router)
    app.include_router(crime_federation_router)
    app.include_router(crime_pages_router)
    app.include_router(check_pages_router)
    app.include_router(control_room_router)
    app.include_router(patrol_log_pages_router)

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title=f"Passerelle {s.country.value} — API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")
    app.add_middleware(BodyLimit, max_bytes=s.max_request_bytes)
    app.add_middleware(RequestContext, metrics=HttpMetrics(registry))
    return app
