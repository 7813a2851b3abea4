"""Exports of hotspot cells: CSV, GeoJSON (cell polygons, WGS 84) and GeoParquet 1.0 (WKB)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from passerelle.crime.grid import cell_polygon
from passerelle.exc import InvalidInput

FORMATS = ("csv", "geojson", "geoparquet")


def _clean(v: Any) -> Any:
    if isinstance(v, float) and v != v:  # NaN
        return None
    return v


def to_geojson(cells: pl.DataFrame) -> dict[str, Any]:
    features = []
    for row in cells.iter_rows(named=True):
        features.append(
            {
                "type": "Feature",
                "id": row["cell"],
                "geometry": {"type": "Polygon", "coordinates": [cell_polygon(row["cell"])]},
                "properties": {k: _clean(v) for k, v in row.items()},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write(cells: pl.DataFrame, path: Path, fmt: str | None = None) -> str:
    """Write ``cells`` (a frame with a ``cell`` column) as CSV, GeoJSON or GeoParquet."""
    kind = (
        fmt
        or {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}.get(
            path.suffix.lower(), "geoparquet"
        )
    ).lower()
    if kind not in FORMATS:
        raise InvalidInput(
            f"unknown export format {kind!r}; expected one of {', '.join(FORMATS)}",
            code="crime_unknown_format",
        )
    if kind == "csv":
        cells.write_csv(path)
    elif kind == "geojson":
        path.write_text(json.dumps(to_geojson(cells), ensure_ascii=False), encoding="utf-8")
    else:
        polys = [shapely.Polygon(cell_polygon(c)) for c in cells["cell"].to_list()]
        table = cells.to_arrow().append_column(
            "geometry", pa.array(shapely.to_wkb(polys), pa.binary())
        )
        bbox = list(shapely.total_bounds(polys)) if polys else []
        geo = {
            "version": "1.0.0",
            "primary_column": "geometry",
            "columns": {
                "geometry": {"encoding": "WKB", "geometry_types": ["Polygon"], "bbox": bbox}
            },
        }
        meta = dict(table.schema.metadata or {})
        meta[b"geo"] = json.dumps(geo).encode()
        pq.write_table(table.replace_schema_metadata(meta), path)
    return kind
