"""The CLI as a user drives it: synth, import, token, errors with non-zero exits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from passerelle.cli import app
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    node = DemoNode(Country.BE, tmp_path / "demo" / "BE", 18401)
    write_config(node)
    init_identity(node)
    return tmp_path / "demo"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_synth_is_deterministic(tmp_path: Path) -> None:
    for out in ("a", "b"):
        code, text = run(
            "synth",
            "--country",
            "NL",
            "--persons",
            "500",
            "--seed",
            "9",
            "--out",
            str(tmp_path / out),
            "--json",
        )
        assert code == 0, text
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == sorted(
        f"{d}.csv"
        for d in (
            "population",
            "wanted_persons",
            "vehicles",
            "stolen_vehicles",
            "documents",
            "police_records",
        )
    )
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_synth_parquet_then_import(tmp_path: Path, data_dir: Path) -> None:
    code, _ = run(
        "synth",
        "--country",
        "BE",
        "--persons",
        "300",
        "--out",
        str(tmp_path / "s"),
        "--format",
        "parquet",
        "--json",
    )
    assert code == 0
    for dataset in ("population", "vehicles", "documents"):
        code, text = run(
            "registers",
            "import",
            str(tmp_path / "s" / f"{dataset}.parquet"),
            "--data-dir",
            str(data_dir),
            "--country",
            "BE",
            "--dataset",
            dataset,
            "--json",
        )
        assert code == 0, text
        assert json.loads(text)["rejected"] == 0
    code, text = run(
        "registers", "counts", "--data-dir", str(data_dir), "--country", "BE", "--json"
    )
    assert json.loads(text)["population"] == 300


def test_import_reports_bad_rows_and_exits_3(tmp_path: Path, data_dir: Path) -> None:
    run("synth", "--country", "BE", "--persons", "50", "--out", str(tmp_path / "s"), "--json")
    path = tmp_path / "s" / "population.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[0] = cells[0][:-1] + str((int(cells[0][-1]) + 1) % 10)  # break the mod-97 check
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    code, text = run(
        "registers",
        "import",
        str(path),
        "--data-dir",
        str(data_dir),
        "--country",
        "BE",
        "--dataset",
        "population",
        "--rejects",
        str(rejects),
        "--json",
    )
    assert code == 3
    report = json.loads(text)
    assert report["loaded"] == 49 and report["rejected"] == 1
    assert report["errors"][0]["line"] == 4 and report["errors"][0]["column"] == "national_id"
    assert rejects.read_text().splitlines()[1].startswith("4,national_id,")


def test_import_strict_loads_nothing(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("national_id,given_names\n1,a\n")
    code, text = run(
        "registers",
        "import",
        str(path),
        "--data-dir",
        str(data_dir),
        "--country",
        "BE",
        "--dataset",
        "population",
    )
    assert code != 0 and "missing column" in text


def test_import_needs_an_existing_node(tmp_path: Path) -> None:
    code, text = run(
        "registers",
        "import",
        "x.csv",
        "--data-dir",
        str(tmp_path),
        "--country",
        "NL",
        "--dataset",
        "population",
    )
    assert code == 1 and "no node for NL" in text


def test_token_is_accepted_by_the_node(data_dir: Path) -> None:
    code, text = run(
        "token",
        "--data-dir",
        str(data_dir),
        "--country",
        "BE",
        "--user",
        "alice",
        "--roles",
        "officer,analyst",
        "--json",
    )
    assert code == 0, text
    token = json.loads(text)["token"]
    ctx = NodeContext.build(load_settings(data_dir / "BE" / "node.toml"))
    principal = ctx.verifier.verify(token)
    assert principal.subject == "alice" and {r.value for r in principal.roles} == {
        "officer",
        "analyst",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("token", "--country", "BE", "--user", "a", "--roles", "chief"), "unknown role"),
        (("token", "--country", "XX", "--user", "a", "--roles", "officer"), "unknown country"),
        (("synth", "--country", "FR", "--out", "x"), "unknown country"),
        (("synth", "--country", "BE", "--out", "x", "--format", "xlsx"), "unknown format"),
        (("demo", "--size", "huge"), "unknown size"),
        (("node", "serve", "--config", "/nonexistent/node.toml"), "config file not found"),
    ],
)
def test_bad_input_gives_a_clear_error(data_dir: Path, args: tuple[str, ...], message: str) -> None:
    full = list(args)
    if args[0] == "token":
        full += ["--data-dir", str(data_dir)]
    code, text = run(*full)
    assert code != 0
    assert message in " ".join(text.split())
