"""Joint actions between two real nodes over signed HTTP: BE organises, NL takes part.

Both nodes run as uvicorn servers with their outbox loops; a node "restarts" as
a new context on the same database and keys. Waits are on conditions with a
deadline, never fixed sleeps.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Principal, Role
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.ops.actions_service import ActionService
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL
Make = Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]]
ROOM = Principal(
    subject="room",
    name="Control room",
    roles=frozenset({Role.CONTROL_ROOM}),
    issuer="test",
    token_id="t-1",
    expires_at=0,
)
OFFICER = Principal(
    subject="officer",
    name="Officer",
    roles=frozenset({Role.OFFICER}),
    issuer="test",
    token_id="t-2",
    expires_at=0,
)


def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


@dataclass
class Nodes:
    demo: dict[Country, DemoNode]
    ctx: dict[Country, NodeContext] = field(default_factory=dict)
    servers: dict[Country, LiveServer] = field(default_factory=dict)

    def start(self, c: Country) -> NodeContext:
        settings = load_settings(self.demo[c].config)
        settings.federation.outbox_retry_s = 0.1
        settings.federation.outbox_max_backoff_s = 0.3
        self.ctx[c] = NodeContext.build(settings)
        self.servers[c] = LiveServer(create_app(self.ctx[c]), self.demo[c].port).__enter__()
        return self.ctx[c]

    def stop(self, c: Country) -> None:
        self.servers.pop(c).__exit__(None, None, None)

    def client(self, c: Country, user: str = "officer", *roles: Role) -> httpx.Client:
        idp = self.ctx[c].idp
        assert idp is not None
        token = idp.issue(user, list(roles) or [Role.OFFICER])
        return httpx.Client(
            base_url=self.servers[c].url, headers={"Authorization": f"Bearer {token}"}, timeout=20
        )


@pytest.fixture
def nodes(make_nodes: Make) -> Iterator[Nodes]:
    made = make_nodes(BE, NL)
    n = Nodes({c: made[c][0] for c in (BE, NL)})
    try:
        for c in (BE, NL):
            n.start(c)
        yield n
    finally:
        for c in list(n.servers):
            n.stop(c)


def plan_body(now: dt.datetime) -> dict[str, Any]:
    return {
        "name": "Etoile Maas-Rijn",
        "starts_at": (now - dt.timedelta(hours=2)).isoformat(),
        "ends_at": (now + dt.timedelta(hours=40)).isoformat(),
        "participants": [
            {"country": "BE", "services": ["police", "customs"]},
            {"country": "NL", "services": ["police", "customs", "border_police"]},
            {"country": "FR", "services": ["customs"]},
        ],
        "checkpoints": [
            {"checkpoint_id": "E25-Lanaken", "name": "E314 Lanaken", "lat": 50.89, "lon": 5.65},
            {"checkpoint_id": "A2-Eijsden", "name": "A2 Eijsden", "lat": 50.77, "lon": 5.72},
        ],
        "objectives": ["drug tourism", "trafficking on the E25"],
    }


def result(sid: str, cp: str = "A2-Eijsden", **extra: Any) -> dict[str, Any]:
    return {"submission_id": sid, "checkpoint_id": cp, "persons_checked": 3, **extra}


def test_plan_results_board_and_shared_records(nodes: Nodes) -> None:
    now = dt.datetime.now(dt.UTC)
    with nodes.client(BE, "room", Role.CONTROL_ROOM) as be:
        r = be.post("/api/v1/actions", json=plan_body(now))
        assert r.status_code == 201, r.text
        aid = r.json()["action_id"]
        assert r.json()["status"] == "running"
    nl_service = ActionService(nodes.ctx[NL])
    wait_for(lambda: nodes.ctx[NL].engine and nl_service.store.get(aid))
    with nodes.client(NL) as nl:
        seized = [{"type": "cannabis", "quantity": 1.5, "unit": "kg"}]
        first = result("nl-000001", hits=1, arrests=1, seizures=seized)
        assert nl.post(f"/api/v1/actions/{aid}/results", json=first).status_code == 201
        again = nl.post(f"/api/v1/actions/{aid}/results", json=first)
        assert again.status_code == 200 and again.json()["created"] is False
        changed = nl.post(f"/api/v1/actions/{aid}/results", json={**first, "hits": 2})
        assert changed.status_code == 409
        assert changed.json()["error"]["code"] == "action_result_conflict"
        shared = result("nl-000002", "E25-Lanaken", arrests=1, note="suspect A.B.", share=True)
        assert nl.post(f"/api/v1/actions/{aid}/results", json=shared).status_code == 201
        r = nl.post(f"/api/v1/actions/{aid}/results", json={**first, "submission_id": "x"})
        assert r.status_code == 422
    # FR has no node: BE registers its results; NL may not.
    with nodes.client(BE) as be:
        fr = {**result("fr-000001", "E25-Lanaken"), "country": "FR", "service": "customs"}
        assert be.post(f"/api/v1/actions/{aid}/results", json=fr).status_code == 201
    with nodes.client(NL) as nl:
        r = nl.post(f"/api/v1/actions/{aid}/results", json={**fr, "submission_id": "fr-2222"})
        assert r.status_code == 403

    def board_at_be() -> dict[str, Any] | None:
        board = ActionService(nodes.ctx[BE]).board(aid)
        return board if board["by_country"].get("NL", {}).get("results") == 2 else None

    board = wait_for(board_at_be)
    assert board["totals"]["persons_checked"] == 9 and board["totals"]["arrests"] == 2
    assert board["by_country"]["FR"]["persons_checked"] == 3
    assert board["by_checkpoint"]["E25-Lanaken"]["persons_checked"] == 6
    assert board["totals"]["seizures"] == [{"type": "cannabis", "unit": "g", "quantity": 1500.0}]
    # the organiser shares the board back: NL sees FR's figures too
    wait_for(lambda: "FR" in ActionService(nodes.ctx[NL]).board(aid)["by_country"])
    # only the record NL chose to share reached BE, audited at both ends
    records = wait_for(lambda: nodes.ctx[BE] and ActionService(nodes.ctx[BE]).store.shared(aid))
    assert [x["submission_id"] for x in records] == ["nl-000002"]
    assert records[0]["note"] == "suspect A.B."
    exchange = f"{aid}/NL/nl-000002"
    at_nl = {e.kind for e in nodes.ctx[NL].audit.search(AuditSearch(exchange_id=exchange))}
    at_be = {e.kind for e in nodes.ctx[BE].audit.search(AuditSearch(exchange_id=exchange))}
    assert {"collection", "disclosure"} <= at_nl and "collection" in at_be
    assert ActionService(nodes.ctx[BE]).store.results(aid, "NL") == []  # raw stays in NL
    with nodes.client(BE) as be:
        assert len(be.get(f"/api/v1/actions/{aid}/records").json()) == 1
    consulted = nodes.ctx[BE].audit.search(AuditSearch(kind="consultation"))
    assert any(e.legal_ref.case_ref == aid for e in consulted)
    events = nodes.ctx[BE].live.recent(["ops.actions"])
    assert events and events[-1].data["action_id"] == aid


def test_an_organiser_down_for_a_while_gets_every_result(nodes: Nodes) -> None:
    now = dt.datetime.now(dt.UTC)
    organiser = ActionService(nodes.ctx[BE])
    import anyio

    action = anyio.run(organiser.plan, ROOM, plan_body(now))
    wait_for(lambda: ActionService(nodes.ctx[NL]).store.get(action.action_id))
    nodes.stop(BE)
    nl = ActionService(nodes.ctx[NL])
    for i in range(12):
        nl.register_result_sync(OFFICER, action.action_id, result(f"down-{i:04d}", hits=i % 2))
    # one batch is on its way (retried); the changes made meanwhile wait for it
    wait_for(lambda: nodes.ctx[NL].outbox.items(kind="action_batch", state="pending"))
    assert nl.board(action.action_id)["pending"] == {"BE": 1}
    back = nodes.start(BE)
    board = wait_for(
        lambda: (b := ActionService(back).board(action.action_id))["totals"]["results"] == 12 and b
    )
    assert board["totals"]["persons_checked"] == 36 and board["totals"]["hits"] == 6
    wait_for(lambda: not nl.board(action.action_id)["pending"])


def test_a_participant_down_gets_the_plan_when_it_is_back(nodes: Nodes) -> None:
    nodes.stop(NL)
    with nodes.client(BE, "room", Role.CONTROL_ROOM) as be:
        aid = be.post("/api/v1/actions", json=plan_body(dt.datetime.now(dt.UTC))).json()[
            "action_id"
        ]
    wait_for(lambda: nodes.ctx[BE].outbox.items(kind="action_plan", state="pending"))
    back = nodes.start(NL)
    action = wait_for(lambda: ActionService(back).store.get(aid))
    assert action.organiser == "BE" and [c.checkpoint_id for c in action.checkpoints] == [
        "E25-Lanaken",
        "A2-Eijsden",
    ]
