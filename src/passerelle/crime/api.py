"""``/api/v1/crime``: the shared crime picture for analysts (role ``analyst``)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from passerelle.auth.roles import Principal, Role
from passerelle.crime import export, iccs
from passerelle.crime.boundaries import BoundaryStore
from passerelle.crime.nearrepeat import NearRepeatSettings
from passerelle.crime.report import report_html, report_pdf
from passerelle.crime.service import CrimeService
from passerelle.crime.service import Query as CrimeQuery
from passerelle.crime.sharing import pull
from passerelle.web.deps import CtxDep, require_roles

router = APIRouter(prefix="/api/v1/crime", tags=["crime picture"])
Analyst = Annotated[Principal, Depends(require_roles(Role.ANALYST))]
IccsQ = Annotated[str | None, Query(max_length=6, description="ICCS class, e.g. 05012")]
SinceQ = Annotated[dt.date | None, Query(description="From this day")]
UntilQ = Annotated[dt.date | None, Query(description="Up to this day (inclusive)")]
ResQ = Annotated[int, Query(ge=4, le=11, description="H3 resolution")]
PermQ = Annotated[int, Query(ge=0, le=9999, description="Gi* permutations")]
AlphaQ = Annotated[float, Query(gt=0, lt=1, description="False-discovery rate")]


LangQ = Annotated[
    Literal["en", "fr", "nl", "de"] | None,
    Query(description="Language of the ICCS class names (default English)"),
]


def boundary_store(ctx: CtxDep) -> BoundaryStore:
    c = ctx.settings.crime
    return BoundaryStore(ctx.settings.data_dir, c.boundaries, c.boundaries_name_property)


def service(ctx: CtxDep) -> CrimeService:
    return CrimeService(ctx.engine, boundary_store(ctx))


Svc = Annotated[CrimeService, Depends(service)]


@router.get("/summary")
def summary(_: Analyst, svc: Svc, lang: LangQ = None) -> dict[str, Any]:
    """Incidents held per country, the period and the ICCS classes present."""
    return svc.summary(lang)


@router.get("/iccs")
def iccs_table(_: Analyst, lang: LangQ = None) -> dict[str, Any]:
    """The ICCS mapping table in force (version, sources, caveats); each class has its
    names in the four languages and ``name`` in ``lang``."""
    return iccs.table(lang)


@router.get("/boundaries")
def boundaries(_: Analyst, ctx: CtxDep) -> dict[str, Any]:
    """The analyst's boundaries in force as GeoJSON (property ``name``), with ``source``
    (``uploaded``, ``configured`` or null when there are none: no features)."""
    store = boundary_store(ctx)
    areas = store.get()
    gj: dict[str, Any] = (
        areas.geojson() if areas is not None else {"type": "FeatureCollection", "features": []}
    )
    gj["source"] = store.source()
    return gj


@router.put("/boundaries")
async def upload_boundaries(
    _: Analyst,
    ctx: CtxDep,
    request: Request,
    name_property: Annotated[str, Query(max_length=100)] = "name",
) -> dict[str, Any]:
    """Replace the boundaries with a GeoJSON FeatureCollection (request body) of Polygon or
    MultiPolygon features in WGS 84; ``name_property`` names each area. Refused whole
    (``crime_bad_boundaries``) when not valid."""
    body = await request.body()
    areas = boundary_store(ctx).put(body, name_property)
    return {"areas": len(areas.names), "names": areas.names, "source": "uploaded"}


@router.delete("/boundaries")
def delete_boundaries(_: Analyst, ctx: CtxDep) -> dict[str, Any]:
    """Forget the uploaded boundaries (the configured ones, if any, apply again)."""
    store = boundary_store(ctx)
    return {"deleted": store.clear(), "source": store.source()}


@router.get("/hotspots")
def hotspots(
    _: Analyst,
    svc: Svc,
    iccs_code: Annotated[str | None, Query(alias="iccs", max_length=6)] = None,
    since: SinceQ = None,
    until: UntilQ = None,
    resolution: ResQ = 8,
    permutations: PermQ = 999,
    alpha: AlphaQ = 0.05,
) -> dict[str, Any]:
    """Gi* hotspots on the H3 grid as GeoJSON (cells with incidents or a class), with the
    cross-border clusters in ``properties``."""
    q = CrimeQuery(iccs_code, since, until)
    return svc.hotspots_geojson(q, resolution=resolution, permutations=permutations, alpha=alpha)


@router.get("/hotspots/areas")
def hotspots_areas(
    _: Analyst,
    svc: Svc,
    iccs_code: Annotated[str | None, Query(alias="iccs", max_length=6)] = None,
    since: SinceQ = None,
    until: UntilQ = None,
    resolution: ResQ = 8,
    permutations: PermQ = 999,
    alpha: AlphaQ = 0.05,
) -> dict[str, Any]:
    """Per area of the analyst's boundaries: incidents, hot and cold Gi* cells (by cell
    centre), 28-day and year-to-date change. ``areas`` is empty without boundaries."""
    _cells, info = svc.hotspots(
        CrimeQuery(iccs_code, since, until),
        resolution=resolution,
        permutations=permutations,
        alpha=alpha,
    )
    return {k: v for k, v in info.items() if k != "cross_border"} | {"areas": info.get("areas", [])}


@router.get("/hotspots/export")
def hotspots_export(
    _: Analyst,
    svc: Svc,
    fmt: Annotated[Literal["csv", "geojson", "geoparquet"], Query(alias="format")] = "geojson",
    iccs_code: Annotated[str | None, Query(alias="iccs", max_length=6)] = None,
    since: SinceQ = None,
    until: UntilQ = None,
    resolution: ResQ = 8,
    permutations: PermQ = 999,
    alpha: AlphaQ = 0.05,
) -> Response:
    """All study-area cells as CSV, GeoJSON or GeoParquet."""
    cells, _info = svc.hotspots(
        CrimeQuery(iccs_code, since, until),
        resolution=resolution,
        permutations=permutations,
        alpha=alpha,
    )
    suffix = {"csv": ".csv", "geojson": ".geojson", "geoparquet": ".parquet"}[fmt]
    media = {
        "csv": "text/csv",
        "geojson": "application/geo+json",
        "geoparquet": "application/vnd.apache.parquet",
    }[fmt]
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"hotspots{suffix}"
        export.write(cells, path, fmt)
        body = path.read_bytes()
    name = f"hotspots-{iccs_code or 'all'}{suffix}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/near-repeat")
def near_repeat(
    _: Analyst,
    svc: Svc,
    iccs_code: Annotated[str | None, Query(alias="iccs", max_length=6)] = "05012",
    since: SinceQ = None,
    until: UntilQ = None,
    spatial_bandwidth: Annotated[float, Query(gt=0, le=10_000)] = 100.0,
    spatial_bands: Annotated[int, Query(ge=1, le=20)] = 4,
    temporal_bandwidth: Annotated[int, Query(ge=1, le=365)] = 7,
    temporal_bands: Annotated[int, Query(ge=1, le=20)] = 4,
    distance: Literal["manhattan", "euclidean"] = "euclidean",
    permutations: Annotated[int, Query(ge=1, le=9999)] = 99,
    seed: int | None = 1,
    nrc_compatible: bool = False,
) -> dict[str, Any]:
    """Knox test in the banded form of the Near Repeat Calculator (same layout as the CLI)."""
    s = NearRepeatSettings(
        spatial_bandwidth,
        spatial_bands,
        temporal_bandwidth,
        temporal_bands,
        distance,
        permutations,
        seed,
    )
    res = svc.near_repeat(CrimeQuery(iccs_code, since, until), s)
    res.nrc_labels = nrc_compatible
    return res.to_dict()


@router.get("/trends")
def trends(
    _: Analyst,
    svc: Svc,
    iccs_code: Annotated[str | None, Query(alias="iccs", max_length=6)] = None,
    until: UntilQ = None,
    level: Annotated[int, Query(ge=1, le=4)] = 2,
    every: Literal["1w", "1mo"] = "1w",
    lang: LangQ = None,
) -> dict[str, Any]:
    """28-day and year-to-date change per ICCS class and country, series, seasonality."""
    return svc.trends(CrimeQuery(iccs_code, None, until), level=level, every=every, lang=lang)


@router.get("/report")
def report(
    _: Analyst,
    svc: Svc,
    lang: Literal["en", "fr", "nl", "de"] = "en",
    fmt: Annotated[Literal["html", "pdf"], Query(alias="format")] = "html",
    iccs_code: Annotated[str | None, Query(alias="iccs", max_length=6)] = "05012",
    since: SinceQ = None,
    until: UntilQ = None,
    resolution: ResQ = 8,
) -> Response:
    """A self-contained report (HTML or PDF) in the chosen language, as a download."""
    q = CrimeQuery(iccs_code, since, until)
    if fmt == "pdf":
        body, media, suffix = report_pdf(svc, q, lang, resolution), "application/pdf", "pdf"
    else:
        body = report_html(svc, q, lang, resolution).encode("utf-8")
        media, suffix = "text/html; charset=utf-8", "html"
    name = f"crime-picture-{iccs_code or 'all'}-{lang}.{suffix}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post("/pull")
async def pull_partners(_: Analyst, ctx: CtxDep, since: SinceQ = None) -> dict[str, Any]:
    """Fetch the incidents each partner shares with this node (coarsened, small counts
    withheld, by the partner's own rules) and store them as that country's."""
    return await pull(ctx, since)
