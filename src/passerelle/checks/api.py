"""``POST /api/v1/checks/person|vehicle|document`` (contract in DESIGN.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from passerelle.auth.roles import Principal, Role
from passerelle.checks.models import CheckResponse, DocumentCheck, PersonCheck, VehicleCheck
from passerelle.checks.service import CheckService
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/checks", tags=["checks"])
CheckPrincipal = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.CONTROL_ROOM))]
_DOC = (
    "Searches this node's registers and, concurrently, every partner node (or those in "
    "`countries`) within the time budget; one source per country with status hit, no_hit, "
    "refused, unavailable, timeout or error. See docs/checks.md."
)


def request_received_at(request: Request) -> float | None:
    """When the request reached the node (``RequestContext``): the time budget starts there."""
    value = getattr(request.state, "received_at", None)
    return value if isinstance(value, float) else None


def _json(answer: CheckResponse) -> Response:
    """The answer serialised once (a returned model would be dumped, re-validated and dumped)."""
    return Response(answer.model_dump_json(), media_type="application/json")


@router.post("/person", summary="Check a person", description=_DOC, response_model=CheckResponse)
async def check_person(
    body: PersonCheck, request: Request, ctx: CtxDep, principal: CheckPrincipal
) -> Response:
    return _json(
        await CheckService(ctx).run(
            "person", body.to_request(), principal, received_at=request_received_at(request)
        )
    )


@router.post("/vehicle", summary="Check a vehicle", description=_DOC, response_model=CheckResponse)
async def check_vehicle(
    body: VehicleCheck, request: Request, ctx: CtxDep, principal: CheckPrincipal
) -> Response:
    return _json(
        await CheckService(ctx).run(
            "vehicle", body.to_request(), principal, received_at=request_received_at(request)
        )
    )


@router.post(
    "/document", summary="Check a document", description=_DOC, response_model=CheckResponse
)
async def check_document(
    body: DocumentCheck, request: Request, ctx: CtxDep, principal: CheckPrincipal
) -> Response:
    return _json(
        await CheckService(ctx).run(
            "document", body.to_request(), principal, received_at=request_received_at(request)
        )
    )
