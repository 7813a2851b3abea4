"""``/federation/v1/requests``: follow-up requests between nodes (signed both ways).

- ``POST /federation/v1/requests`` — a partner's request on a reference we handed it;
- ``POST /federation/v1/requests/answers`` — a provider pushes the answer to a request
  we sent;
- ``POST /federation/v1/requests/{request_id}/answer`` — a requester pulls the answer
  to a request it sent us.

The caller is always the node whose signature verified, never a claim in the body.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from passerelle.exc import InvalidInput
from passerelle.federation.server import Verified, VerifiedCall, signed_json
from passerelle.web.deps import CtxDep


def _body(call: VerifiedCall) -> Any:
    try:
        return call.json()
    except ValueError:
        raise InvalidInput("the body is not JSON", code="validation_error") from None


router = APIRouter(prefix="/federation/v1/requests", tags=["federation (node to node)"])


@router.post("", summary="Receive a follow-up request on a hit/no-hit reference")
async def receive_request(request: Request, ctx: CtxDep, call: Verified) -> Response:
    answer = await run_in_threadpool(
        ctx.follow_ups.provider.accept, call.partner.country, _body(call)
    )
    return signed_json(request, answer, call.nonce)


@router.post("/answers", summary="Receive the answer to a follow-up request we sent")
async def receive_answer(request: Request, ctx: CtxDep, call: Verified) -> Response:
    fu = await run_in_threadpool(
        ctx.follow_ups.requester.receive_answer, call.partner.country, _body(call), "push"
    )
    return signed_json(
        request, {"request_id": fu.request_id, "status": fu.status.value}, call.nonce
    )


@router.post("/{request_id}/answer", summary="Hand out the answer to a request the caller sent")
async def pull_answer(request: Request, ctx: CtxDep, call: Verified, request_id: str) -> Response:
    answer = await run_in_threadpool(
        ctx.follow_ups.provider.answer_for, call.partner.country, request_id[:64]
    )
    return signed_json(request, answer, call.nonce)
