"""Synthetic registers: determinism, validity, hits and the cross-border pool."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from stdnum import luhn, verhoeff
from stdnum.iso7064 import mod_11_10

from passerelle.domain.countries import Country
from passerelle.domain.documents import document_check_digit
from passerelle.domain.names import normalise_name
from passerelle.exc import InvalidInput
from passerelle.registers.schema import DATASETS, validate_row
from passerelle.storage.tables import NATURAL_KEYS
from passerelle.synth import (
    DATASET_ORDER,
    cross_border_truth,
    generate_country,
    idgen,
    write_datasets,
)

SEED = 20251
SIZE = 3000


@cache
def frames(country: Country, persons: int = SIZE, seed: int = SEED) -> dict[str, pl.DataFrame]:
    return generate_country(country, persons, seed)


@pytest.mark.parametrize("country", list(Country))
def test_same_seed_same_frames(country: Country) -> None:
    again = generate_country(country, SIZE, SEED)
    for name in DATASET_ORDER:
        assert again[name].equals(frames(country)[name]), name
    other = generate_country(country, SIZE, SEED + 1)
    assert not other["population"].equals(frames(country)["population"])


@pytest.mark.parametrize("country", list(Country))
def test_every_row_validates_and_keys_are_unique(country: Country) -> None:
    for name, frame in frames(country).items():
        assert frame.columns == list(DATASETS[name].names)
        assert all(dtype == pl.String for dtype in frame.dtypes)
        keys = NATURAL_KEYS[name]
        seen: set[tuple[str, ...]] = set()
        for row in frame.iter_rows(named=True):
            try:
                clean = validate_row(name, country, row)
            except InvalidInput as e:  # pragma: no cover - shows the failing row
                pytest.fail(f"{name}: {e.params} in {row}")
            key = tuple(str(clean[k]) for k in keys)
            assert key not in seen, (name, key)
            seen.add(key)


@pytest.mark.parametrize("country", list(Country))
def test_sizes(country: Country) -> None:
    f = frames(country)
    assert f["population"].height == SIZE
    assert f["wanted_persons"].height == round(0.005 * SIZE)
    assert f["vehicles"].height == round(0.45 * SIZE)
    assert f["stolen_vehicles"].height == round(0.01 * f["vehicles"].height)
    assert 1.0 * SIZE < f["documents"].height < 1.4 * SIZE
    assert f["police_records"].height == round(0.03 * SIZE)
    lost = f["documents"].filter(pl.col("status") != "valid")
    assert lost.height > 0 and (lost["reported_on"] != "").all()


def _person_key(frame: pl.DataFrame) -> set[tuple[str, str, str]]:
    return set(zip(frame["given_names"], frame["family_name"], frame["birth_date"], strict=True))


@pytest.mark.parametrize("country", list(Country))
def test_alerts_and_records_hit_the_population(country: Country) -> None:
    f = frames(country)
    people = _person_key(f["population"])
    wanted = _person_key(f["wanted_persons"])
    records = _person_key(f["police_records"])
    assert 0.3 < len(wanted & people) / len(wanted) < 0.9
    assert len(records & people) / len(records) > 0.6
    ids = set(f["population"]["national_id"])
    assert set(f["vehicles"]["holder_national_id"]) <= ids
    assert set(f["documents"]["holder_national_id"]) <= ids
    assert set(f["stolen_vehicles"]["plate"]) <= set(f["vehicles"]["plate"])


def test_formats_look_national() -> None:
    be = frames(Country.BE)["vehicles"]["plate"]
    assert be.str.contains(r"^[12]-[A-Z]{3}-\d{3}$").any()
    assert be.str.contains(r"^[A-Z]{3}-\d{3}$").any()
    nl = frames(Country.NL)["vehicles"]["plate"]
    assert nl.str.replace_all(r"[A-Z]", "X").str.replace_all(r"\d", "9").n_unique() >= 5
    de = frames(Country.DE)["vehicles"]["plate"]
    districts = set(de.str.extract(r"^([A-ZÄÖÜ]+)-", 1))
    assert {"AC", "DN", "HS"} <= districts
    nl_prefixes = set(frames(Country.NL)["population"]["family_name_prefix"])
    assert {"van", "de", "van der", "van den"} <= nl_prefixes
    de_names = set(frames(Country.DE)["population"]["family_name"])
    assert any(ch in "".join(de_names) for ch in "äöüß")
    given = " ".join(frames(Country.BE)["population"]["given_names"])
    assert sum(v in given for v in ("Mohamed", "Mohammed", "Muhammad", "Mohamad")) >= 2


def test_cross_border_pool() -> None:
    persons = {Country.BE: 10_000, Country.NL: 10_000, Country.DE: 10_000}
    truth = cross_border_truth(SEED, persons)
    assert truth.columns == ["pool_id", "country", "national_id"]
    for c, n in persons.items():
        part = truth.filter(pl.col("country") == c.value)
        assert part.height == round(0.02 * n)
        population = generate_country(c, n, SEED)["population"]
        assert set(part["national_id"]) <= set(population["national_id"])
    # The pool does not depend on which countries are asked about.
    alone = cross_border_truth(SEED, {Country.BE: 10_000})
    assert alone.equals(truth.filter(pl.col("country") == "BE"))
    shared = truth.group_by("pool_id").agg(pl.col("country").n_unique().alias("n"))
    assert shared.filter(pl.col("n") >= 2).height > 50


def test_cross_border_spelling_variants() -> None:
    persons = {Country.BE: 10_000, Country.NL: 10_000, Country.DE: 10_000}
    truth = cross_border_truth(SEED, persons)
    rows = []
    for c, n in persons.items():
        pop = generate_country(c, n, SEED)["population"].with_columns(country=pl.lit(c.value))
        rows.append(truth.join(pop, on=["country", "national_id"]))
    both = pl.concat(rows)
    pairs = both.join(both, on="pool_id", suffix="_b").filter(
        pl.col("country") < pl.col("country_b")
    )
    assert pairs.height > 50
    assert (pairs["birth_date"].str.slice(0, 7) == pairs["birth_date_b"].str.slice(0, 7)).all()
    differ = pairs.filter(
        (pl.col("family_name") != pl.col("family_name_b"))
        | (pl.col("family_name_prefix") != pl.col("family_name_prefix_b"))
        | (pl.col("given_names") != pl.col("given_names_b"))
    )
    assert differ.height > 0
    keys = [
        (
            normalise_name(f"{r['family_name_prefix']} {r['family_name']}").replace(" ", ""),
            normalise_name(f"{r['family_name_prefix_b']} {r['family_name_b']}").replace(" ", ""),
        )
        for r in pairs.iter_rows(named=True)
    ]
    assert any(a == b for a, b in keys)  # most keep a matching key ...
    assert any(
        r["family_name_prefix"] != r["family_name_prefix_b"] for r in pairs.iter_rows(named=True)
    )


def test_vectorised_check_digits_agree_with_stdnum() -> None:
    rng = np.random.default_rng(5)
    values = rng.integers(10**10, 10**11, 300)
    digits = idgen.digits_of(values, 11)
    text = [str(v) for v in values]
    assert [str(d) for d in idgen.luhn_digit(digits)] == [luhn.calc_check_digit(t) for t in text]
    assert [str(d) for d in idgen.verhoeff_digit(digits)] == [
        verhoeff.calc_check_digit(t) for t in text
    ]
    assert [str(d) for d in idgen.mod11_10_digit(digits[:, :10])] == [
        mod_11_10.calc_check_digit(t[:10]) for t in text
    ]
    codes = np.frombuffer(b"L898902C3ABCZ0123", dtype=np.uint8).astype(np.int64)[None, :]
    assert idgen.icao_digit(codes)[0] == document_check_digit("L898902C3ABCZ0123")
    assert list(idgen.rank_within(np.array([5, 1, 5, 5, 1]))) == [0, 0, 1, 2, 1]


def test_write_datasets_byte_identical(tmp_path: Path) -> None:
    f = frames(Country.LU)
    for fmt in ("csv", "parquet"):
        a = write_datasets(f, tmp_path / f"a-{fmt}", fmt)
        b = write_datasets(generate_country(Country.LU, SIZE, SEED), tmp_path / f"b-{fmt}", fmt)
        assert [p.name for p in a] == [f"{n}.{fmt}" for n in DATASET_ORDER]
        for x, y in zip(a, b, strict=True):
            assert x.read_bytes() == y.read_bytes()
    back = pl.read_csv(tmp_path / "a-csv" / "population.csv", infer_schema=False)
    assert back.height == SIZE


def test_progress_reports_every_person() -> None:
    seen: list[int] = []
    generate_country(Country.NL, 1000, 1, progress=seen.append)
    assert sum(seen) == 1000


@pytest.mark.parametrize("persons", [1, 7, 60])
def test_tiny_registers_are_valid(persons: int) -> None:
    for country in Country:
        for name, frame in generate_country(country, persons, 9).items():
            for row in frame.iter_rows(named=True):
                validate_row(name, country, row)
