"""The operations demo against real BE and NL nodes (uvicorn), its clock sped up: a joint
patrol on duty at both nodes, a pursuit from Lanaken crossing into the Netherlands with
NL's control room notified, and a joint action whose board fills up."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from passerelle.domain.countries import Country
from passerelle.ops.actions_service import ActionService
from passerelle.ops.patrols import PatrolStatus
from passerelle.ops.pursuits_notify import NotificationService
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.web.conftest import make_web_nodes

BORDER = ((50.8800, 5.6600), (50.8760, 5.6650))  # BE → NL, about 550 m


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"demo: {what} never happened"
        time.sleep(0.05)


def test_the_ops_demo_plays_its_scenario(tmp_path: Path) -> None:
    from passerelle.demo.ops import OpsDemo, start_ops_demo

    nodes = make_web_nodes(tmp_path / "nodes", Country.BE, Country.NL)
    assert start_ops_demo([nodes.nodes[Country.BE]]) is None  # needs BE and NL
    ctx = {c: nodes.context(c) for c in (Country.BE, Country.NL)}
    printed: list[str] = []
    with (
        LiveServer(create_app(ctx[Country.NL]), nodes.nodes[Country.NL].port),
        LiveServer(create_app(ctx[Country.BE]), nodes.nodes[Country.BE].port),
    ):
        demo = OpsDemo(
            list(nodes.nodes.values()), printed.append, tick_s=0.2, path=BORDER, speed_ms=10
        )
        demo.start()
        try:
            _until(lambda: any("Operations demo (running)" in p for p in printed), "start")
            text = printed[0]
            assert "/control-room" in text and demo.patrol_id in text and demo.action_id in text
            copy = ctx[Country.NL].patrols.store.get(demo.patrol_id)
            assert copy is not None and copy.status is PatrolStatus.ACTIVE
            assert copy.vehicle == "Combi BE/NL 7 (demo)"
            events = ctx[Country.NL].live.recent(["ops.patrols"])  # NL's control room saw it
            assert any(e.data["change"] == "copy_active" for e in events)
            received = NotificationService(ctx[Country.NL]).received
            _until(lambda: any(n.kind == "entered" for n in received()), "NL notified")
            board = ActionService(ctx[Country.NL]).board
            _until(lambda: board(demo.action_id)["totals"]["persons_checked"] > 0, "results")
            _until(lambda: demo.pursuit_id is None and demo.pause > 0, "the pursuit's end")
        finally:
            demo.stop()
    assert not demo.is_alive()
    assert not [p for p in printed if "failed" in p], printed
