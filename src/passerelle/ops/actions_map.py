"""The map of a joint action: its checkpoints on the country borders, offline.

The borders are the packaged OpenStreetMap geometry of ``ops.borders`` (France
included), cut to the checkpoints' extent and simplified for drawing. The same
shapes feed the board page (GeoJSON for Leaflet, no tiles), the HTML report
(inline SVG) and the PDF report (fpdf2 drawing primitives).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import shapely
from fpdf import FPDF
from shapely.geometry import Polygon

from passerelle.exc import ConfigError
from passerelle.ops.actions import Action
from passerelle.ops.borders import Borders

FILL = {"BE": "#f6e7a8", "NL": "#f7c9a1", "LU": "#c9dff2", "DE": "#dcdcdc", "FR": "#cfe8cf"}
MARGIN_DEG = 0.08
PAGE_MARGIN_DEG = 0.6  # the page can be panned: borders well beyond the checkpoints
Ring = list[tuple[float, float]]  # (lon, lat)


@dataclass(frozen=True)
class Extent:
    west: float
    south: float
    east: float
    north: float

    @property
    def kx(self) -> float:  # metres per degree of longitude relative to latitude
        return math.cos(math.radians((self.south + self.north) / 2))


def extent(action: Action, margin: float = MARGIN_DEG) -> Extent:
    lats = [c.lat for c in action.checkpoints]
    lons = [c.lon for c in action.checkpoints]
    pad = max(margin, (max(lats) - min(lats)) * 0.1, (max(lons) - min(lons)) * 0.1)
    return Extent(min(lons) - pad, min(lats) - pad, max(lons) + pad, max(lats) + pad)


@lru_cache(maxsize=32)
def _shapes(box: Extent, tolerance: float) -> tuple[tuple[str, tuple[Ring, ...]], ...]:
    try:
        borders = Borders.load()
    except ConfigError:
        return ()  # no geometry packaged: checkpoints only
    out: list[tuple[str, tuple[Ring, ...]]] = []
    for part, code in zip(borders.parts, borders.codes, strict=True):
        clipped = shapely.clip_by_rect(part, box.west, box.south, box.east, box.north)
        if clipped.is_empty:
            continue
        simple = shapely.simplify(clipped, tolerance, preserve_topology=True)
        rings = tuple(
            [(round(x, 5), round(y, 5)) for x, y in p.exterior.coords]
            for p in shapely.get_parts(simple)
            if isinstance(p, Polygon) and not p.is_empty
        )
        if rings:
            out.append((code, rings))
    return tuple(out)


def country_shapes(
    action: Action, tolerance: float = 0.002, margin: float = MARGIN_DEG
) -> list[tuple[str, list[Ring]]]:
    """(country code, outer rings) of every country within the action's extent."""
    return [(code, list(rings)) for code, rings in _shapes(extent(action, margin), tolerance)]


def geojson(action: Action) -> dict[str, Any]:
    """Borders and checkpoints as GeoJSON for the board page's Leaflet map."""
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "properties": {"kind": "country", "country": code},
            "geometry": {"type": "MultiPolygon", "coordinates": [[r] for r in rings]},
        }
        for code, rings in country_shapes(action, margin=PAGE_MARGIN_DEG)
    ]
    features += [
        {
            "type": "Feature",
            "properties": {"kind": "checkpoint", "id": c.checkpoint_id, "name": c.name},
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
        }
        for c in action.checkpoints
    ]
    return {"type": "FeatureCollection", "features": features}


class Projection:
    """Equirectangular, longitudes shrunk by cos(latitude); centred in a width × height box."""

    def __init__(self, box: Extent, width: float, height: float) -> None:
        self.box = box
        span_x = (box.east - box.west) * box.kx or 1.0
        span_y = (box.north - box.south) or 1.0
        self.scale = min(width / span_x, height / span_y)
        self.width, self.height = span_x * self.scale, span_y * self.scale
        self.dx, self.dy = (width - self.width) / 2, (height - self.height) / 2

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        x = self.dx + (lon - self.box.west) * self.box.kx * self.scale
        y = self.dy + self.height - (lat - self.box.south) * self.scale
        return round(x, 1), round(y, 1)


def _radius(persons: int, top: int) -> float:
    return 3.0 + 7.0 * math.sqrt(persons / top) if top else 3.0


def svg(action: Action, persons: dict[str, int], width: int = 640, height: int = 420) -> str:
    """The map as an inline SVG: countries, checkpoints sized by the persons checked."""
    fit = Projection(extent(action), width, height)  # the box the extent fills, no margins
    width, height = round(fit.width), round(fit.height)
    project = Projection(extent(action), width, height)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img">']
    for code, rings in country_shapes(action):
        for ring in rings:
            pts = " ".join(f"{x},{y}" for x, y in (project(lon, lat) for lon, lat in ring))
            parts.append(
                f'<polygon points="{pts}" fill="{FILL.get(code, "#eee")}" stroke="#555" '
                'stroke-width="0.8"><title>' + code + "</title></polygon>"
            )
    top = max(persons.values(), default=0)
    for c in action.checkpoints:
        x, y = project(c.lon, c.lat)
        r = _radius(persons.get(c.checkpoint_id, 0), top)
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="{r:.1f}" fill="#c0392b" fill-opacity="0.8" '
            f'stroke="#fff"><title>{c.checkpoint_id}</title></circle>'
            f'<text x="{x + r + 2}" y="{y + 3}" font-size="9">{c.checkpoint_id}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def draw_pdf(
    pdf: FPDF, action: Action, persons: dict[str, int], x0: float, y0: float, w: float, h: float
) -> None:
    """Draw the map into the PDF at (x0, y0), w × h millimetres (fpdf2 primitives)."""
    project = Projection(extent(action), w, h)
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    for code, rings in country_shapes(action, tolerance=0.004):
        pdf.set_fill_color(*_rgb(FILL.get(code, "#eeeeee")))
        for ring in rings:
            pts = [(x0 + px, y0 + py) for px, py in (project(lon, lat) for lon, lat in ring)]
            if len(pts) >= 3:
                pdf.polygon(pts, style="DF")
    pdf.rect(x0 + project.dx, y0 + project.dy, project.width, project.height)
    top = max(persons.values(), default=0)
    pdf.set_fill_color(192, 57, 43)
    pdf.set_font("Helvetica", "", 6)
    for c in action.checkpoints:
        px, py = project(c.lon, c.lat)
        r = _radius(persons.get(c.checkpoint_id, 0), top) / 3
        pdf.ellipse(x0 + px - r, y0 + py - r, 2 * r, 2 * r, style="F")
        pdf.text(x0 + px + r + 0.5, y0 + py + 1, c.checkpoint_id)
