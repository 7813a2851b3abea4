"""``POST /federation/v1/patrols``: a partner node registers its patrol with us.

The sender must be the patrol's origin node (its signature says who it is);
the patrol must include one of our officers, and in demo mode each of them
must be known to our identity provider. An ended patrol is never reopened.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef
from passerelle.exc import Forbidden, InvalidInput
from passerelle.federation.server import Verified, signed_json
from passerelle.node.context import NodeContext
from passerelle.ops import patrol_live
from passerelle.ops.patrols import Patrol, PatrolStatus
from passerelle.ops.service import PatrolConflict, PatrolService

router = APIRouter(prefix="/federation/v1", tags=["federation (node to node)"])


def receive_copy(ctx: NodeContext, sender_country: str, payload: object) -> Patrol:
    """Check a partner's patrol and store our copy; raise on anything we do not accept."""
    if not isinstance(payload, dict) or not isinstance(payload.get("patrol"), dict):
        raise InvalidInput("expected {patrol: {...}}", code="patrol_malformed")
    patrol = Patrol.from_wire(payload["patrol"])
    me = ctx.settings.country
    if patrol.origin_country.value != sender_country:
        raise Forbidden("only the origin node may register a patrol", code="patrol_not_origin")
    if me not in patrol.countries:
        raise Forbidden("the patrol has none of our officers", code="patrol_not_for_us")
    service = PatrolService(ctx)
    current = service.store.get(patrol.patrol_id)
    closing = patrol.status is PatrolStatus.ENDED and current is not None
    if not closing:  # an end only closes access: never refuse it for its crew
        service.check_own_members(tuple(m for m in patrol.crew if m.country == me))
    if current is not None:
        if current.origin_country != patrol.origin_country:
            raise PatrolConflict("patrol id taken by another origin", code="patrol_conflict")
        if current.status is PatrolStatus.ENDED and patrol.status is not PatrolStatus.ENDED:
            raise PatrolConflict("an ended patrol cannot be reopened", code="patrol_ended")
    ctx.audit.append(
        AuditEvent(
            kind=EventKind.PATROL_CHANGED,
            actor=Actor(
                subject=f"node:{sender_country}", role="node", country=patrol.origin_country
            ),
            outcome=f"copy_{patrol.status.value}",
            purpose=None,
            justification=None,
            legal_ref=LegalRef(patrol_id=patrol.patrol_id),
            partner=patrol.origin_country,
            detail={"status": patrol.status.value, "crew": [str(m) for m in patrol.crew]},
        )
    )
    service.store.save(patrol)
    patrol_live.publish_change(ctx, patrol, f"copy_{patrol.status.value}")
    return patrol


@router.post("/patrols", summary="Register (or update) a partner's joint patrol here")
async def register_patrol(request: Request, call: Verified) -> Response:
    ctx: NodeContext = request.app.state.ctx
    try:
        payload = call.json()
    except ValueError:
        raise InvalidInput("the body is not JSON", code="patrol_malformed") from None
    patrol = await asyncio.to_thread(receive_copy, ctx, call.partner.country.value, payload)
    return signed_json(
        request, {"patrol_id": patrol.patrol_id, "status": patrol.status.value}, call.nonce
    )
