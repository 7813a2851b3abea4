"""The federation endpoint: verified partner requests in, signed answers out."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from passerelle.domain.countries import Country
from passerelle.exc import PayloadTooLarge, Unauthorized
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import NonceStore, sign_response, verify_request
from passerelle.federation.trust import PartnerEntry, TrustStore

log = structlog.get_logger("passerelle.federation")
RejectHook = Callable[[str, Request], None]


@dataclass
class FederationState:
    key: NodeKey
    trust: TrustStore
    nonces: NonceStore
    node_name: str
    country: Country
    window_s: float = 30.0
    max_body: int = 1_048_576
    on_rejected: list[RejectHook] = field(default_factory=list)


@dataclass(frozen=True)
class VerifiedCall:
    partner: PartnerEntry
    nonce: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}


def _state(request: Request) -> FederationState:
    state: FederationState = request.app.state.federation
    return state


async def verified_partner(request: Request) -> VerifiedCall:
    """Dependency: read the (bounded) body and verify the caller's signature."""
    state = _state(request)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > state.max_body:
            raise PayloadTooLarge(
                f"federation body larger than {state.max_body} bytes", limit=state.max_body
            )
    try:
        partner, nonce = verify_request(
            request.method,
            str(request.url),
            dict(request.headers),
            body,
            state.trust,
            state.nonces,
            window_s=state.window_s,
        )
    except Unauthorized as e:
        log.warning("federation_request_rejected", code=e.code, route=request.url.path)
        for hook in state.on_rejected:
            hook(e.code, request)
        raise
    request.state.federation_nonce = nonce
    return VerifiedCall(partner=partner, nonce=nonce, body=body)


def signed_json(request: Request, payload: Any, nonce: str, status: int = 200) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = sign_response(
        status, {"content-type": "application/json"}, body, _state(request).key, nonce
    )
    return Response(content=body, status_code=status, headers=headers)


Verified = Annotated[VerifiedCall, Depends(verified_partner)]
router = APIRouter(prefix="/federation/v1", tags=["federation (node to node)"])


@router.post("/hello", summary="Signed identity of this node (reachability and trust test)")
async def hello(request: Request, call: Verified) -> Response:
    state = _state(request)
    return signed_json(
        request,
        {
            "country": state.country.value,
            "name": state.node_name,
            "key_id": state.key.key_id,
            "caller": call.partner.country.value,
            "time": int(time.time()),
        },
        call.nonce,
    )
