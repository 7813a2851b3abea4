"""``/federation/v1/actions/...``: joint-action messages between nodes (all idempotent).

- ``plan``: the organiser's plan reaches a participant (only from the organiser).
- ``aggregate``: a batch of agreed figures, each of one country, checkpoint and
  hour. At the organiser only from that country's node; at a participant only
  from the organiser (sharing back the other countries'). An older revision than
  the one held is acknowledged and ignored.
- ``record``: a result a participant chose to share, at the organiser (audited).

Every message may arrive twice (a lost answer means it is sent again): the same
message is acknowledged again and changes nothing.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from passerelle.audit.events import EventKind
from passerelle.exc import Forbidden, InvalidInput
from passerelle.federation.server import Verified, signed_json
from passerelle.node.context import NodeContext
from passerelle.ops.action_results import SLACK, parse_result
from passerelle.ops.actions import Action, parse_time
from passerelle.ops.actions_service import ActionService, node_country

HOUR = timedelta(hours=1)
router = APIRouter(prefix="/federation/v1/actions", tags=["federation (node to node)"])


def _body(call: Any, key: str) -> dict[str, Any]:
    try:
        payload = call.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get(key), dict):
        raise InvalidInput(f"expected {{{key}: {{...}}}}", code="action_malformed")
    value: dict[str, Any] = payload[key]
    return value


def receive_plan(ctx: NodeContext, sender: str, wire: dict[str, Any]) -> dict[str, Any]:
    action = Action.from_wire(wire)
    me = ctx.settings.country.value
    if action.organiser != sender:
        raise Forbidden("only the organiser sends the plan", code="action_not_organiser")
    if me not in action.countries:
        raise Forbidden("this node does not take part in the action", code="action_not_for_us")
    service = ActionService(ctx)
    stored = service.store.save_plan(action, service.now())
    return {"action_id": action.action_id, "revision": action.revision, "stored": stored}


def receive_aggregates(ctx: NodeContext, sender: str, payload: dict[str, Any]) -> dict[str, Any]:
    service = ActionService(ctx)
    action = service.get(str(payload.get("action_id", "")))
    buckets = payload.get("aggregates")
    if not isinstance(buckets, list) or not all(isinstance(b, dict) for b in buckets):
        raise InvalidInput("expected {action_id, aggregates: [...]}", code="action_malformed")
    for bucket in buckets:
        _check(action, ctx.settings.country.value, sender, bucket)
    stored = service.receive_batch(action, buckets)
    return {"action_id": action.action_id, "received": len(buckets), "stored": stored}


def _check(action: Action, me: str, sender: str, bucket: dict[str, Any]) -> None:
    """A partner sends its own country's figures; the organiser shares the others'."""
    country = str(bucket.get("country", ""))
    if bucket.get("action_id") != action.action_id or country not in action.countries:
        raise InvalidInput("not a participant of the action", code="action_not_participant")
    if action.organiser == me:
        if country != sender:
            raise Forbidden("a node sends its own country's figures", code="action_not_sender")
    elif sender != action.organiser or country == me:
        raise Forbidden("only the organiser shares the board", code="action_not_organiser")
    if action.checkpoint(str(bucket.get("checkpoint_id", ""))) is None:
        raise InvalidInput("no such checkpoint", code="action_checkpoint_unknown")
    hour = parse_time(bucket.get("hour"), "hour")
    if not action.starts_at - SLACK - HOUR <= hour <= action.ends_at + SLACK:
        raise InvalidInput("the hour is outside the action", code="action_time_outside")


def receive_record(ctx: NodeContext, sender: str, record: dict[str, Any]) -> dict[str, Any]:
    service = ActionService(ctx)
    action = service.get(str(record.get("action_id", "")))
    if action.organiser != ctx.settings.country.value:
        raise Forbidden("records go to the organiser", code="action_not_organiser")
    if str(record.get("country")) != sender:
        raise Forbidden("a node shares its own country's records", code="action_not_sender")
    # The same checks as at the sender: a shared record must fit the plan.
    result = parse_result(action, record, country=sender, now=action.ends_at)
    partner = node_country(sender)
    if not service.store.has_shared(action.action_id, sender, result.submission_id):
        ctx.audit.append(  # before storing it: fail closed
            service.node_event(EventKind.COLLECTION, result, "received", partner=partner)
        )
        service.store.save_shared(action.action_id, sender, result.to_wire(), service.now())
    return {"action_id": action.action_id, "submission_id": result.submission_id}


@router.post("/plan", summary="The organiser's plan of a joint action")
async def plan(request: Request, call: Verified) -> Response:
    ctx: NodeContext = request.app.state.ctx
    wire = _body(call, "action")
    answer = await asyncio.to_thread(receive_plan, ctx, call.partner.country.value, wire)
    return signed_json(request, answer, call.nonce)


@router.post("/aggregate", summary="Agreed figures per country, checkpoint and hour (a batch)")
async def aggregate(request: Request, call: Verified) -> Response:
    ctx: NodeContext = request.app.state.ctx
    try:
        payload = call.json()
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise InvalidInput("expected {action_id, aggregates: [...]}", code="action_malformed")
    answer = await asyncio.to_thread(receive_aggregates, ctx, call.partner.country.value, payload)
    return signed_json(request, answer, call.nonce)


@router.post("/record", summary="A result a participant chose to share with the organiser")
async def record(request: Request, call: Verified) -> Response:
    ctx: NodeContext = request.app.state.ctx
    body = _body(call, "record")
    answer = await asyncio.to_thread(receive_record, ctx, call.partner.country.value, body)
    return signed_json(request, answer, call.nonce)
