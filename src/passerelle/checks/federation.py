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

from passerelle.checks.models import KINDS
from passerelle.checks.provider import PartnerCheck
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput, NotFound
from passerelle.federation.server import Verified, signed_json
from passerelle.node.context import NodeContext

router = APIRouter(prefix="/federation/v1", tags=["federation (node to node)"])


def answer_partner_check(
    ctx: NodeContext, partner: Country, kind: str, payload: Any
) -> dict[str, Any]:
    """Validate, decide and answer one partner check (blocking: run it in a thread)."""
    return PartnerCheck(ctx, partner, kind, payload).answer()


@router.post("/checks/{kind}", summary="Answer a partner's person, vehicle or document check")
async def partner_check(kind: str, request: Request, call: Verified) -> Response:
    if kind not in KINDS:
        raise NotFound("no such check kind", code="check_kind_unknown")
    try:
        payload = call.json()
    except ValueError:
        raise InvalidInput("the body is not JSON", code="check_malformed") from None
    ctx: NodeContext = request.app.state.ctx
    answer = await asyncio.to_thread(answer_partner_check, ctx, call.partner.country, kind, payload)
    return signed_json(request, answer, call.nonce)
