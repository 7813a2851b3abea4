"""``/api/v1/actions``: joint actions — plan, results, live board, report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from passerelle.auth.roles import Principal, Role
from passerelle.node.live import sse_response
from passerelle.ops.actions import METRICS, Action
from passerelle.ops.actions_report import parse_languages, report_html, report_pdf
from passerelle.ops.actions_service import TOPIC, ActionService
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/actions", tags=["operations: joint actions"])
Ops = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.CONTROL_ROOM))]
Planner = Annotated[Principal, Depends(require_roles(Role.CONTROL_ROOM))]


class ParticipantIn(BaseModel):
    country: str = Field(max_length=2, description="BE, NL, LU, DE, or FR (a guest: no node)")
    services: list[str] = Field(
        default=["police"], max_length=3, description="police, customs, border_police"
    )


class CheckpointIn(BaseModel):
    checkpoint_id: str | None = Field(
        default=None, max_length=40, description="Default CP01, CP02…"
    )
    name: str = Field(max_length=120)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    country: str | None = Field(default=None, max_length=2, description="The country it lies in")


class PlanIn(BaseModel):
    name: str = Field(max_length=120)
    starts_at: datetime
    ends_at: datetime
    participants: list[ParticipantIn] = Field(min_length=1, max_length=5)
    checkpoints: list[CheckpointIn] = Field(min_length=1, max_length=200)
    objectives: list[str] = Field(default_factory=list, max_length=20)
    shared_metrics: list[str] | None = Field(
        default=None, description=f"The agreed aggregates (default all): {', '.join(METRICS)}"
    )
    share_back: bool = Field(
        default=True, description="The organiser shares every country's aggregates with all"
    )


class SeizureIn(BaseModel):
    type: str = Field(max_length=30, description="cannabis, cocaine, heroin, synthetic_drugs, …")
    quantity: float = Field(gt=0)
    unit: str = Field(max_length=10, description="g, kg, l, ml, pieces, pills, eur")


class ResultIn(BaseModel):
    submission_id: str = Field(
        min_length=6, max_length=64, description="Chosen by the client; a repeat is a no-op"
    )
    checkpoint_id: str = Field(max_length=40)
    occurred_at: datetime | None = Field(default=None, description="Default: now")
    service: str | None = Field(default=None, max_length=20)
    persons_checked: int = Field(default=0, ge=0)
    vehicles_checked: int = Field(default=0, ge=0)
    hits: int = Field(default=0, ge=0)
    arrests: int = Field(default=0, ge=0)
    seizures: list[SeizureIn] = Field(default_factory=list, max_length=20)
    fines_count: int = Field(default=0, ge=0)
    fines_amount: float = Field(default=0, ge=0, description="EUR")
    note: str | None = Field(
        default=None, max_length=1000, description="Free text (may hold personal data)"
    )
    share: bool = Field(default=False, description="Send this record to the organiser")
    country: str | None = Field(
        default=None, max_length=2, description="At the organiser: a guest country's result"
    )


def _view(action: Action, service: ActionService) -> dict[str, Any]:
    return {**action.to_wire(), "status": action.status(service.now()).value}


@router.post("", status_code=201, summary="Plan a joint action (this node organises it)")
async def plan_action(body: PlanIn, ctx: CtxDep, principal: Planner) -> dict[str, Any]:
    service = ActionService(ctx)
    action = await service.plan(principal, body.model_dump(mode="json"))
    return _view(action, service)


@router.get("", summary="Joint actions known to this node")
def list_actions(
    ctx: CtxDep,
    _p: Ops,
    active: Annotated[bool, Query(description="Only those not ended")] = False,
) -> list[dict[str, Any]]:
    service = ActionService(ctx)
    return [_view(a, service) for a in (service.active() if active else service.find())]


@router.get("/stream", summary="Live board changes (server-sent events, topic ops.actions)")
def stream(request: Request, ctx: CtxDep, _p: Ops) -> Response:
    return sse_response(request, ctx.live, [TOPIC])


@router.get("/{action_id}", summary="One joint action (its plan)")
def get_action(action_id: str, ctx: CtxDep, _p: Ops) -> dict[str, Any]:
    service = ActionService(ctx)
    return _view(service.get(action_id), service)


@router.post("/{action_id}/results", summary="Register a result (idempotent per submission id)")
async def register_result(
    action_id: str, body: ResultIn, ctx: CtxDep, principal: Ops
) -> JSONResponse:
    data = body.model_dump(mode="json", exclude={"country"})
    stored = await ActionService(ctx).register_result(principal, action_id, data, body.country)
    return JSONResponse(
        {"created": stored.created, "result": stored.result.to_wire()},
        status_code=201 if stored.created else 200,
    )


@router.get("/{action_id}/results", summary="The raw results registered at this node (audited)")
def list_results(action_id: str, ctx: CtxDep, principal: Ops) -> list[dict[str, Any]]:
    return [r.to_wire() for r in ActionService(ctx).results(principal, action_id)]


@router.get("/{action_id}/records", summary="At the organiser: records partners shared (audited)")
def shared_records(action_id: str, ctx: CtxDep, principal: Ops) -> list[dict[str, Any]]:
    return ActionService(ctx).shared_records(principal, action_id)


@router.get("/{action_id}/board", summary="Totals per country, checkpoint and hour")
def board(action_id: str, ctx: CtxDep, _p: Ops) -> dict[str, Any]:
    return ActionService(ctx).board(action_id)


@router.get("/{action_id}/report", summary="The report (HTML or PDF) in 1 to 4 languages")
async def report(
    action_id: str,
    ctx: CtxDep,
    _p: Ops,
    format: Annotated[Literal["html", "pdf"], Query()] = "html",
    langs: Annotated[
        str | None,
        Query(max_length=20, description="e.g. fr,nl or all (default: organiser's + English)"),
    ] = None,
) -> Response:
    service = ActionService(ctx)
    action = await run_in_threadpool(service.get, action_id)
    languages = parse_languages(langs, action)
    if format == "pdf":
        pdf = await run_in_threadpool(report_pdf, service, action, languages)
        name = f"{action.action_id}-{'-'.join(languages)}.pdf"
        headers = {"Content-Disposition": f'inline; filename="{name}"'}
        return Response(pdf, media_type="application/pdf", headers=headers)
    return HTMLResponse(await run_in_threadpool(report_html, service, action, languages))
