"""The vectorised pair scoring gives, pair for pair, the levels and score of ``score_pair``."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from passerelle.domain.countries import Country
from passerelle.matching import linkage
from passerelle.matching.estimate import levels_of
from passerelle.matching.linkage import Side, candidate_pairs, prepare, score_pair
from passerelle.synth import generate_country

COLUMNS = [
    "given_names", "family_name", "family_name_prefix", "birth_date", "sex", "nationality",
    "national_id", "address_street", "address_number", "address_postcode", "address_city",
]  # fmt: skip
EDGE = [  # initials, missing fields, swapped names, day-month swap, partial dates, ids
    {"given_names": "J", "family_name": "Smit", "birth_date": "1980-04-12", "sex": "M"},
    {"given_names": "Jan", "family_name": "Smit", "birth_date": "1980-12-04", "sex": "X"},
    {"given_names": "Smit", "family_name": "Jan", "birth_date": "1981-04-12"},
    {"given_names": "Jan", "family_name": "Smith", "birth_date": "1980-04"},
    {"given_names": "Jan", "family_name": "", "birth_date": "1980", "national_id": "1234567"},
    {"given_names": "", "family_name": "Smit", "national_id": "1234576", "nationality": "NL"},
    {"given_names": "Jan", "family_name": "Smid", "national_id": "85073003328"},
    {"given_names": "Jan", "family_name": "Smit", "national_id": "111222333",
     "address_street": "Kerkstraat", "address_number": "1", "address_postcode": "1000",
     "address_city": "Brussel", "nationality": "BE"},
    {"given_names": "Jean", "family_name": "de Smit", "address_street": "Kerkstr",
     "address_postcode": "1001", "address_city": "Bruxelles", "nationality": "be"},
    {"given_names": "Jürgen", "family_name": "Müller", "birth_date": "1969-07-01"},
    {"given_names": "Anna Maria", "family_name": "van den Berg", "birth_date": "1975-03-03"},
]  # fmt: skip


def _side(rows: list[dict[str, str]]) -> Side:
    frame = pl.DataFrame(
        [{"id": str(n), **{c: r.get(c) or None for c in COLUMNS}} for n, r in enumerate(rows)],
        schema={"id": pl.String, **dict.fromkeys(COLUMNS, pl.String)},
    )
    return prepare(frame, {}, "id")


def _people(country: Country, n: int) -> list[dict[str, str]]:
    frame = generate_country(country, n, seed=11)["population"]
    present = [c for c in COLUMNS if c in frame.columns]
    return [
        {k: str(v) for k, v in r.items() if v is not None}
        for r in frame.select(present).iter_rows(named=True)
    ]


def _assert_same(left: Side, right: Side, i: np.ndarray, j: np.ndarray) -> int:
    odds, levels = linkage._score(left, right, i, j, levels=True)
    for k in range(len(i)):
        _, explanation = score_pair(left, int(i[k]), right, int(j[k]))
        assert levels[k] == levels_of(explanation), (k, explanation)
        assert odds[k] == pytest.approx(explanation["log2_odds"], abs=1e-3)
    return len(i)


def test_vectorised_scores_equal_the_single_pair_matcher() -> None:
    rng = random.Random(3)
    people = _people(Country.NL, 400) + _people(Country.BE, 400)
    # Variants of some people on the other side, so that many pairs are near-matches.
    variants = []
    for row in rng.sample(people, 300):
        row = dict(row)
        field = rng.choice(["given_names", "family_name", "birth_date", "address_street"])
        value = row.get(field) or ""
        if value and field == "birth_date" and len(value) == 10:
            row[field] = f"{value[:5]}{value[8:]}-{value[5:7]}"
        elif value:
            k = rng.randrange(len(value))
            row[field] = value[:k] + value[k + 1 :]
        variants.append(row)
    left, right = _side(EDGE + people[:400] + variants), _side(EDGE + people[400:] + people[:200])
    pairs = candidate_pairs(left, right)
    i = pairs["row"].to_numpy().astype(np.int64)
    j = pairs["row_r"].to_numpy().astype(np.int64)
    assert linkage._columns(left).simple[i].any() and not linkage._columns(left).simple.all()
    compared = _assert_same(left, right, i, j)
    ri = np.array([rng.randrange(len(left.ids)) for _ in range(2000)], dtype=np.int64)
    rj = np.array([rng.randrange(len(right.ids)) for _ in range(2000)], dtype=np.int64)
    compared += _assert_same(left, right, ri, rj)
    grid = np.arange(len(EDGE), dtype=np.int64)
    compared += _assert_same(left, right, np.repeat(grid, len(EDGE)), np.tile(grid, len(EDGE)))
    assert compared > 3000


def test_link_keeps_the_explanation_of_every_pair_and_its_score() -> None:
    left, right = _side(EDGE), _side(EDGE)
    pairs = list(linkage.link(left, right, threshold=0.5))
    assert pairs
    for p in pairs:
        score, explanation = score_pair(left, int(p.left_id), right, int(p.right_id))
        assert p.score == score and p.explanation == explanation and score >= 0.5
