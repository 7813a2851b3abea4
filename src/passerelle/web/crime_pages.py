"""The analyst's page: the crime picture (map, ICCS filter, time slider, trends, near repeat).

Jinja2 + HTMX: the filter form re-renders the results panel in place; the map
(Leaflet, served from the package, no tiles) is drawn by ``static/crime.js``
from ``/api/v1/crime/hotspots`` and the country borders. Role ``analyst``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from passerelle.auth.roles import Principal, Role
from passerelle.crime import iccs
from passerelle.crime.api import boundary_store
from passerelle.crime.nearrepeat import NearRepeatSettings
from passerelle.crime.report import day_labels
from passerelle.crime.service import CrimeService
from passerelle.crime.service import Query as CrimeQuery
from passerelle.exc import Forbidden, InvalidInput, PasserelleError
from passerelle.web import i18n
from passerelle.web.deps import CtxDep, OptionalPrincipalDep
from passerelle.web.templating import render, request_language

router = APIRouter(include_in_schema=False)
NR = NearRepeatSettings(100.0, 4, 7, 4, "euclidean", 99, seed=1)
DEFAULT_ICCS = "05012"


def _guard(request: Request, user: Principal | None) -> Principal | Response:
    if user is None:
        target = f"/login?next={request.url.path}"
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    if not user.has(Role.ANALYST):
        raise Forbidden("your role does not allow this", code="role_required", roles="analyst")
    request.state.principal = user
    return user


def _months(first: str | None, last: str | None) -> list[str]:
    if not first or not last:
        return []
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    out, y, m = [], a.year, a.month
    while (y, m) <= (b.year, b.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@router.get("/crime")
def crime_page(request: Request, ctx: CtxDep, user: OptionalPrincipalDep) -> Response:
    guard = _guard(request, user)
    if isinstance(guard, Response):
        return guard
    lang = request_language(request)
    summary = CrimeService(ctx.engine).summary(lang)
    classes = [c for c in iccs.classes().values() if c.level <= 3]
    context: dict[str, Any] = {
        "summary": summary,
        "classes": [(c, c.name(lang)) for c in classes],
        "present": {c["iccs"] for c in summary["iccs_classes"]},
        "selected": DEFAULT_ICCS,
        "months": _months(summary["period"]["first"], summary["period"]["last"]),
    }
    return render(request, "crime.html", context)


def _trend_svg(series: list[dict[str, Any]], width: int = 640, height: int = 200) -> dict[str, Any]:
    """Polylines per country for the weekly series (server-drawn, no chart library)."""
    if not series:
        return {"lines": [], "width": width, "height": height, "max": 0, "periods": []}
    periods = sorted({s["period"] for s in series})
    index = {p: i for i, p in enumerate(periods)}
    top = max(s["count"] for s in series) or 1
    lines = []
    for country in sorted({s["country"] for s in series}):
        pts = [0.0] * len(periods)
        for s in series:
            if s["country"] == country:
                pts[index[s["period"]]] = s["count"]
        step = width / max(1, len(periods) - 1)
        path = " ".join(
            f"{i * step:.1f},{height - v / top * (height - 10):.1f}" for i, v in enumerate(pts)
        )
        lines.append({"country": country, "points": path})
    return {"lines": lines, "width": width, "height": height, "max": top, "periods": periods}


@router.get("/crime/panel")
def crime_panel(
    request: Request,
    ctx: CtxDep,
    user: OptionalPrincipalDep,
    iccs_code: Annotated[str, Query(alias="iccs", max_length=6)] = DEFAULT_ICCS,
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
    resolution: Annotated[int, Query(ge=6, le=10)] = 8,
) -> Response:
    guard = _guard(request, user)
    if isinstance(guard, Response):
        return guard
    svc = CrimeService(ctx.engine, boundary_store(ctx))
    context: dict[str, Any] = {"iccs": iccs_code, "resolution": resolution}
    try:
        q = CrimeQuery(
            iccs_code or None,
            dt.date.fromisoformat(since) if since else None,
            dt.date.fromisoformat(until) if until else None,
        )
        cells, info = svc.hotspots(q, resolution=resolution, permutations=999)
        context["info"] = info
        context["hot"] = cells.filter(cells["class"] == "hot").sort("z", descending=True).head(10)
        context["hot"] = context["hot"].to_dicts()
        try:
            context["nr"] = svc.near_repeat(q, NR)
            context["nr_columns"] = day_labels(context["nr"], request_language(request))
        except InvalidInput:
            context["nr"] = None
        trend = svc.trends(q, level=2, lang=request_language(request))
        context["trend"] = trend
        context["chart"] = _trend_svg(trend["series"])
        wanted = {"iccs": iccs_code, "since": since, "until": until, "resolution": resolution}
        context["query"] = urlencode({k: v for k, v in wanted.items() if v})
    except (PasserelleError, ValueError) as e:
        code = e.code if isinstance(e, PasserelleError) else "crime_bad_period"
        params = e.params if isinstance(e, PasserelleError) else {}
        status = e.status if isinstance(e, PasserelleError) else 422
        context["error"] = i18n.error_message(request_language(request), code, params, status)
    return render(request, "_crime_panel.html", context)
