"""`passerelle audit ...`: exit codes and machine-readable output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from passerelle.cli import app
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from tests.audit.conftest import consultation
from tests.node.conftest import free_port

runner = CliRunner()


@pytest.fixture
def node(tmp_path: Path) -> tuple[Path, NodeContext]:
    demo = DemoNode(Country.LU, tmp_path / "LU", free_port())
    write_config(demo)
    init_identity(demo)
    config = demo.config
    ctx = NodeContext.build(load_settings(config))
    ctx.audit.append_many([consultation(i) for i in range(25)])
    ctx.audit.sign_head()
    return config, ctx


def test_verify_export_and_offline_verify(node: tuple[Path, NodeContext], tmp_path: Path) -> None:
    config, _ = node
    ok = runner.invoke(app, ["audit", "verify", "--config", str(config), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["ok"] is True
    out, key = tmp_path / "log.jsonl", tmp_path / "lu.pem"
    done = runner.invoke(app, ["audit", "export", "--config", str(config), "--out", str(out)])
    assert done.exit_code == 0, done.output
    pub = runner.invoke(app, ["audit", "public-key", "--config", str(config), "--out", str(key)])
    assert pub.exit_code == 0 and key.read_text().startswith("-----BEGIN PUBLIC KEY")
    offline = runner.invoke(app, ["audit", "verify", "--file", str(out), "--public-key", str(key)])
    assert offline.exit_code == 0, offline.output
    lines = out.read_text().splitlines()
    del lines[5]
    out.write_text("\n".join(lines) + "\n")
    broken = runner.invoke(
        app, ["audit", "verify", "--file", str(out), "--public-key", str(key), "--json"]
    )
    assert broken.exit_code == 1
    first = json.loads(broken.stdout)["first"]
    assert first["reason"] == "deleted" and first["position"] == 4
    csv_out = tmp_path / "log.csv"
    csv_done = runner.invoke(
        app,
        ["audit", "export", "--config", str(config), "--out", str(csv_out), "--format", "csv"],
    )
    assert csv_done.exit_code == 0 and csv_out.read_text().startswith("position,")


def test_broken_node_log_exits_1(node: tuple[Path, NodeContext]) -> None:
    config, ctx = node
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE audit_entries SET canonical = canonical || ' ' WHERE position = 7")
        )
    result = runner.invoke(app, ["audit", "verify", "--config", str(config)])
    assert result.exit_code == 1
    assert "position 7" in result.stdout and "changed" in result.stdout


def test_sign_head_json(node: tuple[Path, NodeContext]) -> None:
    config, _ = node
    result = runner.invoke(app, ["audit", "sign-head", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["position"] == 26


def test_bad_public_key_file_exits_2(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("not a key")
    result = runner.invoke(
        app, ["audit", "verify", "--file", str(tmp_path / "x"), "--public-key", str(key)]
    )
    assert result.exit_code == 2


def test_file_without_public_key_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--file", str(tmp_path / "x")])
    assert result.exit_code == 2


def test_unknown_node_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--data-dir", str(tmp_path), "--country", "BE"])
    assert result.exit_code == 1
