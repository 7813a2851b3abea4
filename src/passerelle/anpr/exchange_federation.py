"""Federation routes of the ANPR exchange (node to node, signed both ways).

- ``POST /federation/v1/anpr/hotlist/changes`` — the owner pushes changes of the
  entries it shares with us (``{owner, changes: [{seq, op, entry_id, entry}]}``);
- ``POST /federation/v1/anpr/hotlist/feed`` — a partner pulls what we share with it
  since its cursor (``{since, limit}``; answers a page of changes or a snapshot);
- ``POST /federation/v1/anpr/hits`` — a partner reports a hit on one of our entries;
- ``POST /federation/v1/anpr/dispositions`` — the disposition of such a hit.

Every route is idempotent (the outbox may deliver a message twice) and answers
4xx for a message that will never be accepted, so the sender stops retrying it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.federation.server import Verified, VerifiedCall, signed_json
from passerelle.node.context import NodeContext

router = APIRouter(prefix="/federation/v1/anpr", tags=["federation (node to node)"])


async def _answer(
    request: Request, call: VerifiedCall, handler: Callable[[Country, Any], dict[str, Any]]
) -> Response:
    try:
        payload = call.json()
    except ValueError:
        raise InvalidInput("the body is not JSON", code="anpr_federation_malformed") from None
    result = await asyncio.to_thread(handler, call.partner.country, payload)
    return signed_json(request, result, call.nonce)


def _ctx(request: Request) -> NodeContext:
    ctx: NodeContext = request.app.state.ctx
    return ctx


@router.post("/hotlist/changes", summary="The owner's changes of entries it shares with us")
async def hotlist_changes(request: Request, call: Verified) -> Response:
    return await _answer(request, call, _ctx(request).anpr.hotlists.receive_changes)


@router.post("/hotlist/feed", summary="What we share with the caller since its cursor")
async def hotlist_feed(request: Request, call: Verified) -> Response:
    hotlists = _ctx(request).anpr.hotlists

    def answer(partner: Country, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise InvalidInput("expected {since, limit}", code="hotlist_bad_feed")
        return hotlists.feed_answer(partner, payload)

    return await _answer(request, call, answer)


@router.post("/hits", summary="A partner's hit on one of our hotlist entries")
async def partner_hit(request: Request, call: Verified) -> Response:
    return await _answer(request, call, _ctx(request).anpr.hits.receive)


@router.post("/dispositions", summary="The disposition of a partner's hit on our entry")
async def partner_disposition(request: Request, call: Verified) -> Response:
    return await _answer(request, call, _ctx(request).anpr.hits.receive_disposition)
