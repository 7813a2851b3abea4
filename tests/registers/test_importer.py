"""Register import: every bad row reported with line and reason, good rows load, atomically."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.exc import ImportRejected, InvalidInput
from passerelle.registers.importer import Importer, columns_of
from passerelle.registers.sql import SqlRegisters
from passerelle.storage import tables as t

COLS = columns_of("population")
GOOD = {
    "national_id": "",  # filled per row
    "given_names": "Jan Pieter",
    "family_name": "Berg",
    "family_name_prefix": "van den",
    "birth_date": "1985-03-14",
    "sex": "M",
    "nationality": "NL",
    "birth_place": "Maastricht",
    "address_street": "Vrijthof",
    "address_number": "12",
    "address_postcode": "6211 LD",
    "address_city": "Maastricht",
    "address_country": "NL",
}
BSNS = ["111222333", "123456782", "100000009", "999999990"]  # all pass the 11-test


def bsn_ok(i: int) -> str:
    return BSNS[i]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] = COLS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)
    return path


def person(i: int, **over: str) -> dict[str, str]:
    row = dict(GOOD, national_id=bsn_ok(i))
    row.update(over)
    return row


@pytest.fixture
def registers(engine: sa.Engine) -> SqlRegisters:
    return SqlRegisters(engine, Country.NL)


@pytest.fixture
def importer(registers: SqlRegisters) -> Importer:
    return Importer(registers, Country.NL)


def test_good_rows_load_and_bad_rows_are_reported_by_line(
    importer: Importer, registers: SqlRegisters, tmp_path: Path
) -> None:
    rows = [
        person(0),
        person(1, national_id="123456789"),  # fails the 11-test
        person(2, birth_date="1985-02-30"),  # impossible date
        person(3, sex="Q"),
        person(0, given_names="Klaas"),  # duplicate national_id of line 2
    ]
    report = importer.import_file("population", write_csv(tmp_path / "p.csv", rows))
    assert report.committed and report.loaded == 1
    assert [(r.position, r.column) for r in report.rejected] == [
        (3, "national_id"),
        (4, "birth_date"),
        (5, "sex"),
        (6, "national_id"),
    ]
    assert "duplicate of line 2" in report.rejected[-1].reason
    assert registers.counts()["population"] == 1
    stored = registers.get_person(bsn_ok(0))
    assert stored is not None and stored["family_name"] == "Berg"
    assert stored["name_key"] == "berg" and stored["birth_year"] == 1985
    with registers.engine.connect() as conn:
        batch = conn.execute(sa.select(t.import_batches)).one()
    assert (batch.rows_loaded, batch.rows_rejected, batch.mode) == (1, 4, "replace")


def test_strict_mode_loads_nothing_when_a_row_is_bad(
    importer: Importer, registers: SqlRegisters, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "p.csv", [person(0), person(1, birth_date="tomorrow")])
    report = importer.import_file("population", path, strict=True)
    assert not report.committed and report.loaded == 0 and len(report.rejected) == 1
    assert registers.counts()["population"] == 0


def test_replace_and_append(importer: Importer, registers: SqlRegisters, tmp_path: Path) -> None:
    importer.import_file("population", write_csv(tmp_path / "a.csv", [person(0), person(1)]))
    report = importer.import_file(
        "population", write_csv(tmp_path / "b.csv", [person(1), person(2)]), mode="append"
    )
    assert report.loaded == 1
    assert report.rejected[0].reason == "already in the register"
    assert registers.counts()["population"] == 3
    importer.import_file("population", write_csv(tmp_path / "c.csv", [person(3)]))
    assert registers.counts()["population"] == 1
    assert registers.get_person(bsn_ok(3)) is not None


def test_parquet_extract(importer: Importer, registers: SqlRegisters, tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame([person(0), person(1, sex="Q")]).write_parquet(path)
    report = importer.import_file("population", path)
    assert report.loaded == 1 and [r.position for r in report.rejected] == [2]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "corrupt_file"),
        (b"national_id,given_names\n1,a\n", "missing_columns"),
        (b"national_id,\xff\xfe\n", "corrupt_file"),
    ],
)
def test_corrupt_files_are_refused_and_nothing_is_written(
    importer: Importer, registers: SqlRegisters, tmp_path: Path, content: bytes, code: str
) -> None:
    importer.import_file("population", write_csv(tmp_path / "ok.csv", [person(0)]))
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportRejected) as e:
        importer.import_file("population", path)
    assert e.value.code == code
    assert registers.counts()["population"] == 1  # the earlier load is untouched


def test_corrupt_parquet(importer: Importer, tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(ImportRejected) as e:
        importer.import_file("population", path)
    assert e.value.code == "corrupt_file"


def test_short_rows_are_rejected_not_fatal(importer: Importer, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [person(0)])
    with path.open("a", encoding="utf-8") as fh:
        fh.write("123456782,Anna\n")
    report = importer.import_file("population", path)
    assert report.loaded == 1
    assert report.rejected[0].position == 3 and "fields" in report.rejected[0].reason


def test_failure_during_write_leaves_register_unchanged(
    importer: Importer, registers: SqlRegisters, tmp_path: Path
) -> None:
    importer.import_file("population", write_csv(tmp_path / "a.csv", [person(0)]))

    def exploding_batches() -> object:
        yield [dict(person(1), name_key="x", birth_year=1985)]
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        registers.load("population", exploding_batches(), mode="replace", source={})  # type: ignore[arg-type]
    assert registers.counts()["population"] == 1
    assert registers.get_person(bsn_ok(0)) is not None


def test_unknown_dataset_and_format(importer: Importer, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        importer.import_file("pets", tmp_path / "x.csv")
    with pytest.raises(InvalidInput):
        importer.import_file("population", tmp_path / "x.xlsx")


def test_lookups_through_the_port(
    importer: Importer, registers: SqlRegisters, tmp_path: Path
) -> None:
    importer.import_file("population", write_csv(tmp_path / "a.csv", [person(0), person(1)]))
    assert len(registers.find_persons("berg", 1985)) == 2
    assert registers.find_persons("berg", 1990) == []
    assert registers.get_person("000000000") is None
