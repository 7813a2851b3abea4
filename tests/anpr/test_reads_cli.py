"""``passerelle anpr cameras|reads|quarantine`` against a running node."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from passerelle.auth.roles import Role
from passerelle.cli import app
from passerelle.domain.countries import Country
from passerelle.web.app import create_app
from tests.anpr.ingest_support import Clock, make_ctx
from tests.conftest import LiveServer

runner = CliRunner()


def test_cameras_then_reads_from_files(tmp_path: Path) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.NL, clock=clock, cameras=False)
    assert ctx.idp is not None
    token = ctx.idp.issue("admin", [Role.ADMIN])
    cameras = tmp_path / "cameras.csv"
    cameras.write_text(
        "camera_id,site,country,road,lat,lon,direction\n"
        "NL-A2-MZ,A2 Maastricht-Zuid,NL,A2,50.82,5.71,N\n"
    )
    reads = tmp_path / "reads.jsonl"
    now = clock.now.isoformat()
    lines = [
        {"read_id": f"r{i}", "camera_id": "NL-A2-MZ", "read_at": now, "plate": f"AB-{i:03d}-C"}
        for i in range(12)
    ]
    lines.append({"read_id": "x", "camera_id": "NL-A2-MZ", "read_at": now, "plate": "???"})
    reads.write_text("\n".join(json.dumps(x) for x in lines))
    with LiveServer(create_app(ctx)) as server:
        common = ["--node", server.url, "--token", token]
        done = runner.invoke(app, ["anpr", "cameras", "import", str(cameras), *common])
        assert done.exit_code == 0, done.output
        listed = runner.invoke(app, ["anpr", "cameras", "list", *common, "--json"])
        assert json.loads(listed.output)["cameras"][0]["road"] == "A2"
        sent = runner.invoke(
            app, ["anpr", "reads", "send", str(reads), *common, "--batch", "5", "--json"]
        )
        assert sent.exit_code == 0, sent.output
        summary = json.loads(sent.output)
        assert summary["accepted"] == 12 and summary["stored"] == 12
        assert summary["quarantined"] == {"garbage_plate": 1} and summary["rejected"] == 0
        counted = runner.invoke(app, ["anpr", "quarantine", *common])
        assert counted.output.strip() == "garbage_plate\t1"
