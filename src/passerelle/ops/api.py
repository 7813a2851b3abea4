"""``/api/v1/ops/patrols``: joint patrols for officers and control rooms."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from passerelle.auth.roles import Principal, Role
from passerelle.node.context import NodeContext
from passerelle.ops.copies import CopyState
from passerelle.ops.patrol_log import MAX_POSITIONS, MAX_TEXT, IncidentCategory
from passerelle.ops.patrol_log_service import PatrolLogService
from passerelle.ops.patrols import Patrol, PatrolStatus
from passerelle.ops.service import PatrolChange, PatrolService
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/ops/patrols", tags=["operations: joint patrols"])
OpsPrincipal = Annotated[Principal, Depends(require_roles(Role.OFFICER, Role.CONTROL_ROOM))]


class PatrolCreate(BaseModel):
    crew: list[str] = Field(
        min_length=1, max_length=12, description="Officers as COUNTRY:USER, e.g. BE:officer"
    )
    vehicle: str | None = Field(default=None, max_length=60, description="Call sign or plate")
    area: str | None = Field(default=None, max_length=200, description="Area of operation")
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    start: bool = Field(default=False, description="Start the patrol at once")


class CrewAdd(BaseModel):
    crew: list[str] = Field(min_length=1, max_length=12)


class CopyView(BaseModel):
    state: str = Field(description="registered | pending")
    since: datetime | None = Field(description="pending: oldest undelivered change; else when")
    attempts: int
    last_error: str | None


class PatrolView(BaseModel):
    patrol_id: str
    origin_country: str
    status: str
    crew: list[str]
    vehicle: str | None
    area: str | None
    planned_start: datetime | None
    planned_end: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    created_by: str
    created_at: datetime
    expires_at: datetime | None = Field(
        default=None,
        description="An active patrol counts as ended from then on, even without its end "
        "(planned end, or [patrols] max_active_hours after the start)",
    )
    sync: dict[str, str] = Field(
        default_factory=dict,
        description="At the origin node: how each partner node holds its copy: 'registered', "
        "or 'pending since <time>[: <last failure>]' (retried until it is registered)",
    )
    copies: dict[str, CopyView] = Field(
        default_factory=dict, description="At the origin node: the same, per partner, as data"
    )

    @classmethod
    def of(
        cls, patrol: Patrol, copies: dict[str, CopyState] | None = None, max_active: float = 12
    ) -> PatrolView:
        wire = patrol.to_wire()
        states = copies or {}
        return cls.model_validate(
            {
                **wire,
                "expires_at": patrol.expires_at(timedelta(hours=max_active)),
                "sync": {c: s.text() for c, s in sorted(states.items())},
                "copies": {c: s.to_dict() for c, s in sorted(states.items())},
            }
        )


def _view(ctx: NodeContext, change: PatrolChange) -> PatrolView:
    return PatrolView.of(change.patrol, change.copies, ctx.settings.patrols.max_active_hours)


def _read(ctx: NodeContext, patrols: list[Patrol]) -> list[PatrolView]:
    service = PatrolService(ctx)
    own = [p.patrol_id for p in patrols if p.origin_country == ctx.settings.country]
    states = service.copies.states_of(own)
    hours = ctx.settings.patrols.max_active_hours
    return [PatrolView.of(p, states.get(p.patrol_id), hours) for p in patrols]


@router.post("", status_code=201, summary="Create (and optionally start) a joint patrol")
async def create_patrol(body: PatrolCreate, ctx: CtxDep, principal: OpsPrincipal) -> PatrolView:
    change = await PatrolService(ctx).create(
        principal,
        body.crew,
        vehicle=body.vehicle,
        area=body.area,
        planned_start=body.planned_start,
        planned_end=body.planned_end,
        start=body.start,
    )
    return _view(ctx, change)


@router.get("", summary="Patrols known to this node (own and partners' copies)")
def list_patrols(
    ctx: CtxDep,
    _p: OpsPrincipal,
    status: Annotated[PatrolStatus | None, Query(description="Only this status")] = None,
) -> list[PatrolView]:
    return _read(ctx, PatrolService(ctx).find(status))


@router.get("/{patrol_id}", summary="One patrol")
def get_patrol(patrol_id: str, ctx: CtxDep, _p: OpsPrincipal) -> PatrolView:
    return _read(ctx, [PatrolService(ctx).get(patrol_id)])[0]


@router.post("/{patrol_id}/crew", summary="Add officers to the crew")
async def add_crew(
    patrol_id: str, body: CrewAdd, ctx: CtxDep, principal: OpsPrincipal
) -> PatrolView:
    return _view(ctx, await PatrolService(ctx).add_crew(principal, patrol_id, body.crew))


@router.post("/{patrol_id}/start", summary="Start the patrol (opens joint-control checks)")
async def start_patrol(patrol_id: str, ctx: CtxDep, principal: OpsPrincipal) -> PatrolView:
    return _view(ctx, await PatrolService(ctx).start(principal, patrol_id))


@router.post("/{patrol_id}/end", summary="End the patrol (closes joint-control checks at once)")
async def end_patrol(patrol_id: str, ctx: CtxDep, principal: OpsPrincipal) -> PatrolView:
    return _view(ctx, await PatrolService(ctx).end(principal, patrol_id))


# --- the patrol log: checks made, incidents, positions (ops.patrol_log_service) ----------------


class IncidentCreate(BaseModel):
    category: IncidentCategory
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="What happened (one line)")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    at: datetime | None = Field(default=None, description="When (default: now)")


class TrackingSwitch(BaseModel):
    enabled: bool = Field(description="Record the patrol's positions from now on (opt-in)")


class PositionIn(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: datetime | None = Field(default=None, description="When (default: now)")


class PositionsIn(BaseModel):
    positions: list[PositionIn] = Field(min_length=1, max_length=MAX_POSITIONS)


class PositionView(BaseModel):
    at: datetime
    lat: float
    lon: float


class LogEntryView(BaseModel):
    id: int
    patrol_id: str
    kind: str = Field(description="check | incident")
    at: datetime
    recorded_by: str
    check_id: str | None = None
    check_kind: str | None = None
    outcome: str | None = Field(default=None, description="check: hit, no_hit, refused, ...")
    sources: str | None = Field(default=None, description="check: outcome per country")
    category: str | None = None
    text: str | None = None
    lat: float | None = None
    lon: float | None = None


class PatrolLogView(BaseModel):
    patrol_id: str
    tracking: bool = Field(description="Whether positions are recorded for this patrol here")
    entries: list[LogEntryView] = Field(description="Checks and incidents, newest first")
    positions: list[PositionView] = Field(description="The latest positions, oldest first")


@router.get("/{patrol_id}/log", summary="The patrol's log at this node (audited)")
def patrol_log(patrol_id: str, ctx: CtxDep, principal: OpsPrincipal) -> PatrolLogView:
    found = PatrolLogService(ctx).read(principal, patrol_id)
    return PatrolLogView(
        patrol_id=found.patrol.patrol_id,
        tracking=found.tracking,
        entries=[LogEntryView.model_validate(e.to_dict()) for e in found.entries],
        positions=[PositionView(at=p.at, lat=p.lat, lon=p.lon) for p in found.positions],
    )


@router.post("/{patrol_id}/incidents", status_code=201, summary="Record an incident")
async def add_incident(
    patrol_id: str, body: IncidentCreate, ctx: CtxDep, principal: OpsPrincipal
) -> LogEntryView:
    entry = await to_thread.run_sync(
        lambda: PatrolLogService(ctx).add_incident(
            principal, patrol_id, body.category, body.text, lat=body.lat, lon=body.lon, at=body.at
        )
    )
    return LogEntryView.model_validate(entry.to_dict())


@router.put("/{patrol_id}/tracking", summary="Switch the patrol's positions on or off")
async def set_tracking(
    patrol_id: str, body: TrackingSwitch, ctx: CtxDep, principal: OpsPrincipal
) -> TrackingSwitch:
    enabled = await to_thread.run_sync(
        PatrolLogService(ctx).set_tracking, principal, patrol_id, body.enabled
    )
    return TrackingSwitch(enabled=enabled)


@router.post("/{patrol_id}/positions", summary="Positions of the patrol (tracking must be on)")
async def add_positions(
    patrol_id: str, body: PositionsIn, ctx: CtxDep, principal: OpsPrincipal
) -> dict[str, int]:
    items = [p.model_dump() for p in body.positions]
    count = await to_thread.run_sync(
        PatrolLogService(ctx).add_positions, principal, patrol_id, items
    )
    return {"accepted": count}
