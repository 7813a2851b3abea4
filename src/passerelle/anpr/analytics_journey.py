"""A vehicle's journey across both countries' cameras — as far as the law lets one see it.

Camera reads never leave their country. A node therefore sees a vehicle's
movements abroad only where a partner's camera matched one of *our* hotlist
entries and the partner sent the hit home. The journey combines:

* the node's own reads of the plate (within the lawful window), and
* hits that partners reported on our hotlist entries for that plate.

Between two consecutive points the journey gives the distance, the time and
the speed they imply, and marks a border crossing when the country of the
camera changes. A stretch abroad with no partner hit is a gap, not an absence.
"""

from __future__ import annotations

import polars as pl

from passerelle.anpr.analytics_clones import haversine_expr

SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "at": pl.Datetime("us", "UTC"),
    "source": pl.String,  # "read" (own camera) or "partner_hit"
    "country": pl.String,  # where the camera stands
    "reference": pl.String,  # read_id or hit_id
    "camera_id": pl.String,
    "site": pl.String,
    "lat": pl.Float64,
    "lon": pl.Float64,
    "plate": pl.String,
    "image_ref": pl.String,
}


def _own(reads: pl.DataFrame, country: str) -> pl.DataFrame:
    if reads.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    return reads.select(
        pl.col("read_at").alias("at"),
        pl.lit("read").alias("source"),
        pl.lit(country).alias("country"),
        pl.col("read_id").alias("reference"),
        "camera_id",
        "site",
        "lat",
        "lon",
        "plate",
        "image_ref",
    ).cast(SCHEMA)  # type: ignore[arg-type]


def _partner(hits: pl.DataFrame) -> pl.DataFrame:
    if hits.is_empty():
        return pl.DataFrame(schema=SCHEMA)
    return hits.select(
        pl.col("read_at").alias("at"),
        pl.lit("partner_hit").alias("source"),
        pl.col("reporting_country").alias("country"),
        pl.col("hit_id").alias("reference"),
        "camera_id",
        "site",
        "lat",
        "lon",
        "plate",
        "image_ref",
    ).cast(SCHEMA)  # type: ignore[arg-type]


def journey(reads: pl.DataFrame, partner_hits: pl.DataFrame, country: str) -> pl.DataFrame:
    """The points of the journey by time, with legs (km, minutes, km/h) and border crossings.

    ``reads``: the node's own reads of the plate (``anpr_reads`` columns);
    ``partner_hits``: hits partners reported on our entries for it (``anpr_hits``
    columns). A hit that duplicates one of our own reads (same reference) is kept once.
    """
    points = pl.concat([_own(reads, country), _partner(partner_hits)]).unique(
        "reference", keep="first", maintain_order=True
    )
    points = points.sort("at")
    prev = points.select(
        pl.col("at").shift(1).alias("at_prev"),
        pl.col("lat").shift(1).alias("lat_prev"),
        pl.col("lon").shift(1).alias("lon_prev"),
        pl.col("country").shift(1).alias("country_prev"),
    )
    out = pl.concat([points, prev], how="horizontal").with_columns(
        km=haversine_expr(
            pl.col("lat_prev"), pl.col("lon_prev"), pl.col("lat"), pl.col("lon")
        ).round(1),
        minutes=((pl.col("at") - pl.col("at_prev")).dt.total_seconds() / 60.0).round(1),
    )
    out = out.with_columns(
        speed_kmh=pl.when(pl.col("minutes") > 0)
        .then((pl.col("km") / (pl.col("minutes") / 60.0)).round(0))
        .otherwise(None),
        crossed_border=pl.col("country_prev").is_not_null()
        & (pl.col("country_prev") != pl.col("country")),
    )
    return out.drop("at_prev", "lat_prev", "lon_prev", "country_prev")


def summary(points: pl.DataFrame) -> dict[str, object]:
    """Counts for the answer: points, own reads, partner hits, countries, crossings, span."""
    if points.is_empty():
        return {
            "points": 0,
            "reads": 0,
            "partner_hits": 0,
            "countries": [],
            "crossings": 0,
            "first_at": None,
            "last_at": None,
        }
    return {
        "points": points.height,
        "reads": int((points["source"] == "read").sum()),
        "partner_hits": int((points["source"] == "partner_hit").sum()),
        "countries": sorted(set(points["country"].drop_nulls().to_list())),
        "crossings": int(points["crossed_border"].sum()),
        "first_at": points["at"].min(),
        "last_at": points["at"].max(),
    }


def geojson(points: pl.DataFrame) -> dict[str, object]:
    """The journey as a GeoJSON FeatureCollection: the line and one point per observation."""
    located = points.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
    coords = [[lon, lat] for lat, lon in located.select("lat", "lon").iter_rows()]
    features: list[dict[str, object]] = []
    if len(coords) >= 2:
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "journey"},
                "geometry": {"type": "LineString", "coordinates": coords},
            }
        )
    for row in located.iter_rows(named=True):
        props = {
            k: (v.isoformat() if k == "at" else v)
            for k, v in row.items()
            if k in ("at", "source", "country", "site", "camera_id")
        }
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
            }
        )
    return {"type": "FeatureCollection", "features": features}
