"""Synthetic vehicles, stolen vehicles, wanted persons and police records.

Part of the wanted persons and police records are people of the population
register (same names and birth date), so that checks find real hits.
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt
import polars as pl

from passerelle.domain.countries import Country
from passerelle.synth import people, stock
from passerelle.synth.idgen import Ints, Strs, zfill
from passerelle.synth.plategen import unique_plates, vins

_REF = np.datetime64(people.REFERENCE_DATE.isoformat(), "D").astype(np.int64)
COLOURS = (("grey", 24), ("black", 20), ("white", 19), ("blue", 12), ("silver", 9), ("red", 8),
           ("green", 3), ("brown", 2), ("yellow", 1), ("orange", 1), ("beige", 1))  # fmt: skip
ALERT_TYPES = (("arrest", 0.45), ("missing", 0.15), ("discreet_check", 0.15),
               ("specific_check", 0.1), ("entry_ban", 0.15))  # fmt: skip
REASONS = {
    "arrest": "European arrest warrant", "missing": "Missing person", "entry_ban": "Entry ban",
    "discreet_check": "Discreet check (SIS art. 36)",
    "specific_check": "Specific check (SIS art. 36)",
}  # fmt: skip
CATEGORIES = (("theft", 25), ("burglary", 10), ("drug_offence", 15), ("assault", 12),
              ("fraud", 10), ("traffic_offence", 14), ("vandalism", 8), ("weapons", 3),
              ("public_order", 3))  # fmt: skip
CONTACTS = {
    Country.BE: ("BE-ANG", "DGR/DRI/CIC Liège, +32 4 340 99 99"),
    Country.NL: ("NL-OPS", "Politie Limburg, Operationeel Centrum, +31 88 169 00 00"),
    Country.LU: ("LU-POL", "Police Grand-Ducale, CIN, +352 4997 2330"),
    Country.DE: ("DE-INPOL", "Polizeipräsidium Aachen, Leitstelle, +49 241 9577 0"),
}


def _weighted(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> Strs:
    names, w = zip(*table, strict=True)
    p = np.array(w, dtype=float)
    return np.array(names)[rng.choice(len(names), n, p=p / p.sum())]


def _ids(prefix: str, kind: str, years: Strs, n: int) -> Strs:
    return np.char.add(
        np.char.add(f"{prefix}-{kind}-", years), np.char.add("-", zfill(np.arange(1, n + 1), 7))
    )


def _dates(days: Ints) -> Strs:
    return people.iso_dates(np.minimum(days, _REF))


def vehicles(
    rng: np.random.Generator, country: Country, population: pl.DataFrame, ages: Ints
) -> pl.DataFrame:
    adults = np.flatnonzero(ages >= 18)
    n = round(0.45 * population.height) if len(adults) else 0
    holder = adults[rng.integers(0, len(adults), n)] if n else np.zeros(0, dtype=np.int64)
    age = np.minimum(rng.geometric(1 / 9, n) - 1, 30)
    years = 2025 - age
    first = (np.array([f"{y}-01-01" for y in range(1995, 2026)], dtype="datetime64[D]")
             .astype(np.int64)[years - 1995] + rng.integers(0, 365, n))  # fmt: skip
    makes = stock.makes()
    make = rng.choice(len(makes.make), n, p=makes.weights)
    model = np.array(
        [
            makes.models[m][int(r * len(makes.models[m]))]
            for m, r in zip(make, rng.random(n), strict=True)
        ]
    )
    inspection = np.where(age < 4, first + 4 * 365, _REF + rng.integers(-90, 700, n))
    pop = population[holder]
    holder_name = people.join_words(
        np.array([g.split(" ")[0] for g in pop["given_names"].to_list()]),
        pop["family_name_prefix"].to_numpy().astype(str),
        pop["family_name"].to_numpy().astype(str),
    )
    return pl.DataFrame({
        "plate": unique_plates(country, rng, years),
        "plate_country": np.full(n, country.value),
        "vin": vins(rng, makes.wmi[make], years),
        "make": makes.make[make], "model": model,
        "colour": _weighted(rng, COLOURS, n),
        "first_registration": _dates(np.minimum(first, _REF)),
        "holder_national_id": pop["national_id"],
        "holder_name": holder_name,
        "insured": np.where(rng.random(n) < 0.985, "true", "false"),
        "inspection_valid_until": people.iso_dates(inspection),
    })  # fmt: skip


def stolen_vehicles(
    rng: np.random.Generator, country: Country, fleet: pl.DataFrame
) -> pl.DataFrame:
    n = max(1, round(0.01 * fleet.height)) if fleet.height else 0
    pick = np.sort(rng.choice(fleet.height, n, replace=False)) if n else np.zeros(0, np.int64)
    cars = fleet[pick]
    reported = _REF - rng.integers(0, 700, n)
    first = np.array(cars["first_registration"].to_list(), dtype="datetime64[D]").astype(np.int64)
    reported = np.maximum(reported, first)
    plate_only = rng.random(n) < 0.05
    return pl.DataFrame({
        "alert_id": _ids(CONTACTS[country][0], "SV", _dates(reported).astype("U4"), n),
        "plate": cars["plate"], "plate_country": cars["plate_country"],
        "vin": np.where(plate_only, "", cars["vin"].to_numpy().astype(str)),
        "reported_on": _dates(reported),
    })  # fmt: skip


def _person_sample(
    rng: np.random.Generator, country: Country, population: pl.DataFrame, n: int, known: float
) -> tuple[pl.DataFrame, npt.NDArray[np.bool_]]:
    """``n`` persons: a ``known`` share from the register, the rest newly drawn."""
    k = min(round(known * n), population.height)
    own = population[np.sort(rng.choice(population.height, k, replace=False))]
    m = n - k
    groups = people.draw_groups(rng, country, m)
    sexes = people.draw_sexes(rng, country, m)
    given, family, prefix = people.draw_names(rng, country, groups, sexes)
    fresh = pl.DataFrame({
        "national_id": np.full(m, ""), "given_names": given, "family_name": family,
        "family_name_prefix": prefix,
        "birth_date": people.iso_dates(people.draw_birth_dates(rng, m, min_age=14)),
        "nationality": people.draw_nationality(rng, country, groups),
    })  # fmt: skip
    cols = fresh.columns
    both = pl.concat([own.select(cols), fresh])
    from_register = np.r_[np.ones(k, dtype=bool), np.zeros(m, dtype=bool)]
    order = rng.permutation(n)
    return both[order], from_register[order]


def wanted_persons(
    rng: np.random.Generator, country: Country, population: pl.DataFrame, n: int
) -> pl.DataFrame:
    """``n`` alerts, 60% of them on people of the population register."""
    who, _ = _person_sample(rng, country, population, n, known=0.6)
    kind = _weighted(rng, ALERT_TYPES, n)
    issued = _dates(_REF - rng.integers(0, 5 * 365, n))
    ids = _ids(CONTACTS[country][0], "W", issued.astype("U4"), n)
    return who.drop("national_id").with_columns(
        alert_id=pl.Series(ids),
        alert_type=pl.Series(kind),
        reason=pl.Series(np.array([REASONS[k] for k in kind])),
        issued_on=pl.Series(issued),
        contact=pl.lit(CONTACTS[country][1]),
        warning_markers=pl.Series(_markers(ids, kind)),
    )


# Officer-safety markers by alert type: (share of alerts with markers, markers to draw from).
_MARKERS = {
    "arrest": (0.35, ("armed", "violent", "drugs", "escape_risk")),
    "missing": (0.25, ("suicidal",)),
    "specific_check": (0.2, ("armed", "drugs")),
}


def _markers(alert_ids: Strs, kinds: Strs) -> Strs:
    """Markers derived from the alert id (no draw from ``rng``: other columns stay the same)."""
    out = []
    for alert_id, kind in zip(alert_ids.tolist(), kinds.tolist(), strict=True):
        share, options = _MARKERS.get(kind, (0.0, ()))
        h = zlib.crc32(alert_id.encode())
        if (h % 1000) / 1000 >= share:
            out.append("")
            continue
        picked = [m for i, m in enumerate(options) if (h >> (10 + i)) & 1] or [options[0]]
        out.append(";".join(picked))
    return np.array(out, dtype=str)


def police_records(
    rng: np.random.Generator, country: Country, population: pl.DataFrame, n: int
) -> pl.DataFrame:
    """``n`` records, 85% of them on people of the population register."""
    who, known = _person_sample(rng, country, population, n, known=0.85)
    birth = np.array([b[:4] + "-12-31" for b in who["birth_date"].to_list()], dtype="datetime64[D]")
    earliest = birth.astype(np.int64) + 14 * 365
    recorded = np.maximum(_REF - rng.integers(0, 10 * 365, n), earliest)
    nid = np.where(known & (rng.random(n) < 0.9), who["national_id"].to_numpy().astype(str), "")
    return who.drop("family_name_prefix", "nationality").with_columns(
        record_id=pl.Series(_ids(country.value, "PR", _dates(recorded).astype("U4"), n)),
        national_id=pl.Series(nid),
        category=pl.Series(_weighted(rng, CATEGORIES, n)),
        recorded_on=pl.Series(_dates(recorded)),
    )
