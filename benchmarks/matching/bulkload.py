"""Bulk loader for the latency benchmark: millions of synthetic NL persons straight into SQLite.

The importer validates and keys one row at a time (577 s for 1,000,000 persons on the
development machine), which rules out a 10,000,000-person register. This loader writes
the same table contents much faster, and stays honest about it:

* persons come from the synthetic generator's own bulk draw (``passerelle.synth._bulk``:
  the name, date and address stocks of ``passerelle synth``), in chunks of 1,000,000;
* national ids are valid BSNs (11-test), distinct over the whole register (the
  generator's own BSN space holds only 6,000,000);
* every derived column is computed by the importer's functions (``derive_keys``:
  ``normalise_name`` for ``name_key``, ``person_row_keys`` for the phonetic blocking
  keys), once per *distinct* family name and given names rather than once per row;
* a sample of every chunk is passed through the importer's ``validate_row`` +
  ``derive_keys`` and must give exactly the rows written (otherwise the load stops);
* the secondary indexes are dropped during the load and rebuilt after it, as a bulk
  load into any database does.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from passerelle.domain.countries import Country
from passerelle.domain.identifiers import is_valid_national_id
from passerelle.domain.names import normalise_name
from passerelle.matching.keys import PERSON_KEY_COLUMNS, person_row_keys
from passerelle.registers.importer import columns_of, derive_keys
from passerelle.registers.schema import validate_row
from passerelle.synth import _bulk, _rng

CHUNK = 1_000_000
SAMPLE = 500
_FAMILY_KEYS = ("family_cologne", "family_metaphone", "core_cologne")


def bsns(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct valid BSNs (9 digits, 11-test), in random order."""
    draws = rng.integers(10_000_000, 100_000_000, size=n + n // 4 + 64, dtype=np.int64)
    _, first = np.unique(draws, return_index=True)
    heads = draws[np.sort(first)]
    digits = (heads[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    check = (digits * np.arange(9, 1, -1)).sum(axis=1) % 11
    ok = check != 10
    values = heads[ok] * 10 + check[ok]
    if len(values) < n:  # pragma: no cover - 1/11 rejected, a quarter drawn extra
        raise RuntimeError("not enough distinct BSNs drawn")
    return [f"{v:09d}" for v in values[:n]]


def _mapped(values: pl.Series, fn: Any, name: str) -> pl.Series:
    """``fn`` applied once per distinct value of ``values`` (nulls stay null)."""
    distinct = values.drop_nulls().unique().to_list()
    mapping = {v: fn(v) for v in distinct}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String).alias(name)


def keyed_chunk(seed: int, n: int, ids: list[str]) -> pl.DataFrame:
    """One chunk of persons with every column the importer would store, in table order."""
    frame = _bulk(_rng(seed, Country.NL, "people"), Country.NL, n)
    frame = frame.with_columns(national_id=pl.Series(ids, dtype=pl.String))
    frame = frame.with_columns(  # validate_row: stripped, "" is unknown (NULL)
        pl.col(c).cast(pl.String).str.strip_chars().replace("", None) for c in frame.columns
    )
    family_key = pl.concat_str(
        [pl.col("family_name"), pl.col("family_name_prefix").fill_null("")], separator="\x1f"
    )
    frame = frame.with_columns(family_key.alias("__fk"))

    def family_keys(key: str) -> dict[str, str | None]:
        family, prefix = key.split("\x1f")
        row = {"family_name": family, "family_name_prefix": prefix or None, "given_names": ""}
        return {k: v for k, v in person_row_keys(row).items() if k in _FAMILY_KEYS}

    fam = {k: family_keys(k) for k in frame["__fk"].unique().to_list()}
    given = _mapped(
        frame["given_names"],
        lambda g: person_row_keys({"given_names": g, "family_name": ""})["given_cologne"],
        "given_cologne",
    )
    frame = frame.with_columns(
        _mapped(frame["family_name"], lambda f: normalise_name(f).replace(" ", ""), "name_key"),
        pl.col("birth_date").str.slice(0, 4).cast(pl.Int64).alias("birth_year"),
        *(
            pl.col("__fk")
            .replace_strict({k: v[col] for k, v in fam.items()}, return_dtype=pl.String)
            .alias(col)
            for col in _FAMILY_KEYS
        ),
        given,
    )
    return frame.select(*columns_of("population"), "name_key", "birth_year", *PERSON_KEY_COLUMNS)


def check_sample(frame: pl.DataFrame, rng: np.random.Generator) -> None:
    """Rows of the chunk must be exactly what the importer would store for them."""
    raw_columns = columns_of("population")
    for k in rng.choice(frame.height, min(SAMPLE, frame.height), replace=False):
        written = frame.row(int(k), named=True)
        raw = {c: written[c] or "" for c in raw_columns}
        expected = derive_keys("population", validate_row("population", Country.NL, raw))
        if expected != written:
            raise AssertionError(f"bulk row differs from the importer's at {k}")
        if not is_valid_national_id(Country.NL, str(written["national_id"])):
            raise AssertionError("invalid BSN generated")


def load(path: Path, persons: int, seed: int = 3, analyze: bool = False) -> dict[str, float]:
    """Fill the (migrated, empty) ``population`` table of the SQLite file at ``path``."""
    timings = {"generate_s": 0.0, "insert_s": 0.0, "index_s": 0.0}
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='population'"
        " AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        con.execute(f'DROP INDEX "{name}"')
    rng = np.random.default_rng(seed)
    ids = bsns(rng, persons)
    done = 0
    for c, start in enumerate(range(0, persons, CHUNK)):
        n = min(CHUNK, persons - start)
        t0 = time.perf_counter()
        frame = keyed_chunk(seed * 1000 + c, n, ids[start : start + n])
        check_sample(frame, rng)
        t1 = time.perf_counter()
        cols = ", ".join(frame.columns)
        marks = ", ".join("?" * len(frame.columns))
        con.execute("BEGIN")
        con.executemany(f"INSERT INTO population ({cols}) VALUES ({marks})", frame.iter_rows())
        con.execute("COMMIT")
        done += n
        timings["generate_s"] += t1 - t0
        timings["insert_s"] += time.perf_counter() - t1
    t2 = time.perf_counter()
    for _, sql in indexes:
        con.execute(sql)
    if analyze:
        con.execute("ANALYZE")
    timings["index_s"] = time.perf_counter() - t2
    con.close()
    return {"persons": float(done), **timings}
