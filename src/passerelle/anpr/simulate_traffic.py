"""Traffic for the simulator: fleets, trips along the corridors, camera passages.

Everything is drawn from one ``numpy`` generator, so a seed gives the same
traffic every time. Trips start following a daily curve (local time, weekday
and weekend profiles of Dutch and Belgian motorway counts, shape only), run
along a corridor in one direction over a contiguous stretch of its sites, and
pass each site at a time set by the distance and the vehicle's speed.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from passerelle.anpr.roads import CORRIDORS, Corridor, corridor_cameras, haversine_km
from passerelle.domain.countries import Country
from passerelle.synth.idgen import Strs, ascii_to_str
from passerelle.synth.plategen import compact_plates, unique_plates

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
TZ = "Europe/Brussels"
TORTUOSITY = 1.15  # road distance / straight-line distance between consecutive sites
# Vehicles per hour, share of the day (shape of typical motorway counts; sums to ~100).
WEEKDAY = (0.8, 0.5, 0.4, 0.4, 0.7, 1.8, 4.5, 7.5, 7.8, 5.8, 5.0, 5.1,
           5.3, 5.4, 5.8, 6.8, 7.9, 7.6, 5.6, 4.0, 3.2, 2.6, 2.0, 1.3)  # fmt: skip
WEEKEND = (1.5, 1.0, 0.7, 0.5, 0.5, 0.8, 1.5, 2.5, 3.6, 4.8, 5.8, 6.3,
           6.5, 6.5, 6.4, 6.3, 6.2, 5.9, 5.2, 4.3, 3.6, 3.0, 2.5, 1.8)  # fmt: skip
FR_LETTERS = b"ABCDEFGHJKLMNPQRSTVWXYZ"  # SIV: no I, O, U


@dataclass
class Fleet:
    """Vehicles: compact plate, plate country, home corridor and trip weight."""

    plate: Strs
    country: Strs
    corridor: Ints
    weight: Floats

    def __len__(self) -> int:
        return len(self.plate)


def fr_plates(rng: np.random.Generator, n: int) -> Strs:
    """French SIV plates (AB-123-CD, compact), distinct."""
    table = np.frombuffer(FR_LETTERS, dtype=np.uint8)
    out = np.empty(0, dtype="U7")
    while len(out) < n:
        k = n - len(out)
        a = ascii_to_str(table[rng.integers(0, len(table), (k, 2))])
        d = np.char.zfill(rng.integers(1, 1000, k).astype(str), 3)
        b = ascii_to_str(table[rng.integers(0, len(table), (k, 2))])
        out = np.unique(np.concatenate([out, np.char.add(np.char.add(a, d), b)]))
    result: Strs = rng.permutation(out)[:n]
    return result


def make_plates(rng: np.random.Generator, countries: Strs) -> Strs:
    """A distinct compact plate in the country's real format for each vehicle."""
    out = np.empty(len(countries), dtype="U12")
    for code in np.unique(countries):
        rows = np.flatnonzero(countries == code)
        if code == "FR":
            out[rows] = fr_plates(rng, len(rows))
        else:
            years = rng.integers(1998, 2026, len(rows))
            out[rows] = compact_plates(unique_plates(Country(code), rng, years))
    return out


def make_fleet(rng: np.random.Generator, trips_per_corridor: Ints) -> Fleet:
    """Per corridor, a pool of vehicles; a few drive often (commuters), most rarely."""
    sizes = np.maximum(20, (trips_per_corridor * 1.5).astype(np.int64))
    corridor = np.repeat(np.arange(len(CORRIDORS)), sizes)
    country = np.empty(len(corridor), dtype="U2")
    for i, c in enumerate(CORRIDORS):
        rows = np.flatnonzero(corridor == i)
        codes, shares = list(c.plate_mix), np.array(list(c.plate_mix.values()))
        country[rows] = np.array(codes)[rng.choice(len(codes), len(rows), p=shares / shares.sum())]
    weight = np.minimum(rng.pareto(1.5, len(corridor)) + 1.0, 6.0)
    return Fleet(make_plates(rng, country), country, corridor, weight)


def minute_weights(start: dt.datetime, minutes: int) -> Floats:
    """Relative traffic of each minute of the window (local time of day, weekday or weekend)."""
    local = (
        pl.select(
            pl.datetime_range(
                start, start + dt.timedelta(minutes=minutes - 1), "1m", time_zone="UTC", eager=True
            ).dt.convert_time_zone(TZ)
        )
        .to_series()
        .head(minutes)
    )
    hours = local.dt.hour().to_numpy()
    weekend = local.dt.weekday().to_numpy() >= 6
    w = np.where(weekend, np.array(WEEKEND)[hours], np.array(WEEKDAY)[hours])
    out: Floats = w.astype(np.float64)
    return out


def start_times(rng: np.random.Generator, weights: Floats, n: int) -> Floats:
    """``n`` trip start offsets (seconds from the window start) following ``weights``."""
    minute = rng.choice(len(weights), n, p=weights / weights.sum())
    out: Floats = minute * 60.0 + rng.random(n) * 60.0
    return out


def site_offsets(corridor: Corridor) -> Floats:
    """Road km of each site from the first one."""
    sites = corridor.sites
    legs = [haversine_km(a.lat, a.lon, b.lat, b.lon) for a, b in itertools.pairwise(sites)]
    out: Floats = np.concatenate([[0.0], np.cumsum(legs)]) * TORTUOSITY
    return out


