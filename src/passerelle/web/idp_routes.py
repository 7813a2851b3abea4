"""The demo identity provider's public endpoints (OIDC discovery and JWKS)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from passerelle.exc import NotFound
from passerelle.web.deps import CtxDep

router = APIRouter(prefix="/idp", tags=["demo identity provider"])


def _idp(ctx: CtxDep) -> Any:
    if ctx.idp is None:
        raise NotFound("this node has no demo identity provider", code="not_found")
    return ctx.idp


@router.get("/.well-known/openid-configuration", summary="OIDC discovery document")
def discovery(ctx: CtxDep) -> dict[str, Any]:
    idp = _idp(ctx)
    return {
        "issuer": idp.issuer,
        "jwks_uri": f"{idp.issuer}/jwks.json",
        "id_token_signing_alg_values_supported": ["EdDSA"],
        "subject_types_supported": ["public"],
        "response_types_supported": ["token"],
        "claims_supported": ["sub", "name", "roles", "iss", "aud", "exp", "iat", "jti"],
    }


@router.get("/jwks.json", summary="Public keys of the demo identity provider")
def jwks(ctx: CtxDep) -> dict[str, Any]:
    result: dict[str, Any] = _idp(ctx).jwks()
    return result
