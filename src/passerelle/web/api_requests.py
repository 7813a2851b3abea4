"""``/api/v1/requests``: follow-up requests on hit/no-hit references.

Officers send requests and read their answers; the contact point of the
providing node works through the incoming queue (soonest deadline first) and
grants fields of the record or refuses with a reason.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from passerelle.audit.events import AuditEvent, EventKind, LegalRef
from passerelle.auth.roles import Principal, Role
from passerelle.node.context import NodeContext
from passerelle.requests.deps import actor_of
from passerelle.requests.model import FollowUp, Status
from passerelle.requests.wire import MAX_FIELDS, MAX_REASON, NewRequest
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/requests", tags=["follow-up requests"])
Officer = Annotated[Principal, Depends(require_roles(Role.OFFICER))]
ContactPoint = Annotated[Principal, Depends(require_roles(Role.CONTACT_POINT))]


class GrantBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: list[Annotated[str, Field(max_length=60)]] = Field(
        max_length=MAX_FIELDS, description="Fields of the record to disclose."
    )


class RefuseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=MAX_REASON, description="Why (shown to the requester).")


def view(ctx: NodeContext, fu: FollowUp, *, with_record: bool = False) -> dict[str, Any]:
    out = fu.summary(ctx.follow_ups.deps.now())
    if with_record:
        out["record"] = fu.record
    return out


def consult_record(ctx: NodeContext, principal: Principal, fu: FollowUp) -> dict[str, Any]:
    """The contact point looks at the record behind a request: audited as a consultation."""
    provider = ctx.follow_ups.provider
    record = provider.record(fu)
    ctx.audit.append(
        AuditEvent(
            kind=EventKind.CONSULTATION,
            actor=actor_of(principal, ctx.settings.country, Role.CONTACT_POINT),
            outcome="hit" if record else "no_hit",
            purpose=fu.purpose,
            justification=fu.justification,
            legal_ref=LegalRef(case_ref=fu.case_ref),
            query={"record_key": fu.record_key},
            datasets=(fu.dataset,) if fu.dataset else (),
            record_ids=(f"{record.dataset}:{record.row_id}",) if record else (),
            partner=fu.partner,
            exchange_id=fu.request_id,
            detail={"step": "follow_up_review"},
        )
    )
    return {
        **view(ctx, fu, with_record=fu.status is Status.GRANTED),
        "fields": list(provider.fields(fu)),
        "register_record": record.values if record else None,
    }


@router.post("", status_code=201, summary="Ask a partner for the record behind a reference")
async def send_request(ctx: CtxDep, officer: Officer, body: NewRequest) -> dict[str, Any]:
    fu = await ctx.follow_ups.requester.send(officer, body)
    return view(ctx, fu)


@router.get("", summary="My follow-up requests, newest first")
def my_requests(ctx: CtxDep, officer: Officer) -> dict[str, Any]:
    items = ctx.follow_ups.requester.mine(officer)
    return {"requests": [view(ctx, fu) for fu in items]}


@router.get("/incoming", summary="The contact point's queue, soonest deadline first")
def incoming(
    ctx: CtxDep,
    _cp: ContactPoint,
    status: Annotated[Literal["pending", "granted", "refused", "all"], Query()] = "pending",
) -> dict[str, Any]:
    items = ctx.follow_ups.provider.queue(None if status == "all" else Status(status))
    views = [view(ctx, fu) for fu in items]
    return {"requests": views, "overdue": sum(1 for v in views if v["overdue"])}


@router.get("/incoming/{request_id}", summary="One incoming request with the record behind it")
def incoming_one(ctx: CtxDep, cp: ContactPoint, request_id: str) -> dict[str, Any]:
    fu = ctx.follow_ups.provider.get(request_id[:64])
    return consult_record(ctx, cp, fu)


@router.post("/incoming/{request_id}/grant", summary="Grant fields of the record")
async def grant(ctx: CtxDep, cp: ContactPoint, request_id: str, body: GrantBody) -> dict[str, Any]:
    fu = await ctx.follow_ups.provider.grant(cp, request_id[:64], body.fields)
    return view(ctx, fu, with_record=True)


@router.post("/incoming/{request_id}/refuse", summary="Refuse, with a reason")
async def refuse(
    ctx: CtxDep, cp: ContactPoint, request_id: str, body: RefuseBody
) -> dict[str, Any]:
    fu = await ctx.follow_ups.provider.refuse(cp, request_id[:64], body.reason)
    return view(ctx, fu)


@router.get("/{request_id}", summary="One of my requests, with the answer once it arrived")
async def my_request(
    ctx: CtxDep,
    officer: Officer,
    request_id: str,
    refresh: Annotated[bool, Query(description="Ask the partner if still pending.")] = False,
) -> dict[str, Any]:
    requester = ctx.follow_ups.requester
    fu = await run_in_threadpool(requester.get_mine, officer, request_id[:64])
    if refresh and fu.status is Status.PENDING:
        fu = await requester.pull(fu)
    return view(ctx, fu, with_record=True)
