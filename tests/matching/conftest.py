"""Fixtures: synthetic registers of the four countries, imported as a node would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.registers.importer import Importer
from passerelle.registers.sql import SqlRegisters
from passerelle.storage.db import create_engine, migrate
from passerelle.synth import generate_country

SEED = 11
PERSONS = 2500


def import_frames(registers: SqlRegisters, frames: dict[str, pl.DataFrame]) -> None:
    importer = Importer(registers, registers.country)
    for dataset, frame in frames.items():
        rows = (
            (i + 2, {k: None if v is None else str(v) for k, v in row.items()})
            for i, row in enumerate(frame.iter_rows(named=True))
        )
        report = importer.import_rows(dataset, rows, source=f"{dataset}.synth")
        assert not report.rejected, report.rejected[:3]


@pytest.fixture(scope="session")
def synth_frames() -> dict[Country, dict[str, pl.DataFrame]]:
    return {c: generate_country(c, PERSONS, SEED) for c in Country}


@pytest.fixture(scope="session")
def four_registers(
    tmp_path_factory: pytest.TempPathFactory,
    synth_frames: dict[Country, dict[str, pl.DataFrame]],
) -> Iterator[dict[Country, SqlRegisters]]:
    """One SQLite register per country, filled through the importer."""
    base: Path = tmp_path_factory.mktemp("matching")
    engines: list[sa.Engine] = []
    out: dict[Country, SqlRegisters] = {}
    for country, frames in synth_frames.items():
        engine = create_engine(f"sqlite:///{base / f'{country.value}.db'}")
        migrate(engine)
        engines.append(engine)
        registers = SqlRegisters(engine, country)
        import_frames(registers, frames)
        out[country] = registers
    yield out
    for engine in engines:
        engine.dispose()
