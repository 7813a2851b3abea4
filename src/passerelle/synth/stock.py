"""The name, address and vehicle stock the synthetic registers draw from.

The CSV/JSON files in ``stock/`` list names in rough order of frequency; a
name's weight is ``1 / (rank + 5)`` within its country and community, and each
community has a share of each country's population (``GROUP_SHARES``). Names
of migrant communities (``*`` rows) are shared by all countries and carry
transliteration variants (Mohamed|Mohammed|Muhammad, Öztürk|Oeztuerk|Ozturk).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

from passerelle.domain.countries import Country

GROUP_SHARES: dict[Country, dict[str, float]] = {
    Country.BE: {"native": 0.84, "moroccan": 0.05, "turkish": 0.03, "italian": 0.04,
                 "polish": 0.015, "portuguese": 0.005, "arabic": 0.02},
    Country.NL: {"native": 0.86, "moroccan": 0.04, "turkish": 0.04, "polish": 0.02,
                 "arabic": 0.02, "italian": 0.01, "portuguese": 0.01},
    Country.LU: {"native": 0.56, "french": 0.10, "portuguese": 0.19, "italian": 0.05,
                 "polish": 0.02, "moroccan": 0.02, "turkish": 0.01, "arabic": 0.03},
    Country.DE: {"native": 0.82, "turkish": 0.07, "polish": 0.03, "arabic": 0.03,
                 "italian": 0.02, "moroccan": 0.02, "portuguese": 0.01},
}  # fmt: skip
GROUP_NATIONALITY = {"moroccan": "MA", "turkish": "TR", "polish": "PL", "portuguese": "PT",
                     "italian": "IT", "arabic": "SY", "french": "FR"}  # fmt: skip

IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("passerelle.synth").joinpath("stock").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class NamePool:
    """Names of one community (and sex): spellings, particles, weights."""

    primary: StrArray
    prefix: StrArray
    weights: npt.NDArray[np.float64]
    spellings: list[tuple[str, ...]]

    def draw(self, rng: np.random.Generator, n: int) -> IntArray:
        return rng.choice(len(self.primary), size=n, p=self.weights).astype(np.int64)

    def spell(self, rng: np.random.Generator, idx: IntArray, variant_rate: float) -> StrArray:
        """The spelling of each drawn name: the main one, or a variant at ``variant_rate``."""
        out = self.primary[idx].copy()
        use = rng.random(len(idx)) < variant_rate
        for i in np.flatnonzero(use):
            options = self.spellings[idx[i]]
            if len(options) > 1:
                out[i] = options[1 + int(rng.integers(len(options) - 1))]
        return out


def _pool(rows: list[dict[str, str]]) -> NamePool:
    weights = np.array([1.0 / (rank + 5) for rank in range(len(rows))])
    return NamePool(
        primary=np.array([r["name"] for r in rows]),
        prefix=np.array([r.get("prefix", "") or "" for r in rows]),
        weights=weights / weights.sum(),
        spellings=[(r["name"], *filter(None, r["variants"].split("|"))) for r in rows],
    )


@cache
def family_pool(country: Country, group: str) -> NamePool:
    owner = country.value if group in ("native", "french") else "*"
    rows = [r for r in _rows("family_names.csv") if r["country"] == owner and r["group"] == group]
    return _pool(rows)


@cache
def given_pool(country: Country, group: str, sex: str) -> NamePool:
    owner, grp = (country.value, "native") if group in ("native", "french") else ("*", group)
    rows = [
        r
        for r in _rows("given_names.csv")
        if r["country"] == owner and r["group"] == grp and r["sex"] == sex
    ]
    return _pool(rows)


@dataclass(frozen=True)
class Addresses:
    city: StrArray
    postcode: StrArray
    street: StrArray
    weights: npt.NDArray[np.float64]


@cache
def addresses(country: Country) -> Addresses:
    """One entry per (street, postcode), weighted by the town's size."""
    city, postcode, street, weight = [], [], [], []
    for r in _rows("addresses.csv"):
        if r["country"] != country.value:
            continue
        streets = r["streets"].split("|")
        for s in streets:
            city.append(r["city"])
            postcode.append(r["postcode"])
            street.append(s)
            weight.append(float(r["weight"]) / len(streets))
    w = np.array(weight)
    return Addresses(np.array(city), np.array(postcode), np.array(street), w / w.sum())


@cache
def places() -> dict[str, list[str]]:
    text = (
        resources.files("passerelle.synth")
        .joinpath("stock")
        .joinpath("places.json")
        .read_text("utf-8")
    )
    data: dict[str, list[str]] = json.loads(text)
    return data


@dataclass(frozen=True)
class Makes:
    make: StrArray
    wmi: StrArray
    models: list[list[str]]
    weights: npt.NDArray[np.float64]


@cache
def makes() -> Makes:
    rows = _rows("vehicles.csv")
    w = np.array([float(r["weight"]) for r in rows])
    return Makes(
        make=np.array([r["make"] for r in rows]),
        wmi=np.array([r["wmi"] for r in rows]),
        models=[r["models"].split("|") for r in rows],
        weights=w / w.sum(),
    )
