"""Typed FastAPI dependencies: the node context and the calling principal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from passerelle.auth.roles import Principal, Role
from passerelle.exc import Forbidden, Unauthorized
from passerelle.node.context import NodeContext

SESSION_COOKIE = "passerelle_session"
LANG_COOKIE = "passerelle_lang"


def get_ctx(request: Request) -> NodeContext:
    ctx: NodeContext = request.app.state.ctx
    return ctx


def bearer_token(request: Request) -> str | None:
    """The bearer token of the request, from the Authorization header or the session cookie."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Authorization header must be 'Bearer <token>'", code="token_scheme")
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def optional_principal(request: Request) -> Principal | None:
    token = bearer_token(request)
    if token is None:
        return None
    try:
        return get_ctx(request).verifier.verify(token)
    except Unauthorized:
        if "authorization" in request.headers:
            raise
        return None  # a stale session cookie just means "not logged in"


def current_principal(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("authentication required", code="token_missing")
    principal = get_ctx(request).verifier.verify(token)
    request.state.principal = principal
    return principal


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """Dependency factory: the principal must hold at least one of ``roles``."""

    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(*roles):
            raise Forbidden(
                "your role does not allow this",
                code="role_required",
                roles=", ".join(r.value for r in roles),
            )
        return principal

    return check


CtxDep = Annotated[NodeContext, Depends(get_ctx)]
PrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
