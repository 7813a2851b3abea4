"""A patrol change reaches a partner that was down; a lost end cannot keep access open.

Real nodes on loopback: NL runs as a uvicorn server that the tests stop and restart;
BE runs in-process (its calls to NL are real signed HTTP calls) with a fake clock, and
the tests drive its retry loop one round at a time: nothing sleeps.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from passerelle.auth.roles import Principal, Role
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.ops.patrols import PatrolStatus
from passerelle.ops.service import PatrolService
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]  # the fixture: demo nodes with their keys and trust wired

BE, NL = Country.BE, Country.NL
Make = Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]]
OFFICER = Principal(
    subject="officer",
    name="Officer",
    roles=frozenset({Role.OFFICER}),
    issuer="test",
    token_id="t-1",
    expires_at=0,
)


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@dataclass
class Pair:
    demo: dict[Country, DemoNode]
    ctx: dict[Country, NodeContext]
    clock: dict[Country, Clock]
    servers: dict[Country, LiveServer] = field(default_factory=dict)

    def start(self, c: Country) -> None:
        self.servers[c] = LiveServer(create_app(self.ctx[c]), self.demo[c].port).__enter__()

    def stop(self, c: Country) -> None:
        self.servers.pop(c).__exit__(None, None, None)

    def nl_status(self, pid: str) -> PatrolStatus | None:
        copy = self.ctx[NL].patrols.store.get(pid)
        return copy.status if copy is not None else None

    async def check_at_nl(self, pid: str) -> dict[str, Any]:
        """A signed joint-control check from BE straight to NL: NL decides on its copy."""
        payload = {
            "check_id": uuid.uuid4().hex,
            "kind": "person",
            "subject": {"family_name": "Janssens", "birth_date": "1980-03-02"},
            "context": {
                "purpose": "joint_control",
                "justification": "roadside check near Vaals",
                "patrol_id": pid,
                "case_ref": None,
                "authorisation_ref": None,
            },
            "officer": {"subject": "officer", "role": "officer"},
        }
        entry = self.ctx[BE].trust.get(NL)
        assert entry is not None
        r = await self.ctx[BE].client.call(entry, "/federation/v1/checks/person", payload, 10)
        assert r.status == "ok" and r.data is not None, (r.status, r.detail)
        return r.data


@pytest.fixture
def pair(make_nodes: Make) -> Iterator[Pair]:
    made = make_nodes(BE, NL)
    demo = {c: made[c][0] for c in (BE, NL)}
    ctx = {c: NodeContext.build(load_settings(demo[c].config)) for c in (BE, NL)}
    clock = {c: Clock() for c in (BE, NL)}
    for c in (BE, NL):
        ctx[c].patrols.set_clock(clock[c])
    p = Pair(demo, ctx, clock)
    with ExitStack() as stack:
        p.start(NL)

        def stop_all() -> None:
            for c in list(p.servers):
                p.stop(c)

        stack.callback(stop_all)
        yield p


def test_an_end_missed_by_a_partner_is_retried_until_it_lands(pair: Pair) -> None:
    async def scenario() -> None:
        service = PatrolService(pair.ctx[BE])
        pid = (
            await service.create(OFFICER, ["BE:officer", "NL:officer"], start=True)
        ).patrol.patrol_id
        assert pair.nl_status(pid) is PatrolStatus.ACTIVE
        assert (await pair.check_at_nl(pid))["status"] != "refused"

        pair.stop(NL)
        ended = await service.end(OFFICER, pid)
        assert ended.patrol.status is PatrolStatus.ENDED
        nl = ended.copies["NL"]
        assert nl.state == "pending" and nl.since == pair.clock[BE].now
        assert ended.sync["NL"].startswith(f"pending since {pair.clock[BE].now.isoformat()}")
        assert pair.nl_status(pid) is PatrolStatus.ACTIVE  # NL missed the end

        copies = pair.ctx[BE].patrols.copies
        assert await copies.deliver() == 0  # not due again before the back-off
        pair.start(NL)
        assert await copies.deliver() == 0
        assert pair.nl_status(pid) is PatrolStatus.ACTIVE
        pair.clock[BE].advance(seconds=pair.ctx[BE].settings.patrols.sync_retry_s)
        assert await copies.deliver() == 1  # one round of the node's retry loop
        assert pair.nl_status(pid) is PatrolStatus.ENDED
        state = service.copies_of(pid)["NL"]
        assert state.state == "registered" and state.last_error is None
        answer = await pair.check_at_nl(pid)
        assert answer["status"] == "refused" and answer["reason"] == "patrol_ended"
        assert await copies.deliver() == 0  # nothing left to send

    asyncio.run(scenario())


def test_a_later_change_resends_the_newest_version(pair: Pair) -> None:
    async def scenario() -> None:
        service = PatrolService(pair.ctx[BE])
        pair.stop(NL)
        created = await service.create(OFFICER, ["BE:officer", "NL:officer"])
        pid = created.patrol.patrol_id
        first = created.copies["NL"]
        assert first.state == "pending" and first.attempts == 1
        pair.clock[BE].advance(minutes=5)
        pair.start(NL)
        started = await service.start(OFFICER, pid)  # pushed at once, back-off or not
        nl = started.copies["NL"]
        assert nl.state == "registered" and started.sync == {"NL": "registered"}
        assert pair.nl_status(pid) is PatrolStatus.ACTIVE

    asyncio.run(scenario())


def test_the_providing_node_ends_its_copy_after_the_maximum_shift(pair: Pair) -> None:
    async def scenario() -> None:
        service = PatrolService(pair.ctx[BE])
        planned_end = pair.clock[BE].now + dt.timedelta(hours=20)  # beyond the 12 h limit
        change = await service.create(
            OFFICER, ["BE:officer", "NL:officer"], start=True, planned_end=planned_end
        )
        pid = change.patrol.patrol_id
        started = change.patrol.started_at
        assert started is not None
        hours = pair.ctx[NL].settings.patrols.max_active_hours
        assert hours == 12
        # NL's copy stays "active" (no end ever arrives); NL's own clock closes it.
        pair.clock[NL].now = started + dt.timedelta(hours=hours) - dt.timedelta(seconds=1)
        assert (await pair.check_at_nl(pid))["status"] != "refused"
        pair.clock[NL].now = started + dt.timedelta(hours=hours)
        answer = await pair.check_at_nl(pid)
        assert answer["status"] == "refused" and answer["reason"] == "patrol_ended"
        assert pair.nl_status(pid) is PatrolStatus.ACTIVE
        assert pid not in [p.patrol_id for p in PatrolService(pair.ctx[NL]).for_officer(OFFICER)]

    asyncio.run(scenario())


def test_the_node_retries_in_the_background(make_nodes: Make) -> None:
    """Started with the node: the loop delivers a pending copy without any later change."""
    made = make_nodes(BE, NL)
    demo = {c: made[c][0] for c in (BE, NL)}
    fast = {"sync_retry_s": 0.1}
    ctx = {c: NodeContext.build(load_settings(demo[c].config, patrols=fast)) for c in (BE, NL)}
    idp = ctx[BE].idp
    assert idp is not None
    token = idp.issue("officer", [Role.OFFICER])
    auth = {"Authorization": f"Bearer {token}"}
    with (
        LiveServer(create_app(ctx[BE]), demo[BE].port) as be,
        httpx.Client(base_url=be.url, headers=auth) as c,
    ):
        r = c.post(
            "/api/v1/ops/patrols", json={"crew": ["BE:officer", "NL:officer"], "start": True}
        )
        assert r.status_code == 201, r.text
        pid = r.json()["patrol_id"]
        assert r.json()["copies"]["NL"]["state"] == "pending"
        assert r.json()["sync"]["NL"].startswith("pending since ")
        with LiveServer(create_app(ctx[NL]), demo[NL].port):
            deadline = time.monotonic() + 15
            while c.get(f"/api/v1/ops/patrols/{pid}").json()["sync"] != {"NL": "registered"}:
                assert time.monotonic() < deadline, "the copy never reached NL"
                time.sleep(0.05)  # polling a condition with a deadline, not waiting blindly
            copy = ctx[NL].patrols.store.get(pid)
            assert copy is not None and copy.status is PatrolStatus.ACTIVE
