"""``POST /federation/v1/checks/{kind}``: a partner node's check, answered under our policy.

The ``Verified`` dependency has already checked the RFC 9421 signature, the
key in our trust store, the time window and the nonce (forged, unknown-key and
replayed calls get 401 and an audit entry before reaching this code).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from passerelle.checks.budget import DEADLINE_FIELD, Deadline
from passerelle.checks.models import KINDS
from passerelle.checks.provider import PartnerCheck
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput, NotFound
from passerelle.federation.server import Verified, signed_json
from passerelle.node.context import NodeContext

_MAX_DEADLINE_MS = 30_000
_RETURN_TRIP_S = 0.02
router = APIRouter(prefix="/federation/v1", tags=["federation (node to node)"])


def answer_partner_check(
    ctx: NodeContext, partner: Country, kind: str, payload: Any, deadline: Deadline | None = None
) -> dict[str, Any]:
    """Validate, decide and answer one partner check (blocking: run it in a thread).

    ``deadline``: when the requester stops waiting (from its ``deadline_ms``); past it
    the node skips the search and refuses with ``deadline_exceeded`` (audited)."""
    return PartnerCheck(ctx, partner, kind, payload).answer(deadline)


def requester_deadline(payload: Any, received_at: float | None) -> Deadline | None:
    """The requester's remaining budget, counted from our request's arrival, less the trip back."""
    ms = payload.get(DEADLINE_FIELD) if isinstance(payload, dict) else None
    if not isinstance(ms, int) or isinstance(ms, bool) or ms <= 0:
        return None
    return Deadline.after(min(ms, _MAX_DEADLINE_MS) / 1000 - _RETURN_TRIP_S, received_at)


@router.post("/checks/{kind}", summary="Answer a partner's person, vehicle or document check")
async def partner_check(kind: str, request: Request, call: Verified) -> Response:
    if kind not in KINDS:
        raise NotFound("no such check kind", code="check_kind_unknown")
    try:
        payload = call.json()
    except ValueError:
        raise InvalidInput("the body is not JSON", code="check_malformed") from None
    ctx: NodeContext = request.app.state.ctx
    received = getattr(request.state, "received_at", None)
    deadline = requester_deadline(payload, received if isinstance(received, float) else None)
    answer = await asyncio.to_thread(
        answer_partner_check, ctx, call.partner.country, kind, payload, deadline
    )
    return signed_json(request, answer, call.nonce)
