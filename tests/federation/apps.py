"""A minimal partner node for federation tests: the real router plus test-only routes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from passerelle.exc import PasserelleError
from passerelle.federation.keys import NodeKey
from passerelle.federation.server import FederationState, Verified, signed_json
from passerelle.federation.server import router as federation_router
from passerelle.federation.signing import InMemoryNonceStore, sign_response
from passerelle.federation.trust import PartnerEntry, TrustStore


def entry(key: NodeKey, url: str = "http://127.0.0.1:1") -> PartnerEntry:
    return PartnerEntry.from_key(key, base_url=url, name=f"Passerelle {key.country}")


def partner_app(
    me: NodeKey,
    trusted: list[NodeKey],
    *,
    sign_with: NodeKey | None = None,
    max_body: int = 1_048_576,
    on_rejected: Callable[[str, Request], None] | None = None,
) -> FastAPI:
    """A node ``me`` trusting ``trusted``; answers signed by ``sign_with`` (default ``me``)."""
    app = FastAPI()
    app.state.federation = FederationState(
        key=sign_with or me,
        trust=TrustStore([entry(k) for k in trusted]),
        nonces=InMemoryNonceStore(),
        node_name=f"{me.country} test node",
        country=me.country,
        max_body=max_body,
        on_rejected=on_rejected,
    )
    app.include_router(federation_router)

    @app.post("/federation/v1/stall")
    async def stall(request: Request, call: Verified) -> Response:
        await asyncio.sleep(1.0)  # a partner slower than every deadline used in the tests
        return signed_json(request, {}, call.nonce)

    @app.post("/federation/v1/echo")
    async def echo(request: Request, call: Verified) -> Response:
        return signed_json(request, {"got": call.json(), "from": call.partner.key_id}, call.nonce)

    @app.post("/federation/v1/tampered")
    async def tampered(request: Request, call: Verified) -> Response:
        """Signs one body, sends another (a man in the middle rewriting the answer)."""
        headers = sign_response(200, {}, b'{"hit":false}', app.state.federation.key, call.nonce)
        return Response(b'{"hit":true}', headers=headers)

    @app.post("/federation/v1/unsigned")
    async def unsigned(call: Verified) -> Response:
        return JSONResponse({"hit": True})

    @app.post("/federation/v1/huge")
    async def huge(request: Request, call: Verified) -> Response:
        return signed_json(request, {"pad": "x" * 4096}, call.nonce)

    @app.post("/federation/v1/boom")
    async def boom(call: Verified) -> Response:
        raise PasserelleError("policy engine down", code="policy_unavailable")

    @app.exception_handler(PasserelleError)
    async def handle(_r: Request, exc: PasserelleError) -> Response:
        return JSONResponse(
            {"error": {"code": exc.code, "detail": exc.detail}}, status_code=exc.status
        )

    return app
