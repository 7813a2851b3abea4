"""The federation endpoint: verified partner requests in, signed answers out.

The app factory sets ``app.state.federation`` to a ``FederationState``. Routes
take the ``Verified`` dependency, which reads the body (bounded), checks the
RFC 9421 signature against the trust store and raises ``Unauthorized`` (401) or
``PayloadTooLarge`` (413); the app's PasserelleError handler renders them. Each
rejection is also passed to ``FederationState.on_rejected`` (for the audit log).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from passerelle.domain.countries import Country
from passerelle.exc import PayloadTooLarge, Unauthorized
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import (
    DEFAULT_WINDOW_S,
    NonceStore,
    sign_response,
    verify_request,
)
from passerelle.federation.trust import PartnerEntry, TrustStore

log = structlog.get_logger(__name__)

RejectHook = Callable[[str, Request], None]
"""Called with the error code and the request each time a federation call is refused."""


@dataclass
class FederationState:
    key: NodeKey
    trust: TrustStore
    nonces: NonceStore
    node_name: str
    country: Country
    window_s: float = DEFAULT_WINDOW_S
    max_body: int = 1_048_576
    on_rejected: RejectHook | None = None


@dataclass(frozen=True)
class VerifiedCall:
    """A request whose signature verified: who sent it, its nonce, its raw body."""

    partner: PartnerEntry
    nonce: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}


def _state(request: Request) -> FederationState:
    state: FederationState = request.app.state.federation
    return state


def signed_url(request: Request) -> str:
    """The URL as the client signed it: raw (still percent-encoded) path and query.

    ``@authority`` comes from the Host header, so a reverse proxy in front of the
    node must pass Host through unchanged. The scheme is not covered by the
    signature, so TLS termination in front of the node does not matter.
    """
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{request.url.scheme}://{request.url.netloc}{path}" + (f"?{query}" if query else "")


async def read_body(request: Request, max_body: int) -> bytes:
    """Read the whole body, refusing (413) anything over ``max_body`` bytes early."""
    declared = request.headers.get("content-length", "")
    too_large = PayloadTooLarge(f"federation body larger than {max_body} bytes", limit=max_body)
    if declared.isdigit() and int(declared) > max_body:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise too_large
    return bytes(body)


def _rejected(state: FederationState, code: str, request: Request) -> None:
    log.warning("federation_request_rejected", code=code, route=request.url.path)
    if state.on_rejected is None:
        return
    try:
        state.on_rejected(code, request)
    except Exception:  # the 401/413 must go out even if the audit hook breaks
        log.exception("federation_reject_hook_failed", code=code)


async def verified_partner(request: Request) -> VerifiedCall:
    """Dependency: read the (bounded) body and verify the caller's signature."""
    state = _state(request)
    try:
        body = await read_body(request, state.max_body)
        partner, nonce = verify_request(
            request.method,
            signed_url(request),
            request.headers,
            body,
            state.trust,
            state.nonces,
            window_s=state.window_s,
        )
    except (Unauthorized, PayloadTooLarge) as e:
        _rejected(state, e.code, request)
        raise
    request.state.federation_nonce = nonce
    return VerifiedCall(partner=partner, nonce=nonce, body=body)


def signed_json_response(
    payload: Any, key: NodeKey, request_nonce: str, status: int = 200
) -> Response:
    """A JSON response signed by ``key`` and bound to the request's nonce."""
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = sign_response(status, {"content-type": "application/json"}, body, key, request_nonce)
    return Response(content=body, status_code=status, headers=headers)


def signed_json(request: Request, payload: Any, nonce: str, status: int = 200) -> Response:
    """``signed_json_response`` with this node's key taken from the app state."""
    return signed_json_response(payload, _state(request).key, nonce, status)


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
