"""``passerelle request send|list|show|grant|refuse`` against live nodes."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from passerelle.auth.roles import Role
from passerelle.cli import app
from passerelle.domain.countries import Country
from tests.requests.conftest import Net

BE, NL = Country.BE, Country.NL
runner = CliRunner()


def run(net: Net, c: Country, role: Role, subject: str, *args: str) -> tuple[int, str]:
    idp = net.ctx[c].idp
    assert idp is not None
    token = idp.issue(subject, [role])
    result = runner.invoke(app, ["request", *args, "--node", net.url(c), "--token", token])
    return result.exit_code, result.stdout


def as_json(net: Net, c: Country, role: Role, subject: str, *args: str) -> Any:
    code, out = run(net, c, role, subject, *args, "--json")
    assert code == 0, out
    return json.loads(out)


def test_request_commands(net: Net) -> None:
    officer = (BE, Role.OFFICER, "officer-1")
    cp = (NL, Role.CONTACT_POINT, "spoc-nl-7")
    code, out = run(
        net,
        *officer,
        "send",
        "--country", "NL",
        "--reference", net.reference(),
        "--justification", "Hit during the joint control at Kerkrade.",
        "--purpose", "joint_control",
        "--urgency", "urgent",
    )  # fmt: skip
    assert code == 0, out
    rid = out.splitlines()[0]
    assert len(rid) == 32

    mine = as_json(net, *officer, "list")
    assert [r["request_id"] for r in mine["requests"]] == [rid]
    queue = as_json(net, *cp, "list", "--incoming")
    assert [r["status"] for r in queue["requests"]] == ["pending"]
    code, table = run(net, *cp, "list", "--incoming")
    assert code == 0 and rid in table

    shown = as_json(net, *cp, "show", rid, "--incoming")
    assert "category" in shown["fields"]
    code, out = run(net, *cp, "grant", rid, "--fields", "family_name,not_a_field")
    assert code == 2  # refused: not a field of the dataset
    granted = as_json(net, *cp, "grant", rid, "--fields", "family_name,category")
    assert granted["record"] == {"family_name": "Jansen", "category": "drugs"}

    answer = as_json(net, *officer, "show", rid)
    assert answer["status"] == "granted" and answer["record"]["category"] == "drugs"
    code, out = run(net, *officer, "show", rid)
    assert code == 0 and "granted" in out and "drugs" in out

    second = as_json(
        net,
        *officer,
        "send",
        "--country", "NL",
        "--reference", net.reference(),
        "--justification", "Second look.",
        "--purpose", "joint_control",
    )["request_id"]  # fmt: skip
    refused = as_json(net, *cp, "refuse", second, "--reason", "Not proportionate.")
    assert refused["status"] == "refused"
    assert as_json(net, *officer, "show", second)["refusal_reason"] == "Not proportionate."
    assert run(net, *officer, "show", "0" * 32)[0] == 2  # not found
