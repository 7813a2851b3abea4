"""The hotlists API and `passerelle anpr hotlist` against real nodes (BE shares, NL receives)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from passerelle.auth.roles import Role
from passerelle.cli import app
from passerelle.domain.countries import Country
from tests.anpr.exchange_fixtures import Make, Nodes, build_nodes, wait_for
from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL
runner = CliRunner()


@pytest.fixture
def live(make_nodes: Make) -> Iterator[Nodes]:
    n = build_nodes(make_nodes, BE, NL, federation={"outbox_retry_s": 0.1})
    n.start(BE)
    n.start(NL)
    yield n
    for c in list(n.servers):
        n.stop(c)


def _token(n: Nodes, c: Country, role: Role) -> str:
    idp = n.ctx[c].idp
    assert idp is not None
    return idp.issue(role.value, [role])


def _cli(n: Nodes, token: str, *args: str) -> tuple[int, str, str]:
    r = runner.invoke(
        app, ["anpr", "hotlist", args[0], "--node", n.demo[BE].url, "--token", token, *args[1:]]
    )
    return r.exit_code, r.stdout, r.stderr


def test_import_share_list_and_remove_from_the_command_line(live: Nodes, tmp_path: Path) -> None:
    token = _token(live, BE, Role.CONTACT_POINT)
    code, out, _ = _cli(
        live, token, "create", "--name", "Vols Liège", "--category", "stolen_vehicle"
    )
    assert code == 0
    hotlist = out.strip()
    file = tmp_path / "entries.csv"
    file.write_text(
        "entry_id,plate,plate_country,reason,assessment,expires_at,action\n"
        "pv-1,1-ABC-234,BE,theft,assessed 2026-11-20 (art. 13),2099-01-01,alert\n"
        "pv-2,1-DEF-567,BE,theft,,2026-12-31,alert\n"
        "pv-3,1-GHJ-890,BE,theft,assessed,2026-12-31,discreet_observation\n",
        encoding="utf-8",
    )
    code, out, errors = _cli(
        live, token, "import", "--hotlist", hotlist, str(file), "--share", "NL"
    )
    assert code == 2  # two refused: no assessment, expiry too far
    assert out.split() == ["BE-pv-3", "NL"]
    assert "refused entry 1:" in errors and "refused entry 2:" in errors  # translated reasons
    assert "1 added, 2 refused" in errors
    nl = live.ctx[NL].anpr.hotlists
    wait_for(lambda: nl.entry("BE-pv-3") is not None)
    head = live.ctx[BE].anpr.hotlists.store.head(NL)
    code, out, _ = _cli(live, token, "import", "--hotlist", hotlist, str(file), "--share", "NL")
    assert code == 2 and out.split() == ["BE-pv-3", "NL"]
    assert live.ctx[BE].anpr.hotlists.store.head(NL) == head  # unchanged: nothing sent again

    code, out, _ = _cli(live, token, "list", "--json")
    assert code == 0 and '"total": 1' in out
    code, out, _ = _cli(live, token, "remove", "--entry", "BE-pv-3")
    assert code == 0 and out.strip() == "BE-pv-3"
    wait_for(lambda: (e := nl.entry("BE-pv-3")) is not None and e.removed_at is not None)
    code, _, errors = _cli(live, token, "share", "--entry", "BE-pv-3", "--with", "NL")
    assert code == 2 and "hotlist_entry_inactive" in errors


def test_the_api_checks_roles_and_translates_refusals(live: Nodes) -> None:
    base = live.demo[BE].url + "/api/v1/anpr/hotlists"
    contact = {"Authorization": "Bearer " + _token(live, BE, Role.CONTACT_POINT)}
    officer = {"Authorization": "Bearer " + _token(live, BE, Role.OFFICER)}
    assert httpx.get(base, headers=officer).status_code == 403
    r = httpx.post(base, json={"name": "Zaak", "category": "case"}, headers=contact)
    assert r.status_code == 201
    hotlist = r.json()["hotlist_id"]
    entries = [{"plate": "1-ABC-234", "reason": "x", "assessment": "y"}]
    r = httpx.post(
        f"{base}/{hotlist}/entries",
        json={"entries": entries},
        headers={**contact, "Accept-Language": "nl"},
    )
    rejected = r.json()["rejected"]
    assert r.status_code == 200 and rejected[0]["code"] == "hotlist_entry_no_expiry"
    assert rejected[0]["message"]  # translated into the caller's language where available
    entries[0]["expires_at"] = "2026-12-31"
    r = httpx.post(
        f"{base}/{hotlist}/entries",
        json={"entries": entries, "share_with": ["NL"]},
        headers=contact,
    )
    (added,) = r.json()["added"]
    assert added["shared_with"] == ["NL"] and added["category"] == "case"
    r = httpx.get(f"{base}/entries", params={"plate": "1 abc 234"}, headers=contact)
    assert r.json()["total"] == 1
    r = httpx.delete(f"{base}/entries/{added['entry_id']}/share/NL", headers=contact)
    assert r.json()["shared_with"] == []
    r = httpx.get(f"{base}/sync", headers=contact)
    assert r.json()["NL"]["sent_head"] == 2
    r = httpx.post(
        f"{base}/entries/share",
        json={"entry_ids": [added["entry_id"]], "partners": ["FR"]},
        headers=contact,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_country"
