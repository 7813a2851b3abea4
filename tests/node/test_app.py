"""A node's HTTP surface: health, metrics, OpenAPI, auth errors, limits, partners."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.exc import ConfigError
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import build

Make = Callable[..., dict[Country, Any]]


@pytest.fixture
def be(make_nodes: Make) -> Iterator[tuple[TestClient, NodeContext]]:
    node, _ = make_nodes(Country.BE, Country.NL)[Country.BE]
    ctx = build(node)
    with TestClient(create_app(ctx)) as client:
        yield client, ctx


def bearer(ctx: NodeContext, *roles: Role) -> dict[str, str]:
    assert ctx.idp is not None
    return {"Authorization": f"Bearer {ctx.idp.issue('t', list(roles) or [Role.OFFICER])}"}


def test_health_readiness_and_metrics(be: tuple[TestClient, NodeContext]) -> None:
    client, _ = be
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "schema": "ok", "key": "ok"}
    text = client.get("/metrics").text
    assert 'passerelle_http_requests_total{method="GET",route="/readyz",status="200"} 1.0' in text
    assert 'passerelle_register_records{dataset="population"} 0.0' in text
    assert "passerelle_trusted_partners 1.0" in text


def test_openapi_and_docs(be: tuple[TestClient, NodeContext]) -> None:
    client, _ = be
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/node" in paths and "/federation/v1/hello" in paths
    assert client.get("/docs").status_code == 200


def test_request_ids_are_returned(be: tuple[TestClient, NodeContext]) -> None:
    client, _ = be
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    bad = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert bad.headers["x-request-id"] != "<script>"


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "token_missing"),
        ({"Authorization": "Basic dXNlcjpwdw=="}, "token_scheme"),
        ({"Authorization": "Bearer not-a-token"}, "token_invalid"),
    ],
)
def test_api_requires_a_valid_token(
    be: tuple[TestClient, NodeContext], headers: dict[str, str], code: str
) -> None:
    client, _ = be
    r = client.get("/api/v1/node", headers={**headers, "Accept-Language": "de-DE,de;q=0.9"})
    assert r.status_code == 401
    err = r.json()["error"]
    assert err["code"] == code
    assert err["message"] and err["message"] != err["detail"]  # translated for the officer
    assert r.headers["www-authenticate"] == "Bearer"


def test_identity_with_a_token(be: tuple[TestClient, NodeContext]) -> None:
    client, ctx = be
    body = client.get("/api/v1/node", headers=bearer(ctx)).json()
    assert body["country"] == "BE" and body["key_id"] == ctx.key.key_id and body["mode"] == "demo"
    counts = client.get("/api/v1/node/registers", headers=bearer(ctx)).json()
    assert counts["population"] == 0


def test_oversized_request_is_refused(be: tuple[TestClient, NodeContext]) -> None:
    client, ctx = be
    big = b"x" * (ctx.settings.max_request_bytes + 1)
    r = client.post("/federation/v1/hello", content=big)
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_unsigned_federation_request_is_refused(be: tuple[TestClient, NodeContext]) -> None:
    client, _ = be
    r = client.post("/federation/v1/hello", json={})
    assert r.status_code == 401 and r.json()["error"]["code"] == "signature_missing"


def test_validation_errors_are_json_422(be: tuple[TestClient, NodeContext]) -> None:
    client, _ = be
    assert client.get("/no/such/page", headers={"Accept": "application/json"}).status_code == 404


def test_idp_publishes_jwks(be: tuple[TestClient, NodeContext]) -> None:
    client, ctx = be
    jwks = client.get("/idp/jwks.json").json()
    assert jwks["keys"][0]["kid"] == ctx.idp.kid  # type: ignore[union-attr]
    disco = client.get("/idp/.well-known/openid-configuration").json()
    assert disco["issuer"] == ctx.settings.oidc.issuer


def test_production_refuses_demo_keys(make_nodes: Make) -> None:
    node, _ = make_nodes(Country.LU)[Country.LU]
    settings = load_settings(
        node.config,
        mode="production",
        oidc={
            "demo_idp": False,
            "issuer": "https://idp.example",
            "jwks_url": "https://idp.example/k",
        },
    )
    with pytest.raises(ConfigError, match="demo"):
        NodeContext.build(settings)


def test_partners_reachable_and_trusted_then_unreachable(make_nodes: Make) -> None:
    nodes = make_nodes(Country.BE, Country.NL, Country.DE)
    be_node, nl_node = nodes[Country.BE][0], nodes[Country.NL][0]
    be_ctx, nl_ctx = build(be_node), build(nl_node)
    with (
        LiveServer(create_app(nl_ctx), nl_node.port),
        LiveServer(create_app(be_ctx), be_node.port) as be_srv,
    ):
        import httpx

        got = httpx.get(f"{be_srv.url}/api/v1/node/partners", headers=bearer(be_ctx), timeout=10)
        status = {p["country"]: p for p in got.json()}
        assert status["NL"]["reachable"] and status["NL"]["trusted"], status["NL"]
        assert not status["DE"]["reachable"] and not status["DE"]["trusted"]  # DE is not running
        assert status["DE"]["status"] == "unavailable"
        assert status["NL"]["status"] == "ok" and status["NL"]["latency_ms"] > 0


@pytest.mark.integration
def test_node_runs_on_postgresql(make_nodes: Make, pg_url: str) -> None:
    node, _ = make_nodes(Country.NL)[Country.NL]
    ctx = NodeContext.build(load_settings(node.config, database={"url": pg_url}))
    assert ctx.engine.dialect.name == "postgresql"
    with TestClient(create_app(ctx)) as client:
        ready = client.get("/readyz").json()
        assert ready["status"] == "ready", ready
        counts = client.get("/api/v1/node/registers", headers=bearer(ctx)).json()
        assert counts == dict.fromkeys(counts, 0) and "population" in counts