def draw_trips(
    rng: np.random.Generator, fleet: Fleet, counts: Ints, weights: Floats
) -> pl.DataFrame:
    """Trips: vehicle, corridor, direction (+1/-1), first and last site index, start, speed."""
    frames = []
    for i, corridor in enumerate(CORRIDORS):
        n = int(counts[i])
        if n == 0:
            continue
        pool = np.flatnonzero(fleet.corridor == i)
        vehicle = pool[rng.choice(len(pool), n, p=fleet.weight[pool] / fleet.weight[pool].sum())]
        k = len(corridor.sites)
        full = rng.random(n) < 0.6
        a, b = rng.integers(0, k, n), rng.integers(0, k, n)
        first, last = np.where(full, 0, np.minimum(a, b)), np.where(full, k - 1, np.maximum(a, b))
        frames.append(
            trip_frame(
                rng, vehicle, i, rng.random(n) < 0.5, first, last, start_times(rng, weights, n)
            )
        )
    return pl.concat(frames) if frames else empty_trips()


def trip_frame(
    rng: np.random.Generator,
    vehicle: Ints,
    corridor: int,
    reverse: npt.NDArray[np.bool_],
    first: Ints,
    last: Ints,
    start: Floats,
    speed: Floats | None = None,
) -> pl.DataFrame:
    n = len(vehicle)
    c = CORRIDORS[corridor]
    if speed is None:
        truck = rng.random(n) < (0.05 if c.local else 0.14)
        car = np.clip(rng.normal(c.speed_kmh, c.speed_kmh * 0.11, n), c.speed_kmh * 0.6, 190)
        speed = np.where(truck, np.minimum(car, rng.normal(86, 4, n)), car)
    return pl.DataFrame(
        {
            "vehicle": vehicle.astype(np.int64),
            "corridor": np.full(n, corridor, dtype=np.int64),
            "reverse": reverse,
            "first": first.astype(np.int64),
            "last": last.astype(np.int64),
            "start": start,
            "speed": speed,
        }
    )


def empty_trips() -> pl.DataFrame:
    return trip_frame(np.random.default_rng(0), np.zeros(0, np.int64), 0,
                      np.zeros(0, bool), np.zeros(0, np.int64), np.zeros(0, np.int64),
                      np.zeros(0), np.zeros(0))  # fmt: skip


def schedule(trips: pl.DataFrame, gap_s: float = 1800.0) -> pl.DataFrame:
    """Push each vehicle's trips apart so that none starts before the last ended + ``gap_s``.

    start'_i = D_i + max_{j<=i}(start_j - D_j) with D_i the summed durations and gaps
    of the vehicle's earlier trips: the recurrence start'_i = max(start_i, end'_{i-1} + gap),
    vectorised.
    """
    km = {i: site_offsets(c) for i, c in enumerate(CORRIDORS)}
    span = np.array(
        [
            abs(km[c][b] - km[c][a])
            for c, a, b in zip(trips["corridor"], trips["first"], trips["last"], strict=True)
        ]
    )
    busy = pl.Series(span / trips["speed"].to_numpy() * 3600.0 + gap_s)
    out = (
        trips.with_columns(busy=busy)
        .sort("vehicle", "start")
        .with_columns(before=(pl.col("busy").cum_sum() - pl.col("busy")).over("vehicle"))
        .with_columns(
            start=pl.col("before") + (pl.col("start") - pl.col("before")).cum_max().over("vehicle")
        )
    )
    return out.drop("busy", "before")


def passages(trips: pl.DataFrame) -> pl.DataFrame:
    """One row per (trip, site passed): camera id and seconds from the window start."""
    rows = []
    for i, corridor in enumerate(CORRIDORS):
        t = trips.filter(pl.col("corridor") == i)
        if t.is_empty():
            continue
        km = site_offsets(corridor)
        forward, backward = corridor_cameras(corridor)
        fwd_ids, rev_ids = (
            np.array([c.camera_id for c in forward]),
            np.array([c.camera_id for c in backward]),
        )
        first, last = t["first"].to_numpy(), t["last"].to_numpy()
        reverse, start, speed = (
            t["reverse"].to_numpy(),
            t["start"].to_numpy(),
            t["speed"].to_numpy(),
        )
        length = last - first + 1
        trip = np.repeat(np.arange(len(t)), length)
        step = np.arange(len(trip)) - np.repeat(np.cumsum(length) - length, length)
        site = np.where(reverse[trip], last[trip] - step, first[trip] + step)
        entry = np.where(reverse, km[last], km[first])
        seconds = start[trip] + np.abs(km[site] - entry[trip]) / speed[trip] * 3600.0
        rows.append(
            pl.DataFrame(
                {
                    "trip": t["trip"].to_numpy()[trip],
                    "vehicle": t["vehicle"].to_numpy()[trip],
                    "camera_id": np.where(reverse[trip], rev_ids[site], fwd_ids[site]),
                    "seconds": seconds,
                }
            )
        )
    return (
        pl.concat(rows)
        if rows
        else pl.DataFrame(
            schema={
                "trip": pl.Int64,
                "vehicle": pl.Int64,
                "camera_id": pl.String,
                "seconds": pl.Float64,
            }
        )
    )
