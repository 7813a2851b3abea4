"""The joint-action pages and report on a real node (BE organises; NL is down meanwhile)."""

from __future__ import annotations

import datetime as dt
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from tests.ops.test_actions_federation import Make, Nodes, make_nodes, plan_body

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL
LANGS = ("fr", "nl", "de", "en")


@pytest.fixture(scope="module")
def be(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nodes]:
    from passerelle.demo.layout import DemoNode
    from passerelle.demo.setup import init_identity, wire_trust, write_config
    from tests.node.conftest import free_port

    root = tmp_path_factory.mktemp("actions")
    demos = [DemoNode(c, root / c.value, free_port()) for c in (BE, NL)]
    keys = {}
    for d in demos:
        write_config(d)
        keys[d.country.value], _ = init_identity(d)
    wire_trust(demos, keys)
    n = Nodes({d.country: d for d in demos})
    n.start(BE)
    try:
        yield n
    finally:
        n.stop(BE)


@pytest.fixture(scope="module")
def action_id(be: Nodes) -> str:
    with be.client(BE, "room", Role.CONTROL_ROOM) as c:
        r = c.post("/api/v1/actions", json=plan_body(dt.datetime.now(dt.UTC)))
        assert r.status_code == 201, r.text
        aid: str = r.json()["action_id"]
        results = [
            {"submission_id": "be-0000001", "checkpoint_id": "A2-Eijsden", "persons_checked": 412,
             "vehicles_checked": 177, "hits": 9, "arrests": 4, "fines_count": 3,
             "fines_amount": 1250.5,
             "seizures": [{"type": "cocaine", "quantity": 0.75, "unit": "kg"}]},
            {"submission_id": "fr-0000001", "checkpoint_id": "E25-Lanaken", "country": "FR",
             "service": "customs", "persons_checked": 88,
             "seizures": [{"type": "cannabis", "quantity": 2300, "unit": "g"}]},
        ]  # fmt: skip
        for body in results:
            assert c.post(f"/api/v1/actions/{aid}/results", json=body).status_code == 201
    return aid


