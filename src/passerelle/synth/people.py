"""Synthetic people: names, birth dates, birthplaces and addresses, vectorised."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from passerelle.domain.countries import Country
from passerelle.synth import stock
from passerelle.synth.idgen import Ints, Strs, ascii_to_str, isin

REFERENCE_DATE = dt.date(2025, 12, 31)  # synthetic "today": output never depends on the clock
_REF = np.datetime64(REFERENCE_DATE.isoformat(), "D")
# Share of the population per 5-year age band, 0–4 … 95–99 (roughly the EU pyramid).
AGE_BANDS = np.array([5.0, 5.2, 5.3, 5.4, 5.8, 6.2, 6.4, 6.5, 6.6, 7.0,
                      7.4, 7.3, 6.8, 6.0, 5.2, 4.2, 3.0, 1.8, 0.8, 0.3])  # fmt: skip
NL_POSTCODE_LETTERS = b"ABCDEFGHJKLMNPRSTVWXZ"


def join_words(*columns: Strs) -> Strs:
    """Join string arrays with single spaces, skipping empty strings."""
    frame = pl.DataFrame([pl.Series(f"c{i}", c, dtype=pl.String) for i, c in enumerate(columns)])
    exprs = [pl.when(pl.col(c) != "").then(pl.col(c)) for c in frame.columns]
    joined = frame.select(pl.concat_str(exprs, separator=" ", ignore_nulls=True))
    return joined.to_series().fill_null("").to_numpy().astype(str)


def draw_birth_dates(rng: np.random.Generator, n: int, min_age: int = 0) -> Ints:
    """Birth dates as days since 1970, following ``AGE_BANDS`` (older than ``min_age``)."""
    weights = AGE_BANDS.copy()
    weights[: min_age // 5] = 0
    band = rng.choice(len(weights), n, p=weights / weights.sum())
    low = np.maximum(band * 5, min_age) * 365.25
    days = (low + rng.random(n) * ((band * 5 + 5) * 365.25 - low)).astype(np.int64)
    return (_REF - days).astype(np.int64)


def date_parts(days: Ints) -> tuple[Ints, Ints, Ints]:
    d = days.astype("datetime64[D]")
    years = d.astype("datetime64[Y]").astype(np.int64) + 1970
    months = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    mday = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return years, months, mday


def iso_dates(days: Ints) -> Strs:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D")


def draw_groups(rng: np.random.Generator, country: Country, n: int) -> Strs:
    shares = stock.GROUP_SHARES[country]
    p = np.array(list(shares.values()))
    return np.array(list(shares))[rng.choice(len(shares), n, p=p / p.sum())]


def draw_sexes(rng: np.random.Generator, country: Country, n: int) -> Strs:
    x_share = 0.0005 if country in (Country.NL, Country.DE) else 0.0
    return np.array(["M", "F", "X"])[rng.choice(3, n, p=[0.49, 0.51 - x_share, x_share])]


def _feminine(names: Strs) -> Strs:
    """Polish surnames take the feminine ending: Kowalski → Kowalska."""
    out = [str(v) for v in names]
    for i, v in enumerate(out):
        for ending in ("ski", "cki", "dzki"):
            if v.endswith(ending):
                out[i] = v[:-1] + "a"
                break
    return np.array(out, dtype=str)


def draw_names(
    rng: np.random.Generator, country: Country, groups: Strs, sexes: Strs
) -> tuple[Strs, Strs, Strs]:
    """(given names, family name, family name prefix) for each person."""
    n = len(groups)
    given = [np.full(n, "", dtype=object) for _ in range(3)]
    family = np.full(n, "", dtype=object)
    prefix = np.full(n, "", dtype=object)
    count = rng.choice([1, 2, 3], n, p=[0.45, 0.4, 0.15])
    name_sex = np.where(sexes == "X", np.where(rng.random(n) < 0.5, "M", "F"), sexes)
    for group in np.unique(groups):
        rate = 0.1 if group in ("native", "french") else 0.35
        rows = np.flatnonzero(groups == group)
        fam = stock.family_pool(country, str(group))
        idx = fam.draw(rng, len(rows))
        family[rows] = fam.spell(rng, idx, rate)
        prefix[rows] = fam.prefix[idx]
        if group == "polish":
            fem = rows[name_sex[rows] == "F"]
            family[fem] = _feminine(family[fem].astype(str))
        for sex in ("M", "F"):
            sub = rows[name_sex[rows] == sex]
            pool = stock.given_pool(country, str(group), sex)
            previous = None
            for k in range(3):
                idx = pool.draw(rng, len(sub))
                if previous is not None:
                    idx = np.where(idx == previous, (idx + 1) % len(pool.primary), idx)
                names = pool.spell(rng, idx, rate)
                given[k][sub] = np.where(count[sub] > k, names, "")
                previous = idx
    return join_words(*(g.astype(str) for g in given)), family.astype(str), prefix.astype(str)


def draw_nationality(rng: np.random.Generator, country: Country, groups: Strs) -> Strs:
    foreign = np.array([stock.GROUP_NATIONALITY.get(str(g), country.value) for g in groups])
    naturalised = rng.random(len(groups)) < 0.5
    return np.where((groups == "french") | ~naturalised, foreign, country.value)


def draw_birth_places(rng: np.random.Generator, country: Country, groups: Strs) -> Strs:
    places = stock.places()
    out = np.empty(len(groups), dtype=object)
    born_here = (groups == "native") | (rng.random(len(groups)) < 0.45)
    for key in np.unique(np.where(born_here, country.value, groups)):
        rows = np.flatnonzero(np.where(born_here, country.value, groups) == key)
        options = np.array(places[str(key)])
        out[rows] = options[rng.integers(0, len(options), len(rows))]
    return out.astype(str)


def draw_addresses(rng: np.random.Generator, country: Country, n: int) -> dict[str, Strs]:
    book = stock.addresses(country)
    pick = rng.choice(len(book.street), n, p=book.weights)
    number = (1 + rng.geometric(1 / 40, n)).astype(str)
    suffix = np.where(rng.random(n) < 0.05, np.array(list("ABC"))[rng.integers(0, 3, n)], "")
    if country == Country.DE:
        suffix = np.char.lower(suffix)
    postcode = book.postcode[pick]
    if country == Country.NL:
        table = np.frombuffer(NL_POSTCODE_LETTERS, dtype=np.uint8)
        letters = ascii_to_str(table[rng.integers(0, len(table), (n, 2))])
        letters = np.where(isin(letters, ["SA", "SD", "SS"]), "AB", letters)
        postcode = np.char.add(np.char.add(postcode, " "), letters)
    return {
        "address_street": book.street[pick],
        "address_number": np.char.add(number, suffix),
        "address_postcode": postcode,
        "address_city": book.city[pick],
        "address_country": np.full(n, country.value),
    }
