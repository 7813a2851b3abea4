"""The partner client against real uvicorn servers on loopback ports."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Iterator

import pytest

from passerelle.domain.countries import Country
from passerelle.federation.client import PartnerClient
from passerelle.federation.keys import NodeKey
from passerelle.federation.trust import PartnerEntry, TrustStore
from tests.conftest import LiveServer
from tests.federation.apps import entry, partner_app


@pytest.fixture(scope="module")
def keys() -> dict[str, NodeKey]:
    return {
        "be": NodeKey.generate(Country.BE),
        "nl": NodeKey.generate(Country.NL),
        "evil": NodeKey.generate(Country.NL),
    }


@pytest.fixture(scope="module")
def nl_server(keys: dict[str, NodeKey]) -> Iterator[LiveServer]:
    with LiveServer(partner_app(keys["nl"], [keys["be"]])) as srv:
        yield srv


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client_for(
    keys: dict[str, NodeKey], url: str, max_response_bytes: int = 1_000_000
) -> tuple[PartnerClient, PartnerEntry]:
    nl = entry(keys["nl"], url)
    client = PartnerClient(keys["be"], TrustStore([nl]), max_response_bytes=max_response_bytes)
    return client, nl


async def test_ok(keys: dict[str, NodeKey], nl_server: LiveServer) -> None:
    client, nl = client_for(keys, nl_server.url)
    async with client:
        r = await client.call(nl, "/federation/v1/echo", {"plate": "1-ABC-234"}, 2.0)
        hello = await client.call(nl, "/federation/v1/hello", {}, 2.0)
    assert (r.status, r.detail) == ("ok", "")
    assert r.data == {"got": {"plate": "1-ABC-234"}, "from": keys["be"].key_id}
    assert 0 < r.latency_ms < 2000
    assert hello.data is not None and hello.data["key_id"] == keys["nl"].key_id


async def test_unavailable(keys: dict[str, NodeKey], closed_port: int) -> None:
    client, nl = client_for(keys, f"http://127.0.0.1:{closed_port}")
    async with client:
        r = await client.call(nl, "/federation/v1/hello", {}, 2.0)
    assert r.status == "unavailable" and r.data is None


async def test_timeout_is_reported_within_the_deadline(
    keys: dict[str, NodeKey], nl_server: LiveServer
) -> None:
    client, nl = client_for(keys, nl_server.url)
    started = time.monotonic()
    async with client:
        r = await client.call(nl, "/federation/v1/stall", {}, 0.3)
    assert r.status == "timeout"
    assert time.monotonic() - started < 0.9


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/federation/v1/tampered", "digest_mismatch"),
        ("/federation/v1/unsigned", "signature_missing"),
    ],
)
async def test_tampered_or_unsigned_answer_is_untrusted(
    keys: dict[str, NodeKey], nl_server: LiveServer, path: str, detail: str
) -> None:
    client, nl = client_for(keys, nl_server.url)
    async with client:
        r = await client.call(nl, path, {}, 2.0)
    assert (r.status, r.detail, r.data) == ("untrusted", detail, None)


async def test_answer_signed_by_another_key_is_untrusted(keys: dict[str, NodeKey]) -> None:
    with LiveServer(partner_app(keys["nl"], [keys["be"]], sign_with=keys["evil"])) as srv:
        client, nl = client_for(keys, srv.url)
        async with client:
            r = await client.call(nl, "/federation/v1/hello", {}, 2.0)
    assert (r.status, r.detail, r.data) == ("untrusted", "signature_unknown_key", None)


async def test_partner_outside_the_trust_store_gets_nothing(
    keys: dict[str, NodeKey], closed_port: int
) -> None:
    stranger = entry(keys["evil"], f"http://127.0.0.1:{closed_port}")
    client, _ = client_for(keys, "http://127.0.0.1:1")
    async with client:
        r = await client.call(stranger, "/federation/v1/hello", {}, 2.0)
    assert (r.status, r.detail) == ("untrusted", "partner_not_in_trust_store")  # not "unavailable"


@pytest.mark.parametrize(
    ("path", "payload", "detail"),
    [
        ("/federation/v1/boom", {}, "policy_unavailable"),
        ("/federation/v1/nowhere", {}, "http_404"),
    ],
)
async def test_partner_errors_carry_their_code(
    keys: dict[str, NodeKey], nl_server: LiveServer, path: str, payload: dict[str, str], detail: str
) -> None:
    client, nl = client_for(keys, nl_server.url)
    async with client:
        r = await client.call(nl, path, payload, 2.0)
    assert (r.status, r.detail) == ("error", detail)


async def test_partner_that_does_not_trust_us_answers_401(keys: dict[str, NodeKey]) -> None:
    with LiveServer(partner_app(keys["nl"], [])) as srv:
        client, nl = client_for(keys, srv.url)
        async with client:
            r = await client.call(nl, "/federation/v1/hello", {}, 2.0)
    assert (r.status, r.detail) == ("error", "signature_unknown_key")


async def test_oversized_request_and_answer(keys: dict[str, NodeKey]) -> None:
    with LiveServer(partner_app(keys["nl"], [keys["be"]], max_body=100)) as srv:
        client, nl = client_for(keys, srv.url, max_response_bytes=1000)
        async with client:
            big = await client.call(nl, "/federation/v1/hello", {"pad": "x" * 500}, 2.0)
            huge = await client.call(nl, "/federation/v1/huge", {}, 2.0)
    assert (big.status, big.detail) == ("error", "payload_too_large")
    assert (huge.status, huge.detail) == ("error", "response_too_large")


async def test_fan_out_reports_each_partner_concurrently(
    keys: dict[str, NodeKey], nl_server: LiveServer, closed_port: int
) -> None:
    lu = NodeKey.generate(Country.LU)
    de = NodeKey.generate(Country.DE)
    with LiveServer(partner_app(de, [keys["be"]])) as de_srv:
        partners = [
            entry(keys["nl"], nl_server.url),
            entry(lu, f"http://127.0.0.1:{closed_port}"),
            entry(de, de_srv.url),
        ]
        async with PartnerClient(keys["be"], TrustStore(partners)) as client:
            started = time.monotonic()
            stalled = await client.fan_out(partners, "/federation/v1/stall", {}, 0.3)
            elapsed = time.monotonic() - started
            hello = await client.fan_out(partners, "/federation/v1/hello", {}, 2.0)
    assert {c: r.status for c, r in hello.items()} == {
        Country.NL: "ok",
        Country.LU: "unavailable",
        Country.DE: "ok",
    }
    assert stalled[Country.NL].status == stalled[Country.DE].status == "timeout"
    assert elapsed < 0.9  # concurrent: one deadline, not three


IDLE_CLOSE_S = 0.5


async def _idle_closing_server() -> tuple[asyncio.Server, str]:
    """An HTTP/1.1 server that drops a request arriving on a connection idle for longer than
    ``IDLE_CLOSE_S`` without answering: what a client sees when it reuses a connection the
    server is closing at that very moment (its keep-alive timeout)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        last: float | None = None
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                found = re.search(rb"content-length:\s*(\d+)", head, re.IGNORECASE)
                await reader.readexactly(int(found.group(1)) if found else 0)
                if last is not None and time.monotonic() - last > IDLE_CLOSE_S:
                    return  # closed for idleness: the request is never answered
                body = b'{"error":{"code":"no_such_route"}}'
                writer.write(
                    b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()
                last = time.monotonic()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(("expiry_s", "second"), [(0.2, "error"), (5.0, "unavailable")])
async def test_keepalive_expiry_below_the_servers_avoids_the_reuse_race(
    keys: dict[str, NodeKey], expiry_s: float, second: str
) -> None:
    server, url = await _idle_closing_server()
    nl = entry(keys["nl"], url)
    async with (
        server,
        PartnerClient(keys["be"], TrustStore([nl]), keepalive_expiry_s=expiry_s) as c,
    ):
        first = await c.call(nl, "/federation/v1/hello", {}, 2.0)
        assert (first.status, first.detail) == ("error", "no_such_route")
        await asyncio.sleep(IDLE_CLOSE_S + 0.2)  # the idleness under test, not a wait for a result
        again = await c.call(nl, "/federation/v1/hello", {}, 2.0)
    # a client keeping connections longer than the server reuses a dead one: "unavailable"
    assert again.status == second, again


def test_default_keepalive_is_below_uvicorns() -> None:
    import uvicorn

    from passerelle.federation.client import DEFAULT_KEEPALIVE_EXPIRY_S

    assert uvicorn.Config(app="unused:app").timeout_keep_alive > DEFAULT_KEEPALIVE_EXPIRY_S
