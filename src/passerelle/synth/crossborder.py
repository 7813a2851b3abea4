"""The cross-border pool: people registered in two countries.

Cross-border workers and people who moved appear in the population register
of their home country and of a neighbour, written the way each register writes
names: the NL register keeps "van der" apart from "Berg", BE merges it
("Vanderberg") or capitalises it ("Van der Berg"), German umlauts are
transliterated abroad (Müller → Mueller / Muller), second given names get
dropped or reordered, and one register may not know the day of birth.

The pool is a stream of blocks derived only from the seed, so every country
sees the same people whatever it generates; country C holds the first
``round(CROSS_BORDER_SHARE * persons)`` pool people whose countries include C.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from passerelle.domain.countries import Country
from passerelle.domain.names import merge_particles, split_particles, strip_diacritics
from passerelle.synth import people
from passerelle.synth.idgen import (
    BSN_SPACE,
    Strs,
    be_nn,
    de_idnr,
    lu_matricule,
    nl_bsn,
    rank_within,
)

CROSS_BORDER_SHARE = 0.02
BLOCK = 1024
_TAG = 0x504F4F4C
HOMES = [Country.BE, Country.NL, Country.LU, Country.DE]
HOME_WEIGHTS = [0.3, 0.3, 0.15, 0.25]
NEIGHBOURS = {
    Country.BE: ([Country.NL, Country.LU, Country.DE], [0.4, 0.3, 0.3]),
    Country.NL: ([Country.BE, Country.DE], [0.55, 0.45]),
    Country.LU: ([Country.BE, Country.DE, Country.NL], [0.4, 0.4, 0.2]),
    Country.DE: ([Country.NL, Country.BE, Country.LU], [0.45, 0.35, 0.2]),
}


def pool_size(persons: int) -> int:
    return round(CROSS_BORDER_SHARE * persons)


@cache
def _block(seed: int, b: int) -> pl.DataFrame:
    rng = np.random.Generator(np.random.PCG64([seed, _TAG, b]))
    home = np.array(HOMES)[rng.choice(4, BLOCK, p=HOME_WEIGHTS)]
    other = np.empty(BLOCK, dtype="U2")
    groups = np.empty(BLOCK, dtype="U12")
    for h in HOMES:
        rows = np.flatnonzero(home == h.value)
        options, weights = NEIGHBOURS[h]
        other[rows] = np.array(options)[rng.choice(len(options), len(rows), p=weights)]
        groups[rows] = people.draw_groups(rng, h, len(rows))
    sexes = np.where(rng.random(BLOCK) < 0.5, "M", "F")
    given = np.empty(BLOCK, dtype=object)
    family = np.empty(BLOCK, dtype=object)
    prefix = np.empty(BLOCK, dtype=object)
    nationality = np.empty(BLOCK, dtype=object)
    birth_place = np.empty(BLOCK, dtype=object)
    for h in HOMES:
        rows = np.flatnonzero(home == h.value)
        g, f, p = people.draw_names(rng, h, groups[rows], sexes[rows])
        given[rows], family[rows], prefix[rows] = g, f, p
        nationality[rows] = people.draw_nationality(rng, h, groups[rows])
        birth_place[rows] = people.draw_birth_places(rng, h, groups[rows])
    ids = de_idnr(rng, 2 * BLOCK)
    pool_id = np.arange(b * BLOCK, (b + 1) * BLOCK, dtype=np.int64)
    return pl.DataFrame({
        "pool_id": pool_id,
        "home": home, "other": other, "group": groups, "sex": sexes,
        "given_names": given.astype(str), "family_name": family.astype(str),
        "family_name_prefix": prefix.astype(str), "nationality": nationality.astype(str),
        "birth_place": birth_place.astype(str),
        "birth_days": people.draw_birth_dates(rng, BLOCK, min_age=18),
        "day_unknown": rng.random(BLOCK) < 0.1,
        "drop_second": rng.random(BLOCK) < 0.4,
        "swap": rng.random(BLOCK) < 0.1,
        "spell": rng.random(BLOCK),
        "bsn": nl_bsn((pool_id * 1_234_567 + 4242) % BSN_SPACE, rng),
        "idnr_a": ids[:BLOCK], "idnr_b": ids[BLOCK:],
    })  # fmt: skip


@dataclass(frozen=True)
class Pool:
    frame: pl.DataFrame  # the stream, long enough for every country asked for
    seed: int

    def members(self, country: Country, k: int) -> pl.DataFrame:
        has = (pl.col("home") == country.value) | (pl.col("other") == country.value)
        return self.frame.filter(has).head(k)


def pool_stream(seed: int, needs: dict[Country, int]) -> Pool:
    """Enough pool blocks to give each country its ``needs`` members, with national ids."""
    blocks: list[pl.DataFrame] = []
    while True:
        frame = pl.concat(blocks) if blocks else None
        if frame is not None and all(
            frame.filter((pl.col("home") == c.value) | (pl.col("other") == c.value)).height >= k
            for c, k in needs.items()
        ):
            break
        blocks.append(_block(seed, len(blocks)))
    return Pool(_with_ids(frame), seed)


def _idnr(frame: pl.DataFrame) -> Strs:
    a, b = frame["idnr_a"].to_numpy().astype(str), frame["idnr_b"].to_numpy().astype(str)
    seen: set[str] = set()
    out = []
    for x, y in zip(a, b, strict=True):
        pick = x if x not in seen else y
        if pick in seen:  # pragma: no cover - two collisions in a row
            raise RuntimeError("IdNr collision in the cross-border pool")
        seen.add(pick)
        out.append(pick)
    return np.array(out)


def unknown_day_in(frame: pl.DataFrame) -> Strs:
    """The country whose register lacks the day of birth ('' when both know it)."""
    home, other = frame["home"].to_numpy(), frame["other"].to_numpy()
    where = np.where(other == "LU", home, other)
    return np.where(frame["day_unknown"].to_numpy() & (where != "LU"), where, "")


def _with_ids(frame: pl.DataFrame) -> pl.DataFrame:
    years, months, days = people.date_parts(frame["birth_days"].to_numpy())
    unknown = unknown_day_in(frame)
    home, other = frame["home"].to_numpy(), frame["other"].to_numpy()
    male = frame["sex"].to_numpy() == "M"
    be_day = np.where(unknown == "BE", 0, days)
    key = (years * 10_000 + months * 100 + be_day) * 2 + male
    in_be = (home == "BE") | (other == "BE")
    rank = np.zeros(len(frame), dtype=np.int64)
    rank[in_be] = rank_within(key[in_be])
    be_serial = np.where(male, 997, 996) - 2 * rank
    in_lu = (home == "LU") | (other == "LU")
    lu_key = years * 10_000 + months * 100 + days
    rank[:] = 0
    rank[in_lu] = rank_within(lu_key[in_lu])
    return frame.with_columns(
        id_BE=pl.Series(be_nn(years, months, be_day, be_serial)),
        id_LU=pl.Series(lu_matricule(years, months, days, 999 - rank)),
        id_NL=frame["bsn"],
        id_DE=pl.Series(_idnr(frame)),
    )


def _family_in(country: str, home: str, prefix: str, name: str, spell: float) -> tuple[str, str]:
    if country == "NL":
        if prefix:
            return prefix, name
        if home != "NL":
            name = name if home != "DE" or spell < 0.4 else _transliterate(name, spell)
            found, rest = split_particles(name)
            return (found.lower(), rest) if found else ("", name)
        return "", name
    if prefix:
        if country == "BE":
            merged = merge_particles(prefix, name)
            return "", merged if spell < 0.5 else f"{prefix[:1].upper()}{prefix[1:]} {name}"
        return "", f"{prefix} {name}"
    if home == "DE" and country != "DE":
        return "", _transliterate(name, spell)
    return "", name


def _transliterate(name: str, spell: float) -> str:
    if spell < 0.2:
        return name
    german = name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return german if spell < 0.8 else strip_diacritics(name).replace("ß", "ss")


def registered(pool: Pool, country: Country, k: int) -> pl.DataFrame:
    """The population rows of the first ``k`` pool members in ``country``'s register."""
    m = pool.members(country, k)
    c = country.value
    rows: dict[str, list[str]] = {
        k: [] for k in ("family_name", "family_name_prefix", "given_names")
    }
    for r in m.iter_rows(named=True):
        foreign = r["home"] != c
        prefix, family = (
            _family_in(c, r["home"], r["family_name_prefix"], r["family_name"], r["spell"])
            if foreign or c != "NL"
            else (r["family_name_prefix"], r["family_name"])
        )
        given = r["given_names"].split()
        if foreign and len(given) > 1:
            given = (
                given[:1] if r["drop_second"] else given[1::-1] + given[2:] if r["swap"] else given
            )
        if foreign and c != "DE" and r["group"] in ("turkish", "polish"):
            given = [strip_diacritics(g) for g in given]
        rows["family_name"].append(family)
        rows["family_name_prefix"].append(prefix)
        rows["given_names"].append(" ".join(given))
    birth = people.iso_dates(m["birth_days"].to_numpy())
    birth = np.where(unknown_day_in(m) == c, birth.astype("U7"), birth)
    rng = np.random.Generator(np.random.PCG64([pool.seed, _TAG, k, ord(c[0]), ord(c[1])]))
    address = people.draw_addresses(rng, country, m.height)
    return pl.DataFrame({
        "national_id": m[f"id_{c}"], **rows, "birth_date": birth, "sex": m["sex"],
        "nationality": m["nationality"], "birth_place": m["birth_place"], **address,
        "pool_id": m["pool_id"],
    })  # fmt: skip


def cross_border_truth(seed: int, persons_by_country: dict[Country, int]) -> pl.DataFrame:
    """Ground truth for matching: (pool_id, country, national_id) of every pool registration."""
    needs = {Country(c): pool_size(n) for c, n in persons_by_country.items()}
    pool = pool_stream(seed, needs)
    parts = [
        pool.members(c, k).select(
            "pool_id",
            pl.lit(c.value).alias("country"),
            pl.col(f"id_{c.value}").alias("national_id"),
        )
        for c, k in needs.items()
    ]
    return pl.concat(parts).sort("pool_id", "country")
