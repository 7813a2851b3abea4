"""Realistic, deterministic synthetic registers for each country.

``generate_country`` builds the six datasets of one country's node for a
number of persons and a seed (same seed → identical frames, every row valid
under ``passerelle.registers.schema.validate_row``); ``cross_border_truth``
lists who in those registers is the same person; ``write_datasets`` writes
them as CSV or Parquet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from passerelle.domain.countries import Country
from passerelle.registers.schema import DATASETS
from passerelle.synth import documents, people, records
from passerelle.synth.crossborder import (
    cross_border_truth,
    pool_size,
    pool_stream,
    registered,
)
from passerelle.synth.idgen import (
    BSN_SPACE,
    Ints,
    Strs,
    be_nn,
    de_idnr,
    first_occurrence,
    isin,
    lu_matricule,
    nl_bsn,
    rank_within,
)

__all__ = ["DATASET_ORDER", "cross_border_truth", "generate_country", "write_datasets"]

DATASET_ORDER = (
    "population", "wanted_persons", "vehicles", "stolen_vehicles", "documents", "police_records",
)  # fmt: skip
_STREAMS = {"people": 1, "ids": 2, "vehicles": 3, "documents": 4, "alerts": 5, "order": 6}


def _rng(seed: int, country: Country, stream: str) -> np.random.Generator:
    tag = list(Country).index(country) + 1
    return np.random.Generator(np.random.PCG64([seed, tag, _STREAMS[stream]]))


def _national_ids(
    rng: np.random.Generator, country: Country, frame: pl.DataFrame, taken: Strs
) -> Strs:
    """Identifiers for bulk people that never collide with the pool's (``taken``)."""
    n = frame.height
    if country in (Country.BE, Country.LU):
        text = frame["birth_date"].to_list()
        years = np.array([int(t[:4]) for t in text], dtype=np.int64)
        months = np.array([int(t[5:7]) if len(t) > 4 else 0 for t in text], dtype=np.int64)
        days = np.array([int(t[8:10]) if len(t) > 7 else 0 for t in text], dtype=np.int64)
        if country == Country.LU:  # bulk serials count up from 000, the pool's down from 999
            return lu_matricule(
                years, months, days, rank_within(years * 10_000 + months * 100 + days)
            )
        female = (frame["sex"].to_numpy() == "F").astype(np.int64)
        rank = rank_within((years * 10_000 + months * 100 + days) * 2 + female)
        return be_nn(years, months, days, 2 * rank + 1 + female)
    if country == Country.NL:
        # Pool BSNs share the first 7 digits' space; drop any bulk value that meets one.
        out = nl_bsn(rng.choice(BSN_SPACE, n + len(taken) + 16, replace=False), rng)
        taken_heads = np.array([t[:7] for t in taken], dtype="U7")
        return out[~isin(out.astype("U7"), taken_heads)][:n]
    candidates = de_idnr(rng, n + n // 20 + len(taken) + 16)
    keep = first_occurrence(candidates) & ~isin(candidates, taken)
    return candidates[keep][:n]


def _bulk(rng: np.random.Generator, country: Country, n: int) -> pl.DataFrame:
    groups = people.draw_groups(rng, country, n)
    sexes = people.draw_sexes(rng, country, n)
    given, family, prefix = people.draw_names(rng, country, groups, sexes)
    birth = people.iso_dates(people.draw_birth_dates(rng, n)).astype("U10")
    if country != Country.LU:  # some migrants' registers never knew the day or month
        vague = (groups != "native") & (groups != "french") & (rng.random(n) < 0.01)
        cut = np.where(rng.random(n) < 0.5, 7, 4)
        birth = np.where(vague & (cut == 7), birth.astype("U7"), birth)
        birth = np.where(vague & (cut == 4), birth.astype("U4"), birth)
    return pl.DataFrame({
        "given_names": given, "family_name": family, "family_name_prefix": prefix,
        "birth_date": birth, "sex": sexes,
        "nationality": people.draw_nationality(rng, country, groups),
        "birth_place": people.draw_birth_places(rng, country, groups),
        **people.draw_addresses(rng, country, n),
    })  # fmt: skip


def _ages(frame: pl.DataFrame) -> Ints:
    years = frame["birth_date"].str.slice(0, 4).cast(pl.Int64).to_numpy()
    return people.REFERENCE_DATE.year - years


def generate_country(
    country: Country, persons: int, seed: int, progress: Callable[[int], None] | None = None
) -> dict[str, pl.DataFrame]:
    """All six datasets of ``country`` for ``persons`` people, deterministic for ``seed``."""
    country = Country(country)
    tick = progress or (lambda _: None)
    k = min(pool_size(persons), persons)
    cross = registered(pool_stream(seed, {country: k}), country, k).drop("pool_id")
    bulk = _bulk(_rng(seed, country, "people"), country, persons - k)
    ids = _national_ids(_rng(seed, country, "ids"), country, bulk, cross["national_id"].to_numpy())
    population = pl.concat([bulk.with_columns(national_id=pl.Series(ids)), cross], how="diagonal")
    population = population[_rng(seed, country, "order").permutation(persons)]
    tick(persons // 2)
    ages = _ages(population)
    fleet = records.vehicles(_rng(seed, country, "vehicles"), country, population, ages)
    stolen = records.stolen_vehicles(_rng(seed, country, "vehicles"), country, fleet)
    tick(persons // 5)
    docs = documents.documents(_rng(seed, country, "documents"), country, population, ages)
    tick(persons // 5)
    alerts_rng = _rng(seed, country, "alerts")
    grown = population.filter(pl.Series(ages >= 14))
    frames = {
        "population": population,
        "wanted_persons": records.wanted_persons(
            alerts_rng, country, grown, max(1, round(0.005 * persons))
        ),
        "vehicles": fleet,
        "stolen_vehicles": stolen,
        "documents": docs,
        "police_records": records.police_records(
            alerts_rng, country, grown, max(1, round(0.03 * persons))
        ),
    }
    out = {name: _as_strings(name, frames[name]) for name in DATASET_ORDER}
    tick(persons - persons // 2 - 2 * (persons // 5))
    return out


def _as_strings(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    columns = DATASETS[name].names
    return frame.select(pl.col(c).cast(pl.String).fill_null("") for c in columns)


def write_datasets(
    frames: dict[str, pl.DataFrame], out_dir: Path, fmt: Literal["csv", "parquet"]
) -> list[Path]:
    """Write ``<dataset>.csv`` or ``<dataset>.parquet`` files; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in frames.items():
        path = out_dir / f"{name}.{fmt}"
        if fmt == "csv":
            frame.write_csv(path)
        else:
            frame.write_parquet(path, compression="zstd")
        paths.append(path)
    return paths
