"""`passerelle policy show`: the decisions of a node, and a bad file refused by key."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from passerelle.cli import app

runner = CliRunner()


def test_show_default_policy_as_json() -> None:
    r = runner.invoke(app, ["policy", "show", "--country", "NL", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["node"] == "NL" and "default" in data["source"]
    decided = {(d["partner"], d["purpose"], d["dataset"]): d["decision"] for d in data["decisions"]}
    assert decided[("BE", "joint_control", "police_records")] == "hit_no_hit"
    assert decided[("BE", "joint_post", "population")].startswith("fields: ")
    assert not any(p == "anpr_followup" for _, p, _ in decided)


def test_bad_policy_file_names_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "policy.toml"
    bad.write_text(
        '[[rules]]\npartners = ["NL"]\npurposes = ["joint_control"]\n'
        '[rules.datasets]\npopulation = { fields = ["shoe_size"] }\n',
        encoding="utf-8",
    )
    r = runner.invoke(app, ["policy", "show", "--country", "BE", "--file", str(bad)])
    assert r.exit_code == 1
    assert "rules[0].datasets.population.fields" in r.output.replace("\n", "")
