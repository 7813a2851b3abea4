"""Sharing incidents with a partner node: small-count suppression and coordinate coarsening.

The providing node decides, per partner (``[crime.share.XX]`` in node.toml):
every incident's coordinates are replaced by the centre of its H3 cell at the
partner's ``resolution``, and the incidents of any (cell, ICCS level-2 class,
month) group smaller than ``min_count`` are withheld. A partner not listed
gets nothing. The requesting node stores what it receives as that country's
incidents (replacing the previous copy).

``POST /federation/v1/crime/incidents`` answers a partner (signed both ways);
``pull`` calls every trusted partner.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import h3
import polars as pl
from fastapi import APIRouter, Request
from fastapi.responses import Response

from passerelle.crime.store import CrimeStore, IncidentFilter
from passerelle.exc import Forbidden, InvalidInput
from passerelle.federation.server import Verified, signed_json
from passerelle.node.context import NodeContext
from passerelle.settings import CrimeShareSettings

router = APIRouter(prefix="/federation/v1", tags=["federation (node to node)"])
PATH = "/federation/v1/crime/incidents"
TIMEOUT_S = 30.0


def prepare(df: pl.DataFrame, rule: CrimeShareSettings) -> tuple[pl.DataFrame, int]:
    """Coarsen and suppress; returns the shareable incidents and how many were withheld."""
    if df.height == 0:
        return df, 0
    cells = [
        h3.latlng_to_cell(a, o, rule.resolution)
        for a, o in zip(df["latitude"], df["longitude"], strict=True)
    ]
    centres = [h3.cell_to_latlng(c) for c in cells]
    df = df.with_columns(
        pl.Series("cell", cells),
        pl.Series("latitude", [round(c[0], 6) for c in centres]),
        pl.Series("longitude", [round(c[1], 6) for c in centres]),
        pl.col("iccs").fill_null("").str.slice(0, 4).alias("class"),
        pl.col("occurred_on").dt.truncate("1mo").alias("month"),
    )
    size = pl.len().over("cell", "class", "month")
    kept = df.filter(size >= rule.min_count)
    return kept.drop("cell", "class", "month"), df.height - kept.height


def to_wire(df: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "incident_id": r["incident_id"],
            "occurred_on": str(r["occurred_on"]),
            "period_end": str(r["period_end"]) if r["period_end"] else None,
            "latitude": r["latitude"],
            "longitude": r["longitude"],
            "offence_code": r["offence_code"],
            "iccs": r["iccs"],
        }
        for r in df.iter_rows(named=True)
    ]


def from_wire(country: str, items: list[dict[str, Any]]) -> pl.DataFrame:
    rows = [
        {
            "country": country,
            "incident_id": str(i["incident_id"])[:80],
            "occurred_on": dt.date.fromisoformat(str(i["occurred_on"])),
            "period_end": dt.date.fromisoformat(i["period_end"]) if i.get("period_end") else None,
            "latitude": float(i["latitude"]),
            "longitude": float(i["longitude"]),
            "municipality_code": None,
            "offence_code": str(i["offence_code"])[:80],
            "iccs": str(i["iccs"])[:6] if i.get("iccs") else None,
        }
        for i in items
    ]
    schema = {
        "country": pl.String,
        "incident_id": pl.String,
        "occurred_on": pl.Date,
        "period_end": pl.Date,
        "latitude": pl.Float64,
        "longitude": pl.Float64,
        "municipality_code": pl.String,
        "offence_code": pl.String,
        "iccs": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def answer(ctx: NodeContext, partner: str, payload: Any) -> dict[str, Any]:
    rule = ctx.settings.crime.share.get(partner)
    if rule is None:
        raise Forbidden("this node shares no incidents with you", code="crime_share_refused")
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object", code="crime_bad_input")
    try:
        since = dt.date.fromisoformat(payload["since"]) if payload.get("since") else None
    except (TypeError, ValueError):
        raise InvalidInput("since is not a date", code="crime_bad_period") from None
    own = ctx.settings.country.value
    df = CrimeStore(ctx.engine).frame(IncidentFilter(countries=(own,), since=since))
    shared, withheld = prepare(df, rule)
    return {
        "country": own,
        "resolution": rule.resolution,
        "min_count": rule.min_count,
        "withheld": withheld,
        "incidents": to_wire(shared),
    }


@router.post("/crime/incidents", summary="Share our incidents with a partner (coarsened)")
async def partner_incidents(request: Request, call: Verified) -> Response:
    try:
        payload = call.json()
    except ValueError:
        raise InvalidInput("the body is not JSON", code="crime_bad_input") from None
    ctx: NodeContext = request.app.state.ctx
    body = await asyncio.to_thread(answer, ctx, call.partner.country.value, payload)
    return signed_json(request, body, call.nonce)


async def pull(ctx: NodeContext, since: dt.date | None = None) -> dict[str, Any]:
    """Fetch every trusted partner's shared incidents and store them as that country's."""
    partners = ctx.trust.partners()
    payload = {"since": since.isoformat() if since else None}
    results = await ctx.client.fan_out(partners, PATH, payload, TIMEOUT_S)
    store = CrimeStore(ctx.engine)
    out: dict[str, Any] = {}
    for country, r in results.items():
        if r.status != "ok" or r.data is None or r.data.get("country") != country.value:
            out[country.value] = {"status": r.status, "detail": r.detail}
            continue
        frame = from_wire(country.value, list(r.data.get("incidents", [])))
        loaded = await asyncio.to_thread(
            store.load,
            frame,
            source_name=f"partner:{country.value}",
            source_format="federation",
            rejected=0,
            replace=True,
        )
        out[country.value] = {
            "status": "ok",
            "loaded": loaded,
            "withheld": int(r.data.get("withheld", 0)),
            "resolution": r.data.get("resolution"),
        }
    return out
