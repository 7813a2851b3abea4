"""`passerelle patrol` and `passerelle check` against real nodes on loopback."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from passerelle.cli import app
from passerelle.domain.countries import Country
from tests.checks.conftest import Node, nodes

__all__ = ["nodes"]
runner = CliRunner()
BE, NL = Country.BE, Country.NL


def test_patrol_start_check_and_end(nodes: dict[Country, Node]) -> None:
    be = nodes[BE]
    auth = ["--node", be.url, "--token", be.token()]
    r = runner.invoke(app, ["patrol", "start", *auth, "--crew", "BE:officer,NL:officer", "--json"])
    assert r.exit_code == 0, r.output
    patrol_id = json.loads(r.stdout)["patrol_id"]
    base = ["check", "person", *auth, "--purpose", "joint_control", "--patrol-id", patrol_id,
            "--justification", "roadside check"]  # fmt: skip
    r = runner.invoke(app, [*base, "--family-name", "Janssens", "--countries", "BE,NL", "--json"])
    assert r.exit_code == 0, r.output
    answer = json.loads(r.stdout)
    assert [s["country"] for s in answer["sources"]] == ["BE", "NL"]
    assert set(answer) == {"check_id", "kind", "purpose", "sources"}
    r = runner.invoke(app, [*base, "--family-name", "Janssens"])
    assert r.exit_code == 0 and "Sources" in r.stdout and "NL" in r.stdout
    r = runner.invoke(app, ["patrol", "end", *auth, "--patrol-id", patrol_id])
    assert r.exit_code == 0 and r.stdout.strip() == patrol_id
    r = runner.invoke(app, [*base, "--family-name", "Janssens", "--json"])
    assert r.exit_code == 2
    assert json.loads(r.stdout)["error"]["code"] == "patrol_ended"
    r = runner.invoke(app, ["patrol", "list", *auth, "--status", "ended", "--json"])
    assert patrol_id in [p["patrol_id"] for p in json.loads(r.stdout)]


def test_check_vehicle_and_bad_input(nodes: dict[Country, Node]) -> None:
    be = nodes[BE]
    auth = ["--node", be.url, "--token", be.token()]
    common = ["--purpose", "joint_post", "--justification", "joint post Kerkrade", "--json"]
    r = runner.invoke(app, ["check", "vehicle", *auth, *common, "--plate", "X" * 30])
    assert r.exit_code == 2 and "plate_invalid" in r.output
    r = runner.invoke(app, ["check", "document", *auth, *common, "--document-number", "AB1234567",
                            "--countries", "BE"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["kind"] == "document"
    r = runner.invoke(app, ["patrol", "start", *auth])
    assert r.exit_code == 2
    r = runner.invoke(app, ["check", "person", "--node", "http://127.0.0.1:1", "--token", "t",
                            *common, "--family-name", "Peeters"])  # fmt: skip
    assert r.exit_code == 1 and "cannot reach" in r.output