def test_list_and_plan_form(be: Nodes) -> None:
    with be.client(BE, "room", Role.CONTROL_ROOM) as c:
        page = c.get("/actions", headers={"Accept-Language": "nl"})
        assert page.status_code == 200 and 'name="checkpoints"' in page.text
        form = {
            "name": "Etoile 12",
            "starts_at": "2026-11-27T18:00",
            "ends_at": "2026-11-29T23:00",
            "countries": ["BE", "FR"],
            "services_FR": ["customs"],
            "checkpoints": "CP01; Hensies; 50.432; 3.682\nCP02; Quiévrain; 50.404; 3.684",
            "objectives": "drug tourism",
            "metrics": ["persons_checked", "seizures"],
            "share_back": "on",
        }
        r = c.post("/actions", data=form, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/actions/BE-A")
        page = c.get(r.headers["location"], headers={"Accept-Language": "fr"})
        assert page.status_code == 200 and "Quiévrain" in page.text
        bad = c.post("/actions", data={**form, "checkpoints": "CP01; X; 95; 3"})
        assert bad.status_code == 422 and "alert-error" in bad.text
    with be.client(BE) as officer:  # an officer registers results but does not plan
        assert 'name="checkpoints"' not in officer.get("/actions").text


@pytest.mark.parametrize("lang", LANGS)
def test_board_page_in_each_language(be: Nodes, action_id: str, lang: str) -> None:
    with be.client(BE) as c:
        page = c.get(f"/actions/{action_id}", headers={"Accept-Language": lang})
        assert page.status_code == 200 and page.headers["content-language"] == lang
        assert "/static/action_board.js" in page.text and "500" in page.text  # 412 + 88
        panel = c.get(f"/actions/{action_id}/board", headers={"Accept-Language": lang})
        assert panel.status_code == 200 and "A2-Eijsden" in panel.text


def test_result_form_twice_registers_once(be: Nodes, action_id: str) -> None:
    with be.client(BE) as c:
        form = {"submission_id": "web-form-123456", "checkpoint_id": "A2-Eijsden",
                "service": "police", "persons_checked": "5", "seizure_type_0": "cash",
                "seizure_qty_0": "1500", "seizure_unit_0": "eur"}  # fmt: skip
        first = c.post(f"/actions/{action_id}/results", data=form, headers={"HX-Request": "true"})
        assert first.status_code == 200 and "alert-ok" in first.text
        again = c.post(f"/actions/{action_id}/results", data=form, headers={"HX-Request": "true"})
        assert again.status_code == 200 and "web-form-123456" in again.text
        board = c.get(f"/api/v1/actions/{action_id}/board").json()
        assert board["by_checkpoint"]["A2-Eijsden"]["persons_checked"] == 417
        wrong = {**form, "submission_id": "w-2-abc", "checkpoint_id": "nowhere"}
        bad = c.post(f"/actions/{action_id}/results", data=wrong)
        assert bad.status_code == 422 and "alert-error" in bad.text


def test_map_geojson_holds_borders_and_checkpoints(be: Nodes, action_id: str) -> None:
    with be.client(BE) as c:
        gj = c.get(f"/actions/{action_id}/map.geojson").json()
    kinds = {(f["properties"]["kind"], f["properties"].get("country")) for f in gj["features"]}
    assert ("country", "BE") in kinds and ("country", "NL") in kinds
    ids = {f["properties"].get("id") for f in gj["features"]}
    assert {"A2-Eijsden", "E25-Lanaken"} <= ids


def pdf_text(data: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its content streams, inflated)."""
    assert data.startswith(b"%PDF-")
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            out.append(raw.decode("latin-1"))
    return "\n".join(out)


@pytest.mark.parametrize("lang", LANGS)
def test_report_in_each_language(be: Nodes, action_id: str, lang: str) -> None:
    with be.client(BE) as c:
        html = c.get(f"/api/v1/actions/{action_id}/report", params={"langs": lang}).text
        pdf = c.get(f"/api/v1/actions/{action_id}/report", params={"langs": lang, "format": "pdf"})
    assert f'<section lang="{lang}">' in html and "<svg" in html and "A2-Eijsden" in html
    title = {"fr": "Rapport", "nl": "Verslag", "de": "Bericht", "en": "Joint action report"}
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Etoile Maas-Rijn" in text and "A2-Eijsden" in text
    assert "412" in text or "417" in text  # persons at A2-Eijsden
    if lang == "en":
        assert title[lang] in text and "1,250.50" in text


def test_bilingual_default_and_four_languages(be: Nodes, action_id: str) -> None:
    with be.client(BE) as c:
        html = c.get(f"/api/v1/actions/{action_id}/report").text
        assert '<section lang="fr">' in html and '<section lang="nl">' in html
        four = c.get(f"/api/v1/actions/{action_id}/report", params={"langs": "all"}).text
        assert all(f'<section lang="{x}">' in four for x in LANGS)
        pdf = c.get(f"/api/v1/actions/{action_id}/report", params={"langs": "all", "format": "pdf"})
        assert pdf_text(pdf.content).count("Etoile Maas-Rijn") >= 4
        bad = c.get(f"/api/v1/actions/{action_id}/report", params={"langs": "xx"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "action_report_languages"


__all__ += ["Make"]


def test_cli_plan_result_board_report(be: Nodes, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from passerelle.cli import app

    idp = be.ctx[BE].idp
    assert idp is not None
    room = idp.issue("room", [Role.CONTROL_ROOM])
    node = ["--node", be.servers[BE].url]
    cps = tmp_path / "cps.txt"
    cps.write_text("# id;name;lat;lon\nK1; Kerkrade; 50.866; 6.07\nK2; Vaals; 50.77; 6.02\n")
    now = dt.datetime.now(dt.UTC)
    runner = CliRunner()
    r = runner.invoke(app, ["action", "plan", *node, "--token", room, "--name", "Etoile CLI",
                            "--starts", now.isoformat(),
                            "--ends", (now + dt.timedelta(hours=8)).isoformat(),
                            "--participant", "BE:police", "--participant", "NL:police+customs",
                            "--checkpoints", str(cps)])  # fmt: skip
    assert r.exit_code == 0, r.output
    aid = r.stdout.strip().splitlines()[0]
    args = ["action", "result", *node, "--token", room, "--action-id", aid, "--checkpoint",
            "K1", "--submission-id", "cli-0001", "--persons", "7",
            "--seizure", "heroin:12.5:g"]  # fmt: skip
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 0  # a resend: nothing changes
    conflict = runner.invoke(app, [*args[:-2], "--persons", "8"])
    assert conflict.exit_code == 2
    r = runner.invoke(
        app, ["action", "board", *node, "--token", room, "--action-id", aid, "--json"]
    )
    board = json.loads(r.stdout)
    assert board["totals"]["persons_checked"] == 7
    assert board["totals"]["seizures"] == [{"type": "heroin", "unit": "g", "quantity": 12.5}]
    out = tmp_path / "r.pdf"
    r = runner.invoke(app, ["action", "report", *node, "--token", room, "--action-id", aid,
                            "--out", str(out), "--langs", "de,nl"])  # fmt: skip
    assert r.exit_code == 0 and "Etoile CLI" in pdf_text(out.read_bytes())


def test_the_board_streams_live_over_sse(be: Nodes, action_id: str) -> None:
    import threading

    got: list[dict[str, object]] = []
    connected = threading.Event()

    def read() -> None:
        with be.client(BE) as c, c.stream("GET", "/api/v1/actions/stream", timeout=20) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                connected.set()
                if line.startswith("data: "):
                    event = json.loads(line[6:])
                    if event.get("action_id") == action_id:
                        got.append(event)
                        return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert connected.wait(10)
    with be.client(BE) as c:
        body = {"submission_id": "live-000001", "checkpoint_id": "A2-Eijsden", "hits": 3}
        assert c.post(f"/api/v1/actions/{action_id}/results", json=body).status_code == 201
    reader.join(15)
    assert got and got[0]["board"]["by_checkpoint"]["A2-Eijsden"]["hits"] >= 12  # type: ignore[index]
