"""The partner client against real servers: ok, unavailable, timeout, untrusted, refused."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from passerelle.domain.countries import Country
from passerelle.exc import PasserelleError
from passerelle.federation.client import PartnerClient
from passerelle.federation.keys import NodeKey
from passerelle.federation.server import FederationState, Verified, signed_json
from passerelle.federation.server import router as federation_router
from passerelle.federation.signing import InMemoryNonceStore
from passerelle.federation.trust import PartnerEntry, TrustStore
from tests.conftest import LiveServer

STALL = asyncio.Event()


def partner_app(
    nl: NodeKey, trusted: list[NodeKey], *, sign_with: NodeKey | None = None
) -> FastAPI:
    app = FastAPI()
    app.state.federation = FederationState(
        key=sign_with or nl,
        trust=TrustStore(
            [PartnerEntry.from_key(k, base_url="http://x", name="x") for k in trusted]
        ),
        nonces=InMemoryNonceStore(),
        node_name="NL test",
        country=Country.NL,
    )
    app.include_router(federation_router)

    @app.post("/federation/v1/stall")
    async def stall(request: Request, call: Verified) -> Response:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(STALL.wait(), timeout=1.0)
        return signed_json(request, {}, call.nonce)

    @app.exception_handler(PasserelleError)
    async def handle(_r: Request, exc: PasserelleError) -> Response:
        return JSONResponse({"error": exc.to_dict()}, status_code=exc.status)

    return app


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, NodeKey]:
    return {
        "be": NodeKey.load_or_create(tmp_path / "be.pem", Country.BE),
        "nl": NodeKey.load_or_create(tmp_path / "nl.pem", Country.NL),
        "evil": NodeKey.load_or_create(tmp_path / "evil.pem", Country.NL),
    }


@pytest.fixture
def nl_server(keys: dict[str, NodeKey]) -> Iterator[LiveServer]:
    with LiveServer(partner_app(keys["nl"], [keys["be"]])) as srv:
        yield srv


def client_for(keys: dict[str, NodeKey], url: str) -> tuple[PartnerClient, PartnerEntry]:
    entry = PartnerEntry.from_key(keys["nl"], base_url=url, name="NL")
    return PartnerClient(keys["be"], TrustStore([entry])), entry


async def test_ok(keys: dict[str, NodeKey], nl_server: LiveServer) -> None:
    client, entry = client_for(keys, nl_server.url)
    r = await client.call(entry, "/federation/v1/hello", {}, 2.0)
    await client.aclose()
    assert r.status == "ok", r.detail
    assert r.data is not None and r.data["country"] == "NL" and r.data["caller"] == "BE"
    assert r.data["key_id"] == keys["nl"].key_id


async def test_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = Path(__import__("tempfile").mkdtemp())
    be = NodeKey.load_or_create(tmp / "be.pem", Country.BE)
    nl = NodeKey.load_or_create(tmp / "nl.pem", Country.NL)
    entry = PartnerEntry.from_key(nl, base_url=f"http://127.0.0.1:{port}", name="NL")
    client = PartnerClient(be, TrustStore([entry]))
    r = await client.call(entry, "/federation/v1/hello", {}, 2.0)
    await client.aclose()
    assert r.status == "unavailable"


async def test_timeout_is_reported_within_the_deadline(
    keys: dict[str, NodeKey], nl_server: LiveServer
) -> None:
    client, entry = client_for(keys, nl_server.url)
    r = await client.call(entry, "/federation/v1/stall", {}, 0.3)
    await client.aclose()
    assert r.status == "timeout"
    assert r.latency_ms < 1500


async def test_answer_signed_by_another_key_is_untrusted(keys: dict[str, NodeKey]) -> None:
    app = partner_app(keys["nl"], [keys["be"]], sign_with=keys["evil"])
    with LiveServer(app) as srv:
        client, entry = client_for(keys, srv.url)
        r = await client.call(entry, "/federation/v1/hello", {}, 2.0)
        await client.aclose()
    assert r.status == "untrusted"


async def test_partner_that_does_not_trust_us_answers_401(keys: dict[str, NodeKey]) -> None:
    with LiveServer(partner_app(keys["nl"], [])) as srv:
        client, entry = client_for(keys, srv.url)
        r = await client.call(entry, "/federation/v1/hello", {}, 2.0)
        await client.aclose()
    assert (r.status, r.detail) == ("error", "signature_unknown_key")


async def test_fan_out_reports_each_partner(
    keys: dict[str, NodeKey], nl_server: LiveServer
) -> None:
    lu_key = NodeKey.load_or_create(Path(__import__("tempfile").mkdtemp()) / "lu.pem", Country.LU)
    entries = [
        PartnerEntry.from_key(keys["nl"], base_url=nl_server.url, name="NL"),
        PartnerEntry.from_key(lu_key, base_url="http://127.0.0.1:9", name="LU"),
    ]
    client = PartnerClient(keys["be"], TrustStore(entries))
    results = await client.fan_out(entries, "/federation/v1/hello", {}, 1.0)
    await client.aclose()
    assert results[Country.NL].status == "ok"
    assert results[Country.LU].status == "unavailable"


async def test_oversized_federation_body_is_refused(keys: dict[str, NodeKey]) -> None:
    app = partner_app(keys["nl"], [keys["be"]])
    app.state.federation.max_body = 100
    with LiveServer(app) as srv:
        client, entry = client_for(keys, srv.url)
        r = await client.call(entry, "/federation/v1/hello", {"pad": "x" * 500}, 2.0)
        await client.aclose()
    assert (r.status, r.detail) == ("error", "payload_too_large")
