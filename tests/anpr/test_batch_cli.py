"""`passerelle anpr match` on CSV and Parquet files: the contract for scripts."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from passerelle.anpr.batch import match_files
from passerelle.cli import app
from passerelle.exc import InvalidInput

runner = CliRunner()
HOTLIST = """entry_id,plate,plate_country
h1,1-ABC-234,BE
h2,GB-123-X,NL
h3,AC-AB 123,
h4,??,BE
h1,2XYZ987,BE
"""
READS = """read_id,plate,timestamp,plate_country,camera_id,lat,lon
r1,1ABC234,2026-11-23T10:00:00Z,B,c1,50.8,5.7
r2,1A8C234,2026-11-23T10:00:01Z,,c1,50.8,5.7
r3,GB123X,2026-11-23T10:00:02Z,BE,c2,50.9,5.8
r4,ACAB1Z3,2026-11-23T10:00:03Z,,c2,50.9,5.8
r5,9ZZZ999,2026-11-23T10:00:04Z,,c3,50.9,5.8
r6,,2026-11-23T10:00:05Z,,c3,50.9,5.8
r1,1ABC234,2026-11-23T10:00:06Z,,c3,50.9,5.8
r8,1ABC34,yesterday,,c3,50.9,5.8
,1ABC234,2026-11-23T10:00:07Z,,c3,50.9,5.8
r10,1ABC2344,2026-11-23 10:00:08,,c3,50.9,5.8
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "hot.csv").write_text(HOTLIST, encoding="utf-8")
    (tmp_path / "reads.csv").write_text(READS, encoding="utf-8")
    return tmp_path / "hot.csv", tmp_path / "reads.csv"


def test_match_csv_json_summary_and_hits(files: tuple[Path, Path], tmp_path: Path) -> None:
    hot, reads = files
    out, rejected = tmp_path / "hits.csv", tmp_path / "rejected.csv"
    r = runner.invoke(app, ["anpr", "match", "--hotlist", str(hot), "--reads", str(reads),
                            "--out", str(out), "--rejected", str(rejected), "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert {"reads", "hits", "seconds"} <= summary.keys()
    assert summary["reads"] == 10 and summary["hits"] == 5
    assert summary["rejected"] == 4
    assert summary["rejected_reasons"] == {
        "bad_timestamp": 1, "duplicate_read_id": 1, "missing_read_id": 1, "plate_empty": 1,
    }  # fmt: skip
    assert summary["hotlist"] == {
        "entries": 3, "rejected": 2,
        "rejected_reasons": {"duplicate_entry_id": 1, "plate_bad_characters": 1},
    }  # fmt: skip
    hits = pl.read_csv(out)
    assert hits.columns == ["read_id", "entry_id", "outcome", "score"]
    got = {(a, b, c) for a, b, c in hits.select("read_id", "entry_id", "outcome").iter_rows()}
    assert got == {
        ("r1", "h1", "exact"), ("r2", "h1", "fuzzy"), ("r3", "h2", "wrong_country"),
        ("r4", "h3", "fuzzy"), ("r10", "h1", "fuzzy"),
    }  # fmt: skip
    assert hits["score"].is_between(0, 1).all()
    bad = pl.read_csv(rejected)
    assert bad.height == 6 and set(bad["file"]) == {"hot.csv", "reads.csv"}
    # every read row is accounted for: rejected, or kept (hit or not)
    assert summary["reads"] == 10


def test_match_parquet_and_plain_output(files: tuple[Path, Path], tmp_path: Path) -> None:
    hot, reads = files
    pl.read_csv(hot, infer_schema=False).write_parquet(tmp_path / "hot.parquet")
    frame = pl.read_csv(reads, infer_schema=False).filter(pl.col("read_id") != "r8")
    frame.with_columns(
        pl.col("timestamp")
        .str.replace(" ", "T")
        .str.replace("Z$", "")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S", time_zone="UTC")
    ).write_parquet(tmp_path / "reads.parquet")
    out = tmp_path / "hits.parquet"
    args = ["--hotlist", str(tmp_path / "hot.parquet"), "--reads", str(tmp_path / "reads.parquet")]
    r = runner.invoke(app, ["anpr", "match", *args, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "hits written" in r.stdout
    assert pl.read_parquet(out).height == 5


def test_bad_files_give_clear_errors(files: tuple[Path, Path], tmp_path: Path) -> None:
    hot, reads = files
    (tmp_path / "noid.csv").write_text("plate,timestamp\n1ABC234,2026-01-01\n")
    cases = [
        (["--reads", str(tmp_path / "noid.csv")], "missing columns read_id"),
        (["--reads", str(tmp_path / "absent.csv")], "cannot be read"),
        (["--reads", str(tmp_path / "reads.txt")], "unknown file type"),
    ]
    for args, message in cases:
        r = runner.invoke(app, ["anpr", "match", "--hotlist", str(hot), "--out",
                                str(tmp_path / "o.csv"), *args])  # fmt: skip
        assert r.exit_code == 2, r.output
        assert message in r.stderr
    with pytest.raises(InvalidInput) as e:
        match_files(hot, reads, tmp_path / "hits.json")
    assert e.value.code == "anpr_file_format"


def test_large_file_progress_and_counts(tmp_path: Path) -> None:
    n = 30_000
    pl.DataFrame({"entry_id": ["w1"], "plate": ["1ABC234"]}).write_csv(tmp_path / "h.csv")
    plates = [f"{k % 9 + 1}XYZ{k % 1000:03d}" for k in range(n)]
    plates[::1000] = ["1A8C234"] * len(plates[::1000])
    pl.DataFrame({
        "read_id": [f"r{k}" for k in range(n)], "plate": plates,
        "timestamp": ["2026-11-23T10:00:00Z"] * n,
    }).write_csv(tmp_path / "r.csv")  # fmt: skip
    summary = match_files(tmp_path / "h.csv", tmp_path / "r.csv", tmp_path / "o.csv")
    assert (summary.reads, summary.hits, summary.outcomes["fuzzy"]) == (n, 30, 30)


def test_min_score(files: tuple[Path, Path], tmp_path: Path) -> None:
    hot, reads = files
    out = tmp_path / "hits.csv"
    args = ["--hotlist", str(hot), "--reads", str(reads), "--out", str(out)]
    r = runner.invoke(app, ["anpr", "match", *args, "--min-score", "0.85", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["hits"] == 3
    assert set(pl.read_csv(out)["read_id"]) == {"r1", "r2", "r4"}
    r = runner.invoke(app, ["anpr", "match", *args, "--min-score", "2"])
    assert r.exit_code == 2
