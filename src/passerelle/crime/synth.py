"""Synthetic incidents for the demo: the Euregio's real places, each country's own codes.

Two years up to ``end``: offences spread around the municipalities of
``data/municipalities.csv`` (weighted by size), with each country's offence mix in
its own national codes, seasonality (burglary peaks in the dark months, bicycle
theft and assaults in summer, assaults at weekends), near-repeat burglary series
(follow-ups within ~200 m and two weeks of a first burglary) and a cross-border
burglary hotspot astride the Kerkrade (NL) / Herzogenrath (DE) border.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import math
from importlib import resources

import numpy as np
import polars as pl

from passerelle.crime.incidents import municipalities

# national code, share, seasonal profile ("winter", "summer" or "flat")
MIX: dict[str, list[tuple[str, float, str]]] = {
    "NL": [
        ("1.1.1", 0.14, "winter"),
        ("1.2.1", 0.14, "flat"),
        ("1.2.2", 0.03, "flat"),
        ("1.2.3", 0.17, "summer"),
        ("1.2.4", 0.05, "flat"),
        ("1.4.4", 0.06, "flat"),
        ("1.4.5", 0.11, "summer"),
        ("1.4.6", 0.02, "winter"),
        ("2.2.1", 0.16, "summer"),
        ("2.5.2", 0.08, "winter"),
        ("3.6.4", 0.04, "flat"),
    ],
    "BE": [
        ("woninginbraak", 0.15, "winter"),
        ("inbraak-bedrijf", 0.05, "winter"),
        ("diefstal-auto", 0.04, "flat"),
        ("diefstal-in-auto", 0.15, "flat"),
        ("gauwdiefstal", 0.06, "flat"),
        ("winkeldiefstal", 0.09, "winter"),
        ("slagen-verwondingen", 0.14, "summer"),
        ("vandalisme", 0.17, "summer"),
        ("drugs-bezit", 0.11, "flat"),
        ("oplichting", 0.04, "flat"),
    ],
    "DE": [
        ("436*00", 0.12, "winter"),
        ("*00100", 0.03, "flat"),
        ("*50*00", 0.14, "flat"),
        ("*90*00", 0.05, "flat"),
        ("*26*00", 0.12, "winter"),
        ("222000", 0.06, "summer"),
        ("224000", 0.13, "summer"),
        ("674000", 0.20, "summer"),
        ("731000", 0.10, "flat"),
        ("510000", 0.05, "flat"),
    ],
}
BURGLARY = {"NL": "1.1.1", "BE": "woninginbraak", "DE": "436*00"}
# the border runs north-south through Kerkrade/Herzogenrath here (Nieuwstraat/Neustraße)
BORDER_HOTSPOT = (50.8665, 6.0745)
SEASON = {
    "winter": lambda m: 1.0 + 0.45 * math.cos(2 * math.pi * (m - 0.5) / 12),
    "summer": lambda m: 1.0 - 0.3 * math.cos(2 * math.pi * (m - 0.5) / 12),
    "flat": lambda m: 1.0,
}
SIZE = {"Aachen": 6.0, "Liège": 5.0, "Maastricht": 3.0, "Heerlen": 2.0, "Hasselt": 2.0, "Genk": 2.0}
M_PER_DEG = 111_320.0


def _days(rng: np.random.Generator, n: int, start: dt.date, span: int, season: str) -> np.ndarray:
    """n day offsets in [0, span) following a seasonal profile (rejection sampling)."""
    out: list[int] = []
    f = SEASON[season]
    while len(out) < n:
        d = rng.integers(0, span, 2 * n + 10)
        cal = np.datetime64(start) + d
        months = (cal.astype("datetime64[M]").astype(np.int64) % 12) + 1
        weekday = (cal.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
        w = np.vectorize(f)(months) / 1.45
        if season == "summer":  # violence and vandalism peak at weekends
            w = w * np.where(weekday >= 4, 1.0, 0.7)
        keep = d[rng.random(len(d)) < w]
        out.extend(int(x) for x in keep[: n - len(out)])
    return np.array(out, dtype=np.int64)


def _jitter(rng: np.random.Generator, lat: float, lon: float, n: int, sd_m: float) -> np.ndarray:
    dlat = rng.normal(0, sd_m, n) / M_PER_DEG
    dlon = rng.normal(0, sd_m, n) / (M_PER_DEG * math.cos(math.radians(lat)))
    return np.column_stack([lat + dlat, lon + dlon])


def generate_incidents(
    total: int = 30_000, *, seed: int = 7, end: dt.date | None = None
) -> pl.DataFrame:
    """A canonical incident frame (country, incident_id, occurred_on, lat/lon, offence_code)."""
    rng = np.random.default_rng(seed)
    end = end or dt.date.today()
    span = 730
    start = end - dt.timedelta(days=span - 1)
    places = [(c, code, ll) for (c, code), ll in municipalities().items()]
    names = {code: n for code, n in _names().items()}
    weights = np.array([SIZE.get(names.get(code, ""), 1.0) for _, code, _ in places])
    weights /= weights.sum()
    frames: list[pl.DataFrame] = []
    base = int(total * 0.85)
    per_place = rng.multinomial(base, weights)
    for (country, code, (lat, lon)), n in zip(places, per_place, strict=True):
        if n == 0:
            continue
        codes, shares, seasons = zip(*MIX[country], strict=True)
        p = np.array(shares) / sum(shares)
        per_code = rng.multinomial(n, p)
        spread = 900 + 350 * SIZE.get(names.get(code, ""), 1.0)
        for oc, season, k in zip(codes, seasons, per_code, strict=True):
            if k == 0:
                continue
            xy = _jitter(rng, lat, lon, int(k), spread)
            frames.append(_frame(country, oc, xy, _days(rng, int(k), start, span, season), start))
    # near-repeat burglary series: each burglary may be followed nearby within two weeks
    seeds = pl.concat(frames).filter(pl.col("offence_code").is_in(list(BURGLARY.values())))
    follow = int(total * 0.10)
    picks = rng.integers(0, seeds.height, follow)
    s = seeds[picks]
    xy = np.column_stack([s["latitude"].to_numpy(), s["longitude"].to_numpy()])
    xy = xy + np.column_stack(
        [rng.normal(0, 120, follow) / M_PER_DEG, rng.normal(0, 120, follow) / (M_PER_DEG * 0.63)]
    )
    first = (s["occurred_on"].to_numpy() - np.datetime64(start)).astype("timedelta64[D]")
    d = first.astype(np.int64) + rng.integers(1, 15, follow)
    keep = d < span
    for country, oc in BURGLARY.items():
        mask = keep & (s["country"].to_numpy() == country)
        if mask.any():
            frames.append(_frame(country, oc, xy[mask], d[mask], start))
    # the cross-border hotspot: burglaries on both sides of the Kerkrade/Herzogenrath border,
    # rising over the last months
    n_hot = total - base - follow
    hot = _jitter(rng, *BORDER_HOTSPOT, n_hot, 350)
    days = np.minimum(span - 1, (span * np.sqrt(rng.random(n_hot))).astype(np.int64))
    nl = hot[:, 1] < BORDER_HOTSPOT[1]
    frames.append(_frame("NL", BURGLARY["NL"], hot[nl], days[nl], start))
    frames.append(_frame("DE", BURGLARY["DE"], hot[~nl], days[~nl], start))
    out = pl.concat(frames).sort("occurred_on")
    ids = [f"{c}-{i:07d}" for i, c in enumerate(out["country"].to_list())]
    return out.with_columns(pl.Series("incident_id", ids))


@functools.cache
def _names() -> dict[str, str]:
    text = (
        resources.files("passerelle.crime")
        .joinpath("data", "municipalities.csv")
        .read_text("utf-8")
    )
    return {r["code"]: r["name"] for r in csv.DictReader(text.splitlines())}


def _frame(
    country: str, code: str, xy: np.ndarray, days: np.ndarray, start: dt.date
) -> pl.DataFrame:
    n = len(days)
    return pl.DataFrame(
        {
            "country": [country] * n,
            "incident_id": [""] * n,
            "occurred_on": (np.datetime64(start) + days).astype("datetime64[D]"),
            "latitude": np.round(xy[:, 0], 6),
            "longitude": np.round(xy[:, 1], 6),
            "offence_code": [code] * n,
        },
        schema={
            "country": pl.String,
            "incident_id": pl.String,
            "occurred_on": pl.Date,
            "latitude": pl.Float64,
            "longitude": pl.Float64,
            "offence_code": pl.String,
        },
    )
