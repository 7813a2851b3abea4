"""A requesting node that is down when the answer is given still gets it: retry or pull."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from passerelle.auth.roles import Role
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.requests.model import Direction
from passerelle.storage.tables import follow_up_requests
from tests.requests.conftest import Net, start_net

BE, NL = Country.BE, Country.NL
CP: dict[str, Any] = {"role": Role.CONTACT_POINT, "subject": "spoc-nl-7"}
FAST = {"background_delivery": True, "answer_retry_s": 0.1}
Make = Callable[..., dict[Country, tuple[DemoNode, dict[str, str]]]]


def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    """Wait on a condition with a deadline (no fixed sleep)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.05)


def attempts(net: Net, c: Country, rid: str, direction: Direction) -> int:
    t = follow_up_requests
    query = sa.select(t.c.delivery_attempts).where(
        t.c.request_id == rid, t.c.direction == direction.value
    )
    with net.ctx[c].engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def status(net: Net, rid: str, refresh: bool = False) -> str:
    path = f"/api/v1/requests/{rid}" + ("?refresh=true" if refresh else "")
    return str(net.call(BE, "GET", path).json()["status"])


def grant_while_be_is_down(net: Net) -> str:
    rid = str(net.send(net.reference()).json()["request_id"])
    net.stop(BE)
    path = f"/api/v1/requests/incoming/{rid}/grant"
    granted = net.call(NL, "POST", path, body={"fields": ["category"]}, **CP)
    assert granted.status_code == 200, granted.text
    assert granted.json()["delivered"] is False  # BE is down: the answer waits at NL
    return rid


def channel(net: Net, rid: str) -> str:
    return str(net.ctx[BE].audit.pair(rid)[-1].detail["channel"])


def test_provider_retries_the_push_until_the_requester_is_back(make_nodes: Make) -> None:
    net = start_net(make_nodes, (BE, NL), {NL: FAST})
    with net.stack:
        rid = grant_while_be_is_down(net)
        wait_for(lambda: attempts(net, NL, rid, Direction.INCOMING) >= 3)  # retried, BE still down
        net.start(BE)
        wait_for(lambda: status(net, rid) == "granted")
        assert channel(net, rid) == "push"
        queue = net.call(NL, "GET", "/api/v1/requests/incoming?status=all", **CP).json()
        assert queue["requests"][0]["delivered"] is True
        got = net.call(BE, "GET", f"/api/v1/requests/{rid}").json()
        assert got["record"] == {"category": "drugs"}


def test_requester_pulls_the_answer_it_missed(make_nodes: Make) -> None:
    net = start_net(make_nodes, (BE, NL), {BE: FAST})
    with net.stack:
        rid = grant_while_be_is_down(net)
        net.start(BE)  # NL does not retry here: BE's own loop pulls when it comes back
        wait_for(lambda: status(net, rid) == "granted")
        assert channel(net, rid) == "pull"
        queue = net.call(NL, "GET", "/api/v1/requests/incoming?status=all", **CP).json()
        assert queue["requests"][0]["delivered"] is True


def test_officer_can_ask_for_a_refresh(make_nodes: Make) -> None:
    net = start_net(make_nodes, (BE, NL))  # no background delivery on either node
    with net.stack:
        rid = grant_while_be_is_down(net)
        net.start(BE)
        assert status(net, rid) == "pending"
        assert status(net, rid, refresh=True) == "granted"
        assert channel(net, rid) == "pull"


def test_only_the_requesting_node_can_pull_or_answer(make_nodes: Make) -> None:
    net = start_net(make_nodes, (BE, NL, Country.LU))
    with net.stack:
        import asyncio

        from passerelle.federation.client import PartnerClient

        rid = str(net.send(net.reference()).json()["request_id"])
        lu = net.ctx[Country.LU]

        async def as_lu(country: Country, path: str, body: dict[str, Any]) -> tuple[str, str]:
            partner = lu.trust.get(country)
            assert partner is not None
            async with PartnerClient(lu.key, lu.trust) as client:
                r = await client.call(partner, path, body, 5.0)
            return r.status, r.detail

        # LU cannot read NL's answer to BE, nor push a forged answer into BE
        assert asyncio.run(as_lu(NL, f"/federation/v1/requests/{rid}/answer", {})) == (
            "error",
            "request_not_found",
        )
        forged = {
            "request_id": rid,
            "status": "refused",
            "deadline_at": "2030-01-01T00:00:00+00:00",
            "refusal_reason": "forged",
        }
        assert asyncio.run(as_lu(BE, "/federation/v1/requests/answers", forged)) == (
            "error",
            "request_not_found",
        )
        assert status(net, rid) == "pending"
