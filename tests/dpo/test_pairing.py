"""Pairing both ends of federated exchanges from a partner's verified export."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef
from passerelle.audit.export import export_jsonl
from passerelle.auth.roles import Role
from passerelle.cli import app
from passerelle.domain.countries import Country
from tests.dpo.conftest import DpoSite
from tests.web.conftest import WebNodes

runner = CliRunner()
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _event(
    kind: EventKind, node: Country, partner: Country, exchange: str, minutes: int
) -> AuditEvent:
    return AuditEvent(
        kind=kind,
        actor=Actor(subject=f"{node.value.lower()}-officer", role="officer", country=node),
        outcome="no_hit",
        purpose="joint_control",
        justification="test",
        legal_ref=LegalRef(patrol_id="P-1"),
        partner=partner,
        exchange_id=exchange,
        at=NOW - dt.timedelta(minutes=minutes),
    )


@pytest.fixture
def partner_export(dpo_nodes: WebNodes, tmp_path: Path) -> Path:
    """BE (the DPO's node) and NL log: x-both at both ends, x-be only at BE, x-nl only at NL."""
    be, nl = dpo_nodes.context(Country.BE), dpo_nodes.context(Country.NL)
    be.audit.append_many(
        [
            _event(EventKind.PARTNER_QUERY_SENT, Country.BE, Country.NL, "x-both", 30),
            _event(EventKind.PARTNER_QUERY_SENT, Country.BE, Country.NL, "x-be", 20),
        ]
    )
    nl.audit.append_many(
        [
            _event(EventKind.PARTNER_QUERY_ANSWERED, Country.NL, Country.BE, "x-both", 30),
            _event(EventKind.PARTNER_QUERY_SENT, Country.NL, Country.BE, "x-nl", 25),
            _event(EventKind.CONSULTATION, Country.NL, Country.NL, "x-local", 10),
        ]
    )
    out = tmp_path / "nl.jsonl"
    export_jsonl(nl.audit, out)
    for ctx in (be, nl):
        ctx.engine.dispose()
    return out


def _mine(report: dict[str, object], key: str) -> list[str]:
    items = report[key]
    assert isinstance(items, list)
    return [i["exchange_id"] for i in items if str(i["exchange_id"]).startswith("x-")]


def test_pairing_finds_both_ends_and_the_missing_ones(
    dpo_site: DpoSite, partner_export: Path
) -> None:
    h = {**dpo_site.api(Role.DPO), "Content-Type": "application/x-ndjson"}
    r = dpo_site.client.post(
        "/api/v1/audit/pairing", content=partner_export.read_bytes(), headers=h
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["verified"] is True and report["partner"] == "NL"
    assert _mine(report, "paired") == ["x-both"]
    pair = next(p for p in report["paired"] if p["exchange_id"] == "x-both")
    assert pair["sides"] == ["requesting"] and pair["partner_sides"] == ["providing"]
    assert pair["sides_ok"] is True
    assert _mine(report, "only_here") == ["x-be"]
    assert _mine(report, "only_there") == ["x-nl"]
    assert report["complete"] is False


def test_a_tampered_export_does_not_verify(dpo_site: DpoSite, partner_export: Path) -> None:
    lines = partner_export.read_text().splitlines()
    tampered = [line.replace('"x-nl"', '"x-be"') for line in lines]
    h = {**dpo_site.api(Role.DPO), "Content-Type": "application/x-ndjson"}
    r = dpo_site.client.post("/api/v1/audit/pairing", content="\n".join(tampered), headers=h)
    assert r.status_code == 200
    assert r.json()["verified"] is False and r.json()["finding"]


@pytest.mark.parametrize("body", ["not json\n", '{"type": "entry"}\n', "\n"])
def test_garbage_is_a_clear_error(dpo_site: DpoSite, body: str) -> None:
    h = {**dpo_site.api(Role.DPO), "Content-Type": "application/x-ndjson"}
    r = dpo_site.client.post("/api/v1/audit/pairing", content=body, headers=h)
    assert r.status_code == 422
    assert r.json()["error"]["code"] in ("audit_export_invalid", "invalid_input")


def test_own_export_is_not_a_partner(dpo_site: DpoSite, tmp_path: Path) -> None:
    own = tmp_path / "be.jsonl"
    export_jsonl(dpo_site.ctx.audit, own)
    h = {**dpo_site.api(Role.DPO), "Content-Type": "application/x-ndjson"}
    r = dpo_site.client.post("/api/v1/audit/pairing", content=own.read_bytes(), headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "partner_unknown"


def test_cli_pair_exit_codes(dpo_nodes: WebNodes, partner_export: Path) -> None:
    config = dpo_nodes.nodes[Country.BE].config
    result = runner.invoke(
        app, ["dpo", "pair", "--config", str(config), "--file", str(partner_export), "--json"]
    )
    assert result.exit_code == 3, result.output
    assert "x-be" in json.dumps(json.loads(result.output)["only_here"])
    bad = partner_export.with_name("bad.jsonl")
    bad.write_text(partner_export.read_text().replace('"x-nl"', '"x-zz"'))
    result = runner.invoke(app, ["dpo", "pair", "--config", str(config), "--file", str(bad)])
    assert result.exit_code == 1 and "NOT VERIFIED" in result.output
