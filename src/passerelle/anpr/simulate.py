"""`passerelle anpr simulate`: camera reads on the region's border roads, deterministic per seed.

``simulate(SimConfig(...))`` returns the reads (the columns of ``anpr_reads``
as a camera would send them, plus ``timestamp`` for ``passerelle anpr
match``), the ground truth of every read, a hotlist of wanted vehicles that
drive through the window (and many that do not), and what was planted for the
analytics: cloned plates (one plate on two cars far apart at the same time)
and convoys (vehicles that drive together on several occasions). Traffic is in
``simulate_traffic``, OCR errors in ``simulate_ocr``, the roads in ``roads``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from passerelle.anpr.roads import CORRIDORS, Camera, all_cameras
from passerelle.anpr.simulate_ocr import OcrRates, apply_ocr, read_countries
from passerelle.anpr.simulate_plant import plant_clones, plant_convoys, plant_hotlist
from passerelle.anpr.simulate_traffic import (
    TZ,
    draw_trips,
    make_fleet,
    minute_weights,
    passages,
    schedule,
)

MISS_RATE = 0.03  # passages the camera does not read at all


@dataclass(frozen=True)
class SimConfig:
    seed: int = 1
    start: dt.datetime = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
    hours: float = 24.0
    scale: float = 0.02  # share of the roads' real daily volume
    countries: tuple[str, ...] | None = None  # cameras of these countries only (None: all)
    wanted: int = 30  # hotlist entries that drive through the window
    unseen: int = 300  # hotlist entries that do not
    clones: int = 4
    convoys: int = 2
    convoy_size: int = 3
    convoy_occasions: int = 3
    ocr: OcrRates = field(default_factory=OcrRates)


@dataclass
class Simulation:
    config: SimConfig
    reads: pl.DataFrame
    truth: pl.DataFrame  # read_id, vehicle, true_plate, true_country, error
    hotlist: pl.DataFrame  # entry_id, plate, plate_country, owner, category, action, ...
    clones: list[str]  # compact plates carried by two vehicles
    convoys: list[tuple[str, ...]]  # plates of each convoy
    cameras: list[Camera]


def simulate(config: SimConfig) -> Simulation:
    rng = np.random.default_rng(config.seed)
    start = config.start.astimezone(dt.UTC)
    minutes = max(1, math.ceil(config.hours * 60))
    weights = minute_weights(start, minutes)
    day_share = weights.sum() / (100.0 * 60.0)  # WEEKDAY sums to ~100 per day
    volumes = np.array([c.vehicles_per_day for c in CORRIDORS], dtype=float)
    counts = rng.poisson(volumes * config.scale * day_share)
    fleet = make_fleet(rng, np.maximum(counts, 1))
    trips = schedule(draw_trips(rng, fleet, counts, weights))
    trips, fleet, clones = plant_clones(rng, trips, fleet, config.clones)
    trips, fleet, convoys = plant_convoys(
        rng, trips, fleet, weights, config.convoys, config.convoy_size, config.convoy_occasions
    )
    seen = passages(trips.with_row_index("trip").with_columns(pl.col("trip").cast(pl.Int64)))
    seen = seen.filter(pl.Series(rng.random(seen.height) >= MISS_RATE))
    seen = seen.filter(pl.col("seconds") < config.hours * 3600.0).sort("seconds", "camera_id")
    cameras = all_cameras()
    cam = pl.DataFrame(
        [
            {
                "camera_id": c.camera_id,
                "site": c.site,
                "lat": c.lat,
                "lon": c.lon,
                "direction": c.direction,
                "camera_country": c.country,
                "reads_country": c.reads_country,
            }
            for c in cameras
        ]
    )
    seen = seen.join(cam, on="camera_id", how="left")
    # the hotlist does not depend on which countries' cameras are kept (its own stream)
    hotlist = plant_hotlist(np.random.default_rng([config.seed, 7]), fleet, seen,
                            config.wanted, config.unseen, start, config.seed)  # fmt: skip
    if config.countries is not None:
        seen = seen.filter(pl.col("camera_country").is_in(list(config.countries)))
    reads, truth = _reads(rng, seen, fleet.plate, fleet.country, start, config)
    chosen = [c for c in cameras if config.countries is None or c.country in config.countries]
    return Simulation(config, reads, truth, hotlist, clones, convoys, chosen)


def _reads(
    rng: np.random.Generator,
    seen: pl.DataFrame,
    plates: np.ndarray,
    countries: np.ndarray,
    start: dt.datetime,
    config: SimConfig,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    n = seen.height
    vehicle = seen["vehicle"].to_numpy()
    read_at = pl.Series("read_at", [start] * n, dtype=pl.Datetime("us", "UTC")) + pl.Series(
        (seen["seconds"].to_numpy() * 1e6).astype(np.int64)
    ).cast(pl.Duration("us"))
    hour = read_at.dt.convert_time_zone(TZ).dt.hour().to_numpy()
    night = (hour >= 20) | (hour < 6)
    true_plate, true_country = plates[vehicle], countries[vehicle]
    text, kind, confidence = apply_ocr(rng, true_plate, night, config.ocr)
    reported = read_countries(rng, true_country, seen["reads_country"].to_numpy(), config.ocr)
    stamp = start.strftime("%Y%m%d%H%M")
    read_id = [f"sim{config.seed}-{stamp}-{i:08d}" for i in range(n)]
    camera_country = seen["camera_country"].to_list()
    reads = pl.DataFrame(
        {
            "read_id": read_id,
            "camera_id": seen["camera_id"],
            "site": seen["site"],
            "lat": seen["lat"],
            "lon": seen["lon"],
            "direction": seen["direction"],
            "read_at": read_at,
            "timestamp": read_at,
            "plate": text,
            "plate_country": pl.Series(reported, dtype=pl.String),
            "confidence": confidence,
            "image_ref": [
                f"anpr-img://{cc}/{cid}/{rid}.jpg"
                for cc, cid, rid in zip(camera_country, seen["camera_id"], read_id, strict=True)
            ],
            "camera_country": camera_country,
        }
    )
    truth = pl.DataFrame(
        {
            "read_id": read_id,
            "vehicle": vehicle,
            "trip": seen["trip"],
            "true_plate": true_plate,
            "true_country": true_country,
            "error": kind,
        }
    )
    return reads, truth
