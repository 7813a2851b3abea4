"""User-supplied boundaries (GeoJSON polygons, WGS 84): which area each incident falls in."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import shapely
from shapely.geometry import shape

from passerelle.exc import InvalidInput

OUTSIDE = "(outside)"


def load_areas(path: Path, name_property: str = "name") -> tuple[list[str], list[shapely.Geometry]]:
    """Names and polygons of a GeoJSON FeatureCollection (Polygon / MultiPolygon features)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InvalidInput(
            f"cannot read {path.name} as GeoJSON", code="crime_unreadable_file"
        ) from None
    names: list[str] = []
    shapes: list[shapely.Geometry] = []
    for i, f in enumerate(data.get("features", []) if isinstance(data, dict) else []):
        geom = f.get("geometry") or {}
        if geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        try:
            poly = shape(geom)
        except (ValueError, TypeError, AttributeError):
            continue
        props = f.get("properties") or {}
        names.append(str(props.get(name_property, f"area {i + 1}")))
        shapes.append(shapely.make_valid(poly))
    if not shapes:
        raise InvalidInput(
            f"{path.name} holds no Polygon or MultiPolygon feature",
            code="crime_missing_columns",
            columns="geometry",
        )
    return names, shapes


def assign_areas(
    df: pl.DataFrame, names: list[str], shapes: list[shapely.Geometry], column: str = "area"
) -> pl.DataFrame:
    """Add ``column``: the first area containing each incident, or ``(outside)``."""
    points = shapely.points(df["longitude"].to_numpy(), df["latitude"].to_numpy())
    tree = shapely.STRtree(shapes)
    point_idx, area_idx = tree.query(points, predicate="intersects")
    first = np.full(len(points), -1, dtype=np.int64)
    order = np.argsort(point_idx, kind="stable")
    p_sorted, a_sorted = point_idx[order], area_idx[order]
    uniq, start = np.unique(p_sorted, return_index=True)
    first[uniq] = a_sorted[start]
    labels = [names[i] if i >= 0 else OUTSIDE for i in first]
    return df.with_columns(pl.Series(column, labels, dtype=pl.String))
