"""Pursuit notifications between nodes (``/federation/v1/pursuits/...``, signed both ways).

- ``POST /federation/v1/pursuits/notifications``: the origin node tells us that a
  pursuit entered (left, ended in) our territory. Only the origin may send it,
  and only to the country it names. Idempotent: the same message again changes
  nothing; a higher ``escalation`` marks it escalated.
- ``POST /federation/v1/pursuits/acks``: the partner's control room acknowledged
  one of our notifications. Only the notified node may acknowledge.

Both answer ``{notification_id, acknowledged, acknowledged_at, acknowledged_by}``,
so the sender learns of an acknowledgement even from a repeated delivery.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from passerelle.exc import InvalidInput
from passerelle.federation.server import Verified, signed_json
from passerelle.node.context import NodeContext
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.ops.pursuits_store import Notification

router = APIRouter(prefix="/federation/v1/pursuits", tags=["federation (node to node)"])


def _answer(n: Notification) -> dict[str, object]:
    return {
        "notification_id": n.notification_id,
        "acknowledged": n.acknowledged,
        "acknowledged_at": n.acknowledged_at.isoformat() if n.acknowledged_at else None,
        "acknowledged_by": n.acknowledged_by,
        "escalations": n.escalations,
    }


def _json(call: Verified) -> object:
    try:
        return call.json()
    except ValueError:
        raise InvalidInput("the body is not JSON", code="notification_malformed") from None


@router.post("/notifications", summary="A partner's pursuit entered, left or ended here")
async def receive_notification(request: Request, call: Verified) -> Response:
    ctx: NodeContext = request.app.state.ctx
    service = NotificationService(ctx)
    n = await asyncio.to_thread(service.receive, call.partner.country, _json(call))
    return signed_json(request, _answer(n), call.nonce)


@router.post("/acks", summary="A partner acknowledged our notification")
async def receive_ack(request: Request, call: Verified) -> Response:
    ctx: NodeContext = request.app.state.ctx
    service = NotificationService(ctx)
    n = await asyncio.to_thread(service.receive_ack, call.partner.country, _json(call))
    return signed_json(request, _answer(n), call.nonce)
