"""``/api/v1/anpr``: camera reads in (batches), historic search, the camera registry.

``POST /api/v1/anpr/reads`` takes ``{"reads": [...]}`` (at most ``[anpr]
batch_size`` reads) and answers once the batch is committed: only then may the
sender forget it. Reads without a usable ``read_id`` are rejected (their index
is given); every other bad read is quarantined with its reason.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from passerelle.anpr.reads_cameras import Camera
from passerelle.anpr.search import ReadSearch, SearchQuery
from passerelle.auth.roles import Principal, Role
from passerelle.exc import InvalidInput, PayloadTooLarge
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/anpr", tags=["ANPR: reads and search"])
Feeder = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.CONTROL_ROOM))]
Searcher = Annotated[
    Principal, Depends(require_roles(Role.OFFICER, Role.ANALYST, Role.CONTROL_ROOM))
]
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Anyone = Annotated[
    Principal,
    Depends(require_roles(Role.ADMIN, Role.CONTROL_ROOM, Role.OFFICER, Role.ANALYST)),
]


class IngestAnswer(BaseModel):
    accepted: int = Field(
        description="Reads matched (and stored where the jurisdiction keeps them)"
    )
    duplicates: int = Field(description="Read ids already processed (nothing done again)")
    stored: int
    hits: int
    quarantined: list[dict[str, str]] = Field(description="read_id and reason of each")
    rejected: list[dict[str, Any]] = Field(description="index in the batch and reason")


@router.post("/reads", summary="Ingest a batch of camera reads", response_model=IngestAnswer)
async def post_reads(request: Request, ctx: CtxDep, _p: Feeder) -> dict[str, Any]:
    raw = await request.body()
    try:  # a 5,000-read body takes milliseconds to decode: off the event loop
        body = await to_thread.run_sync(json.loads, raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("the body is not JSON", code="anpr_reads_body") from None
    items = body.get("reads") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InvalidInput('expected {"reads": [...]}', code="anpr_reads_body")
    limit = ctx.settings.anpr.batch_size
    if len(items) > limit:
        raise PayloadTooLarge(
            f"at most {limit} reads per request", code="anpr_batch_too_large", limit=limit
        )
    result = await ctx.anpr.queue.submit(items, "http")
    return result.to_dict()


class SearchBody(BaseModel):
    since: datetime = Field(description="Start of the time range (with time zone)")
    until: datetime = Field(description="End of the time range (with time zone)")
    justification: str = Field(min_length=1, max_length=1000)
    plate: str | None = Field(default=None, max_length=32)
    plate_country: str | None = Field(default=None, max_length=2)
    fuzzy: bool = Field(default=False, description="Tolerate OCR confusions and one indel")
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="Area: min_lon, min_lat, max_lon, max_lat (WGS 84)"
    )
    legal_ref: str | None = Field(
        default=None,
        max_length=200,
        description="NL/LU: the prosecutor's order; BE beyond one month: the procureur du "
        "Roi's decision",
    )
    limit: int = Field(default=1000, ge=1, le=5000)


@router.post("/search", summary="Historic search of stored camera reads (audited)")
async def search_reads(body: SearchBody, ctx: CtxDep, principal: Searcher) -> dict[str, Any]:
    query = SearchQuery(
        since=body.since,
        until=body.until,
        justification=body.justification,
        plate=body.plate,
        plate_country=body.plate_country.upper() if body.plate_country else None,
        fuzzy=body.fuzzy,
        bbox=body.bbox,
        legal_ref=body.legal_ref,
        limit=body.limit,
    )
    result = await to_thread.run_sync(ReadSearch(ctx).search, principal, query)
    return {
        "reads": [_wire(r) for r in result.reads],
        "window": {"since": result.since.isoformat(), "until": result.until.isoformat()},
        "truncated": result.truncated,
        "audit_entry": result.audit_entry,
    }


def _wire(read: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in read.items()}


class CamerasBody(BaseModel):
    cameras: list[dict[str, Any]] = Field(min_length=1, max_length=20_000)


@router.get("/cameras", summary="The camera registry")
async def get_cameras(ctx: CtxDep, _p: Anyone) -> dict[str, Any]:
    cameras = await to_thread.run_sync(ctx.anpr.cameras.all)
    return {"cameras": [c.to_dict() for c in cameras]}


@router.put("/cameras", summary="Add or update cameras (by camera_id)")
async def put_cameras(body: CamerasBody, ctx: CtxDep, _p: Admin) -> dict[str, int]:
    cameras = [Camera.from_dict(c) for c in body.cameras]
    return {"written": await to_thread.run_sync(ctx.anpr.cameras.upsert, cameras)}


@router.get("/quarantine", summary="Reads in the quarantine, counted by reason")
async def quarantine(ctx: CtxDep, _p: Admin) -> dict[str, Any]:
    return {"reasons": await to_thread.run_sync(ctx.anpr.reads.quarantine_counts)}
