"""The synthetic cross-border people are found across countries, with few false matches."""

from __future__ import annotations

import json

import polars as pl
import pytest

from passerelle.domain.countries import Country
from passerelle.matching import PersonQuery, find_person_matches
from passerelle.registers.sql import SqlRegisters
from passerelle.synth import cross_border_truth
from tests.matching.conftest import PERSONS, SEED

RECALL_AT_LEAST = 0.97
FALSE_MATCHES_PER_QUERY_AT_MOST = 0.01


def _query(row: dict[str, object]) -> PersonQuery:
    def s(name: str) -> str | None:
        value = row.get(name)
        return str(value) if value else None

    return PersonQuery(
        given_names=s("given_names"), family_name=s("family_name"),
        family_name_prefix=s("family_name_prefix"), birth_date=s("birth_date"),
        sex=s("sex"), nationality=s("nationality"),
    )  # fmt: skip


@pytest.fixture(scope="module")
def pairs() -> pl.DataFrame:
    truth = cross_border_truth(SEED, {c: PERSONS for c in Country})
    return (
        truth.group_by("pool_id")
        .agg(pl.col("country"), pl.col("national_id"))
        .filter(pl.col("country").list.len() == 2)
        .sort("pool_id")
    )


def test_cross_border_people_are_found_in_the_other_country(
    four_registers: dict[Country, SqlRegisters],
    synth_frames: dict[Country, dict[str, pl.DataFrame]],
    pairs: pl.DataFrame,
) -> None:
    people = {
        c: {r["national_id"]: r for r in f["population"].iter_rows(named=True)}
        for c, f in synth_frames.items()
    }
    found = missed = false = queries = 0
    for row in pairs.iter_rows(named=True):
        (a, b), (id_a, id_b) = row["country"], row["national_id"]
        for src, dst, src_id, dst_id in ((a, b, id_a, id_b), (b, a, id_b, id_a)):
            query = _query(people[Country(src)][src_id])
            matches = find_person_matches(four_registers[Country(dst)], "population", query)
            queries += 1
            top = matches[0].record["national_id"] if matches else None
            found += top == dst_id
            missed += top != dst_id
            false += sum(m.record["national_id"] != dst_id for m in matches)
    assert queries > 100
    assert found / queries >= RECALL_AT_LEAST, (found, missed)
    assert false / queries <= FALSE_MATCHES_PER_QUERY_AT_MOST, false


def test_people_of_one_country_only_are_not_matched_abroad(
    four_registers: dict[Country, SqlRegisters],
    synth_frames: dict[Country, dict[str, pl.DataFrame]],
    pairs: pl.DataFrame,
) -> None:
    pooled = {i for ids in pairs["national_id"].to_list() for i in ids}
    nl = synth_frames[Country.NL]["population"]
    sample = [r for r in nl.head(600).iter_rows(named=True) if r["national_id"] not in pooled]
    false = 0
    for row in sample:
        for dst in (Country.BE, Country.DE):
            false += len(find_person_matches(four_registers[dst], "population", _query(row)))
    assert len(sample) > 500
    assert false / (2 * len(sample)) <= FALSE_MATCHES_PER_QUERY_AT_MOST, false


def _strings(value: object) -> list[str]:
    """Every word of every string (keys included) in a JSON value, case-folded."""
    if isinstance(value, dict):
        return [w for k, v in value.items() for w in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [w for v in value for w in _strings(v)]
    if isinstance(value, str):
        return value.casefold().replace(",", " ").split()
    return [str(value)]


def test_explanations_never_carry_the_record_values(
    four_registers: dict[Country, SqlRegisters],
    synth_frames: dict[Country, dict[str, pl.DataFrame]],
) -> None:
    checked = 0
    for row in synth_frames[Country.BE]["population"].head(50).iter_rows(named=True):
        for m in find_person_matches(four_registers[Country.BE], "population", _query(row)):
            words = set(_strings(json.loads(json.dumps(m.explanation))))
            for key in ("given_names", "family_name", "birth_date", "national_id"):
                value = m.record.get(key)
                for part in str(value or "").casefold().split():
                    assert part not in words, key
            checked += 1
    assert checked >= 50
