"""``/api/v1/anpr/analytics``: cloned plates, convoys and journeys for investigators.

Each call takes a justification and, where the jurisdiction asks for one, the
legal reference that opens the stored reads (``legal_ref``); the period is
checked against the lawful window and the call is audited
(``anpr_analysis``). Roles: analyst, officer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from passerelle.anpr.analytics import AnalysisRequest, AnprAnalytics
from passerelle.anpr.analytics_clones import CloneSettings
from passerelle.anpr.analytics_convoy import ConvoySettings
from passerelle.auth.roles import Principal, Role
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/anpr/analytics", tags=["ANPR: analytics"])
Investigator = Annotated[Principal, Depends(require_roles(Role.ANALYST, Role.OFFICER))]


class Period(BaseModel):
    justification: str = Field(min_length=1, max_length=1000, description="Why (audited)")
    since: datetime | None = Field(default=None, description="From (default: lawful window)")
    until: datetime | None = Field(default=None, description="Until (default: now)")
    legal_ref: str | None = Field(
        default=None,
        max_length=200,
        description="NL/LU: the prosecutor's order; BE beyond one month: the procureur du "
        "Roi's decision",
    )
    case_ref: str | None = Field(default=None, max_length=80)

    def request(self) -> AnalysisRequest:
        return AnalysisRequest(
            self.justification, self.since, self.until, self.legal_ref, self.case_ref
        )


class ClonesBody(Period):
    max_speed_kmh: float = Field(default=200.0, gt=30, le=1000)
    min_distance_km: float = Field(default=2.0, ge=0, le=100)
    clock_tolerance_s: float = Field(default=60.0, ge=0, le=3600)
    min_confidence: float = Field(default=0.8, ge=0, le=1)


class ConvoysBody(Period):
    window_s: float = Field(default=90.0, gt=0, le=900, description="Seconds apart at a camera")
    min_occasions: int = Field(default=2, ge=1, le=100, description="Separate journeys together")
    min_sites: int = Field(default=3, ge=1, le=100, description="Distinct sites together")
    occasion_gap_s: float = Field(default=3600.0, gt=0, le=86_400)
    fdr: float = Field(default=0.05, gt=0, le=0.5, description="False-discovery rate (BH)")
    min_lift: float = Field(default=5.0, ge=1, le=1e6)
    min_confidence: float = Field(default=0.7, ge=0, le=1)


class JourneyBody(Period):
    plate: str = Field(min_length=1, max_length=32)


@router.post("/clones", summary="Cloned plates: impossible journeys between two reads")
async def clones(body: ClonesBody, ctx: CtxDep, principal: Investigator) -> dict[str, Any]:
    settings = CloneSettings(
        max_speed_kmh=body.max_speed_kmh,
        min_distance_km=body.min_distance_km,
        clock_tolerance_s=body.clock_tolerance_s,
        min_confidence=body.min_confidence,
    )
    service = AnprAnalytics(ctx)
    return await to_thread.run_sync(service.clones, principal, body.request(), settings)


@router.post("/convoys", summary="Convoys: vehicles together more often than traffic explains")
async def convoys(body: ConvoysBody, ctx: CtxDep, principal: Investigator) -> dict[str, Any]:
    settings = ConvoySettings(
        window_s=body.window_s,
        min_occasions=body.min_occasions,
        min_sites=body.min_sites,
        occasion_gap_s=body.occasion_gap_s,
        fdr=body.fdr,
        min_lift=body.min_lift,
        min_confidence=body.min_confidence,
    )
    service = AnprAnalytics(ctx)
    return await to_thread.run_sync(service.convoys, principal, body.request(), settings)


@router.post("/journey", summary="A vehicle's journey: own reads and partners' hits on our entries")
async def journey(body: JourneyBody, ctx: CtxDep, principal: Investigator) -> dict[str, Any]:
    service = AnprAnalytics(ctx)
    return await to_thread.run_sync(service.journey, principal, body.plate, body.request())
