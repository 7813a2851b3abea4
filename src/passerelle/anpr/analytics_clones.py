"""Cloned plates: the same plate read at two places too far apart for the time between them.

Reads are sorted by plate and time; each pair of *consecutive* reads of a
plate is a transition with a great-circle distance (haversine) and a time
gap. A transition is impossible when the distance is at least
``min_distance_km`` (two cameras of one site are never a clone) and the speed
it needs, with ``clock_tolerance_s`` added to the gap for camera clocks,
exceeds ``max_speed_kmh``. Reads under ``min_confidence`` are left out: a
misread of another car is the usual cause of a false clone. Consecutive pairs
are enough: if a plate is at A and B at once, some consecutive pair of its
reads jumps between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from passerelle.anpr.roads import EARTH_RADIUS_KM

COLUMNS = ("read_id", "plate", "read_at", "lat", "lon", "camera_id", "site", "confidence")


@dataclass(frozen=True)
class CloneSettings:
    max_speed_kmh: float = 200.0
    min_distance_km: float = 2.0
    clock_tolerance_s: float = 60.0
    min_confidence: float = 0.8
    min_plate_length: int = 4


def haversine_expr(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in km between two columns of coordinates (degrees)."""
    p1, p2 = lat1.radians(), lat2.radians()
    h = ((p2 - p1) / 2).sin().pow(2) + p1.cos() * p2.cos() * (
        (lon2.radians() - lon1.radians()) / 2
    ).sin().pow(2)
    return 2 * EARTH_RADIUS_KM * h.sqrt().arcsin()


def usable(reads: pl.DataFrame, min_confidence: float, min_length: int) -> pl.DataFrame:
    """Reads fit for analysis: confident, a plate of plausible length, a position."""
    conf = pl.col("confidence").fill_null(1.0) if "confidence" in reads.columns else pl.lit(1.0)
    return reads.filter(
        (conf >= min_confidence)
        & (pl.col("plate").str.len_chars() >= min_length)
        & pl.col("lat").is_not_null()
        & pl.col("lon").is_not_null()
    )


def impossible_transitions(reads: pl.DataFrame, settings: CloneSettings) -> pl.DataFrame:
    """Every impossible consecutive pair: plate, both reads, km, minutes and speed."""
    cols = [c for c in COLUMNS if c in reads.columns]
    df = usable(reads.select(cols), settings.min_confidence, settings.min_plate_length)
    df = df.sort("plate", "read_at")
    prev = df.select(pl.all().shift(1).name.suffix("_prev"))
    pairs = pl.concat([df, prev], how="horizontal").filter(pl.col("plate") == pl.col("plate_prev"))
    seconds = (pl.col("read_at") - pl.col("read_at_prev")).dt.total_microseconds() / 1e6
    km = haversine_expr(pl.col("lat_prev"), pl.col("lon_prev"), pl.col("lat"), pl.col("lon"))
    pairs = pairs.with_columns(km=km, seconds=seconds).with_columns(
        speed_kmh=pl.col("km") / ((pl.col("seconds") + settings.clock_tolerance_s) / 3600.0)
    )
    bad = pairs.filter(
        (pl.col("km") >= settings.min_distance_km) & (pl.col("speed_kmh") > settings.max_speed_kmh)
    )
    return bad.select(
        "plate",
        pl.col("read_id_prev").alias("first_read_id"),
        pl.col("read_id").alias("second_read_id"),
        pl.col("site_prev").alias("first_site")
        if "site" in cols
        else pl.lit(None).alias("first_site"),
        pl.col("site").alias("second_site")
        if "site" in cols
        else pl.lit(None).alias("second_site"),
        pl.col("read_at_prev").alias("first_at"),
        pl.col("read_at").alias("second_at"),
        pl.col("km").round(1),
        (pl.col("seconds") / 60.0).round(1).alias("minutes"),
        pl.col("speed_kmh").round(0),
    )


def detect_clones(reads: pl.DataFrame, settings: CloneSettings | None = None) -> pl.DataFrame:
    """One row per suspected cloned plate, strongest evidence first.

    Columns: ``plate``, ``transitions`` (impossible consecutive pairs),
    ``max_speed_kmh``, ``max_km`` and the strongest pair (``first_read_id``,
    ``second_read_id``, sites, times).
    """
    settings = settings or CloneSettings()
    bad = impossible_transitions(reads, settings)
    if bad.is_empty():
        return (
            bad.select("plate")
            .with_columns(
                transitions=pl.lit(0, pl.UInt32), max_speed_kmh=pl.lit(0.0), max_km=pl.lit(0.0)
            )
            .clear()
        )
    strongest = bad.sort("speed_kmh", descending=True).unique("plate", keep="first")
    counts = bad.group_by("plate").agg(
        transitions=pl.len(), max_speed_kmh=pl.col("speed_kmh").max(), max_km=pl.col("km").max()
    )
    return counts.join(strongest.drop("speed_kmh", "km"), on="plate").sort(
        ["transitions", "max_speed_kmh"], descending=True
    )
