"""The federation router inside an app, driven in-process through httpx.ASGITransport."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import Request

from passerelle.domain.countries import Country
from passerelle.exc import Unauthorized
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import sign_request, verify_response
from tests.federation.apps import entry, partner_app

BASE = "http://nl.test"


@pytest.fixture
def be() -> NodeKey:
    return NodeKey.generate(Country.BE)


@pytest.fixture
def nl() -> NodeKey:
    return NodeKey.generate(Country.NL)


class Rejections(list[tuple[str, str]]):
    def __call__(self, code: str, request: Request) -> None:
        self.append((code, request.url.path))


async def post(
    app: object,
    key: NodeKey,
    path: str = "/federation/v1/hello",
    payload: object = None,
    *,
    send_path: str | None = None,
    body: bytes | None = None,
    now: float | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[httpx.Response, str]:
    signed_body = json.dumps(payload if payload is not None else {}).encode()
    h, nonce = sign_request("POST", BASE + path, {}, signed_body, key, now=now)
    h.update(headers or {})
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        r = await c.post(
            send_path or path, content=signed_body if body is None else body, headers=h
        )
    return r, nonce


async def test_hello_answers_signed_identity(be: NodeKey, nl: NodeKey) -> None:
    r, nonce = await post(partner_app(nl, [be]), be)
    assert r.status_code == 200
    verify_response(200, dict(r.headers), r.content, entry(nl), nonce)
    data = r.json()
    assert (data["country"], data["key_id"], data["caller"]) == ("NL", nl.key_id, "BE")
    assert data["name"] == "NL test node" and abs(data["time"] - time.time()) < 5


async def test_query_and_percent_encoded_path_are_verified_as_sent(
    be: NodeKey, nl: NodeKey
) -> None:
    path = "/federation/v1/%65cho?case=BE%2F2025%2F17&x=%C3%A9"
    r, _ = await post(partner_app(nl, [be]), be, path, {"q": 1})
    assert r.status_code == 200, r.text
    assert r.json() == {"got": {"q": 1}, "from": be.key_id}


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unsigned", "signature_missing"),
        ("body", "digest_mismatch"),
        ("path", "signature_invalid"),
        ("header", "signature_invalid"),
        ("expired", "signature_expired"),
        ("future", "signature_expired"),
        ("unknown", "signature_unknown_key"),
    ],
)
async def test_rejections_are_401_json_and_reach_the_hook(
    be: NodeKey, nl: NodeKey, case: str, code: str
) -> None:
    hook = Rejections()
    app = partner_app(nl, [be], on_rejected=hook)
    key = NodeKey.generate(Country.LU) if case == "unknown" else be
    kw: dict[str, object] = {
        "body": b'{"other":1}' if case == "body" else None,
        "send_path": "/federation/v1/echo" if case == "path" else None,
        "now": {"expired": time.time() - 60, "future": time.time() + 60}.get(case),
        "headers": {"content-type": "text/plain"} if case == "header" else None,
    }
    if case == "unsigned":
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
            r = await c.post("/federation/v1/hello", json={})
    else:
        r, _ = await post(app, key, **kw)  # type: ignore[arg-type]
    assert r.status_code == 401
    assert r.json()["error"]["code"] == code
    assert "signature" not in r.headers
    assert hook == [(code, kw["send_path"] or "/federation/v1/hello")]


async def test_replay_through_the_app(be: NodeKey, nl: NodeKey) -> None:
    hook = Rejections()
    app = partner_app(nl, [be], on_rejected=hook)
    body = b"{}"
    h, _ = sign_request("POST", BASE + "/federation/v1/hello", {}, body, be)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        first = await c.post("/federation/v1/hello", content=body, headers=h)
        second = await c.post("/federation/v1/hello", content=body, headers=h)
    assert first.status_code == 200
    assert (second.status_code, second.json()["error"]["code"]) == (401, "signature_replayed")
    assert hook == [("signature_replayed", "/federation/v1/hello")]


async def test_body_over_the_limit_is_413_declared_or_streamed(be: NodeKey, nl: NodeKey) -> None:
    hook = Rejections()
    app = partner_app(nl, [be], max_body=100, on_rejected=hook)
    big = json.dumps({"pad": "x" * 500}).encode()
    declared, _ = await post(app, be, payload={"pad": "x" * 500})

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(big), 64):
            yield big[i : i + 64]

    h, _ = sign_request("POST", BASE + "/federation/v1/hello", {}, big, be)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as c:
        streamed = await c.post("/federation/v1/hello", content=chunks(), headers=h)
    for r in (declared, streamed):
        assert (r.status_code, r.json()["error"]["code"]) == (413, "payload_too_large")
    assert [code for code, _ in hook] == ["payload_too_large", "payload_too_large"]


async def test_a_failing_hook_does_not_change_the_answer(be: NodeKey, nl: NodeKey) -> None:
    def broken(code: str, request: Request) -> None:
        raise RuntimeError("audit store down")

    transport = httpx.ASGITransport(app=partner_app(nl, [be], on_rejected=broken))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as c:
        r = await c.post("/federation/v1/hello", json={})
    assert (r.status_code, r.json()["error"]["code"]) == (401, "signature_missing")


async def test_answer_is_bound_to_the_request_nonce(be: NodeKey, nl: NodeKey) -> None:
    r, nonce = await post(partner_app(nl, [be]), be)
    with pytest.raises(Unauthorized) as e:
        verify_response(200, dict(r.headers), r.content, entry(nl), nonce[::-1])
    assert e.value.code == "signature_invalid"
