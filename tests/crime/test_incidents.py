"""Incident import: each country's format, bad rows with line and reason, the store."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from passerelle.cli import app
from passerelle.crime import iccs
from passerelle.crime.incidents import parse_incidents
from passerelle.crime.store import CrimeStore, IncidentFilter
from passerelle.exc import InvalidInput

NL = """registratienummer,pleegdatum,gemeentecode,maatschappelijke_klasse,breedtegraad,lengtegraad
NL-1,2026-03-01,GM0928,1.1.1,50.866,6.062
NL-2,01.03.2026,GM0928,1.1.1,,
NL-3,2026-02-30,GM0928,1.1.1,50.8,6.0
NL-4,2026-03-02,GM9999,1.1.1,,
NL-1,2026-03-03,GM0928,1.1.1,50.866,6.062
NL-6,2026-03-03,GM0928,,50.866,6.062
NL-7,2026-03-03,GM0928,9.9.9,50.866,6.062
NL-8,2026-03-03,GM0928,1.1.1,abc,6.062
NL-9,2026-03-03,GM0928,1.1.1,95,6.062
"""


def test_nl_format_reports_bad_rows_by_line_and_reason(tmp_path: Path) -> None:
    f = tmp_path / "nl.csv"
    f.write_text(NL, encoding="utf-8")
    p = parse_incidents(f, source_format="nl")
    reasons = {b.line: b.reason for b in p.rejected}
    assert reasons == {
        4: "occurred_on: not a date (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or YYYY-MM)",
        5: "place: no coordinates and no known municipality_code",
        6: "incident_id: duplicate of an earlier line",
        7: "offence_code: empty",
        9: "latitude/longitude: not numbers",
        10: "latitude/longitude: out of range",
    }
    good = p.frame
    assert good["incident_id"].to_list() == ["NL-1", "NL-2", "NL-7"]
    assert good["country"].unique().to_list() == ["NL"]
    # NL-2 has no coordinates: placed at Kerkrade's centre; DD.MM.YYYY read
    nl2 = good.filter(pl.col("incident_id") == "NL-2").row(0, named=True)
    assert nl2["occurred_on"] == dt.date(2026, 3, 1)
    assert abs(nl2["latitude"] - 50.8658) < 1e-9
    assert good.filter(pl.col("incident_id") == "NL-1")["iccs"].item() == "05012"
    assert p.unmapped == 1  # 9.9.9 is kept, outside the ICCS table


def test_missing_columns_are_refused(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("id,when\n1,2026-01-01\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as e:
        parse_incidents(f, source_format="canonical", country="BE")
    assert e.value.code == "crime_missing_columns"


def test_parquet_and_csv_give_the_same_incidents(tmp_path: Path) -> None:
    src = tmp_path / "be.csv"
    src.write_text(
        "pv_nummer,datum_feiten,nis_code,criminele_figuur,latitude,longitude\n"
        "LI.1,2026-01-05,62063,woninginbraak,50.63,5.57\n"
        "LI.2,05/01/2026,63023,diefstal-auto,,\n",
        encoding="utf-8",
    )
    pq = tmp_path / "be.parquet"
    pl.read_csv(src, infer_schema_length=0).write_parquet(pq)
    a = parse_incidents(src, source_format="be").frame.drop("line")
    b = parse_incidents(pq, source_format="be").frame.drop("line")
    assert a.equals(b)
    assert a["iccs"].to_list() == ["05012", "050211"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
        min_size=1,
        max_size=8,
    )
)
def test_any_garbage_row_is_either_loaded_or_reported(
    tmp_path_factory: pytest.TempPathFactory, junk: list[str]
) -> None:
    d = tmp_path_factory.mktemp("h")
    f = d / "x.csv"
    lines = ["incident_id,occurred_on,latitude,longitude,offence_code"]
    for i, j in enumerate(junk):
        j = j.replace(",", " ").replace("\n", " ").replace("\r", " ").replace('"', " ")
        lines.append(f"id{i},{j},50.8,6.0,436*00")
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = parse_incidents(f, source_format="canonical", country="DE")
    assert p.frame.height + len(p.rejected) == len(junk)


def test_iccs_table_is_consistent() -> None:
    classes = iccs.classes()
    for m in iccs.mappings().values():
        assert m.relation in iccs.meta()["relations"]
        assert m.source in iccs.meta()["sources"]
        if m.iccs_code is not None:
            assert m.iccs_code in classes, m
            assert iccs.level_of(m.iccs_code) == classes[m.iccs_code].level
        if m.relation != "exact":
            assert m.caveat, m
    # every class has its parent in the table
    for code in classes:
        if len(code) > 2:
            parent = code[:-1] if len(code) in (5, 6) else code[:2]
            assert parent in classes, code
    assert iccs.iccs_of("DE", "436*00") == iccs.iccs_of("BE", "woninginbraak") == "05012"


def test_import_into_store_and_read_back(tmp_path: Path, essex_dir: Path) -> None:
    raw = tmp_path / "essex-2018-01.csv"
    raw.write_bytes(gzip.decompress((essex_dir / "2018-01-essex-street.csv.gz").read_bytes()))
    p = parse_incidents(raw, source_format="policeuk")
    # police.uk leaves crime_id empty for anti-social behaviour, and some rows unlocated
    assert p.rejected and all(b.reason for b in p.rejected)
    assert p.frame.height + len(p.rejected) == raw.read_text().count("\n") - 1
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'n.db'}")
    from passerelle.storage.db import migrate

    migrate(engine)
    store = CrimeStore(engine)
    n = store.load(
        p.frame, source_name=raw.name, source_format="policeuk", rejected=len(p.rejected)
    )
    assert n == p.frame.height
    # loading again replaces the same incidents instead of duplicating them
    store.load(p.frame, source_name=raw.name, source_format="policeuk", rejected=0)
    back = store.frame()
    assert back.height == n
    burg = store.frame(IncidentFilter(iccs="0501"))
    assert burg.height == p.frame.filter(pl.col("iccs") == "0501").height > 0
    assert store.summary()["countries"][0]["incidents"] == n  # type: ignore[index]


def test_cli_import_exit_code_and_rejects_file(tmp_path: Path) -> None:
    f = tmp_path / "nl.csv"
    f.write_text(NL, encoding="utf-8")
    cfg = tmp_path / "node.toml"
    cfg.write_text(
        f'country = "NL"\ndata_dir = "{tmp_path}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "nl.db"}"\n',
        encoding="utf-8",
    )
    rej = tmp_path / "rejects.csv"
    res = CliRunner().invoke(
        app,
        [
            "crime",
            "import",
            str(f),
            "--source-format",
            "nl",
            "--config",
            str(cfg),
            "--rejects",
            str(rej),
            "--json",
        ],
    )
    assert res.exit_code == 3, res.output
    out = json.loads(res.stdout)
    assert out["loaded"] == 3 and out["rejected"] == 6
    assert rej.read_text().splitlines()[0] == "line,column,reason"
    back = CrimeStore(sa.create_engine(f"sqlite:///{tmp_path / 'nl.db'}")).frame()
    assert sorted(back["incident_id"].to_list()) == ["NL-1", "NL-2", "NL-7"]
