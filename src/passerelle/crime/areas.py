"""User-supplied boundaries (GeoJSON polygons, WGS 84): which area each incident falls in.

The analyst's own areas (police zones, municipalities, patrol districts) given as a
GeoJSON FeatureCollection of Polygon / MultiPolygon features in WGS 84. A file that
is not that (unreadable JSON, no polygon, projected coordinates such as RD or
Lambert 72) is refused with ``crime_bad_boundaries``, never half used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import shapely
from shapely.geometry import mapping, shape

from passerelle.exc import InvalidInput

OUTSIDE = "(outside)"
MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class Areas:
    names: list[str]
    shapes: list[shapely.Geometry]

    def geojson(self) -> dict[str, Any]:
        """The areas as a FeatureCollection (property ``name``), for the map."""
        return {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"name": n}, "geometry": mapping(g)}
                for n, g in zip(self.names, self.shapes, strict=True)
            ],
        }


def _bad(detail: str, **params: object) -> InvalidInput:
    return InvalidInput(detail, code="crime_bad_boundaries", **params)


def parse_areas(text: str | bytes, name_property: str = "name") -> Areas:
    """The areas of a GeoJSON text (FeatureCollection, Feature or bare Polygon/MultiPolygon)."""
    if len(text) > MAX_BYTES:
        raise _bad("the boundaries file is too large")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise _bad("the boundaries are not JSON") from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    elif isinstance(data, dict) and data.get("type") in ("Polygon", "MultiPolygon"):
        data = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": data}]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise _bad("the boundaries are not a GeoJSON FeatureCollection")
    names: list[str] = []
    shapes: list[shapely.Geometry] = []
    for i, f in enumerate(data["features"]):
        geom = f.get("geometry") if isinstance(f, dict) else None
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        try:
            poly = shape(geom)
        except (ValueError, TypeError, AttributeError, IndexError):
            raise _bad(f"feature {i + 1} has a broken geometry", feature=i + 1) from None
        if poly.is_empty:
            continue
        x0, y0, x1, y1 = poly.bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise _bad(
                f"feature {i + 1} is not in WGS 84 longitude/latitude (projected coordinates?)",
                feature=i + 1,
            )
        props = f.get("properties") or {}
        name = props.get(name_property) if isinstance(props, dict) else None
        names.append(str(name) if name not in (None, "") else f"area {i + 1}")
        shapes.append(shapely.make_valid(poly))
    if not shapes:
        raise _bad("the boundaries hold no Polygon or MultiPolygon feature")
    return Areas(names, shapes)


def load_areas(path: Path, name_property: str = "name") -> tuple[list[str], list[shapely.Geometry]]:
    """Names and polygons of a GeoJSON file (see ``parse_areas``)."""
    try:
        text = path.read_bytes()
    except OSError:
        raise _bad(f"cannot read {path.name}") from None
    areas = parse_areas(text, name_property)
    return areas.names, areas.shapes


def _first_area(lon: np.ndarray, lat: np.ndarray, shapes: list[shapely.Geometry]) -> np.ndarray:
    """Index of the first area holding each point, -1 outside every area."""
    points = shapely.points(lon, lat)
    tree = shapely.STRtree(shapes)
    point_idx, area_idx = tree.query(points, predicate="intersects")
    first = np.full(len(points), -1, dtype=np.int64)
    order = np.lexsort((area_idx, point_idx))
    p_sorted, a_sorted = point_idx[order], area_idx[order]
    uniq, start = np.unique(p_sorted, return_index=True)
    first[uniq] = a_sorted[start]
    return first


def assign_areas(
    df: pl.DataFrame, names: list[str], shapes: list[shapely.Geometry], column: str = "area"
) -> pl.DataFrame:
    """Add ``column``: the first area containing each incident, or ``(outside)``."""
    first = _first_area(df["longitude"].to_numpy(), df["latitude"].to_numpy(), shapes)
    labels = [names[i] if i >= 0 else OUTSIDE for i in first]
    return df.with_columns(pl.Series(column, labels, dtype=pl.String))
