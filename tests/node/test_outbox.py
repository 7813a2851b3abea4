"""The outbox delivers to a real partner node, in order, retries, and never drops.

NL runs as a real uvicorn server that the tests stop and start; BE sends from
in-process with a settable clock, one delivery round at a time (nothing sleeps).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
import sqlalchemy as sa

from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.node.outbox import Outbox, OutboxItem
from passerelle.retention.catalogue import builtin_rules
from passerelle.settings import load_settings
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL
HELLO = "/federation/v1/hello"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now


class Nodes:
    def __init__(self, demo: dict[Country, DemoNode]) -> None:
        self.demo = demo
        self.ctx = {c: NodeContext.build(load_settings(demo[c].config)) for c in demo}
        self.clock = Clock()
        be = self.ctx[BE]
        self.outbox = Outbox(
            be.engine,
            trust=be.trust,
            client=lambda: be.client,
            timeout_s=5.0,
            retry_s=2.0,
            max_backoff_s=30.0,
            clock=self.clock,
        )
        self.server: LiveServer | None = None

    def start_nl(self) -> None:
        self.server = LiveServer(create_app(self.ctx[NL]), self.demo[NL].port).__enter__()

    def stop_nl(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None


@pytest.fixture
def nodes(make_nodes: Callable[..., dict[Country, tuple[DemoNode, Any]]]) -> Iterator[Nodes]:
    made = make_nodes(BE, NL)
    n = Nodes({c: made[c][0] for c in (BE, NL)})
    with ExitStack() as stack:
        stack.callback(n.stop_nl)
        yield n


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_enqueue_is_idempotent_per_partner_kind_and_key(nodes: Nodes) -> None:
    box = nodes.outbox
    first = box.enqueue(NL, HELLO, {"n": 1}, kind="test", key="a")
    assert box.enqueue(NL, HELLO, {"n": 2}, kind="test", key="a") == first
    assert box.enqueue(NL, HELLO, {"n": 3}, kind="other", key="a") != first
    items = box.items(kind="test")
    assert [(i.key, i.payload, i.state) for i in items] == [("a", {"n": 1}, "pending")]


def test_a_partner_down_gets_every_message_in_order_when_it_is_back(nodes: Nodes) -> None:
    box = nodes.outbox
    landed: list[tuple[str, str]] = []

    def seen(item: OutboxItem, answer: dict[str, Any]) -> None:
        landed.append((item.key, answer["country"]))

    box.on_delivered("test", seen)
    for key in ("m1", "m2", "m3"):
        box.enqueue(NL, HELLO, {"key": key}, kind="test", key=key)

    assert run(box.deliver()) == 0  # NL is down: the oldest fails, the others wait
    items = box.items(kind="test")
    assert [i.state for i in items] == ["pending"] * 3
    assert items[0].attempts == 1 and items[0].last_error
    assert items[1].attempts == 0 and items[2].attempts == 0  # never overtook m1
    nodes.start_nl()
    assert run(box.deliver()) == 0  # still in m1's pause
    nodes.clock.now += dt.timedelta(seconds=2)
    assert run(box.deliver()) == 3
    assert landed == [("m1", "NL"), ("m2", "NL"), ("m3", "NL")]
    assert {i.state for i in box.items(kind="test")} == {"delivered"}
    assert box.counts() == {"delivered": 3}
    assert run(box.deliver()) == 0  # nothing is sent twice


def test_the_pause_doubles_up_to_the_cap(nodes: Nodes) -> None:
    box = nodes.outbox
    box.enqueue(NL, HELLO, {}, kind="test", key="x")
    pauses = []
    for _ in range(7):
        run(box.deliver())
        (item,) = box.items(kind="test")
        assert item.next_attempt_at is not None
        pauses.append((item.next_attempt_at - nodes.clock.now).total_seconds())
        nodes.clock.now = item.next_attempt_at
    assert pauses == [2, 4, 8, 16, 30, 30, 30]


def test_a_refusal_is_kept_as_rejected_and_can_be_sent_again(nodes: Nodes) -> None:
    box = nodes.outbox
    nodes.start_nl()
    # A malformed patrol copy: NL answers 400 patrol_malformed, a permanent refusal.
    box.enqueue(NL, "/federation/v1/patrols", {"nonsense": True}, kind="test", key="bad")
    box.enqueue(NL, HELLO, {}, kind="test", key="good")
    assert run(box.deliver()) == 1  # the refusal does not block the next message
    bad, good = box.items(kind="test")
    assert bad.state == "rejected" and "patrol_malformed" in (bad.last_error or "")
    assert good.state == "delivered"
    assert box.requeue([bad.id]) == 1
    assert box.items(key="bad")[0].state == "pending"


def test_a_message_enqueued_in_a_transaction_is_pushed_once_committed(nodes: Nodes) -> None:
    nodes.start_nl()
    box = nodes.outbox

    async def scenario() -> list[float]:
        box.start_background()
        try:
            loop = asyncio.get_running_loop()
            latencies = []
            for n in range(5):
                key = f"tx{n}"

                def write(key: str = key) -> None:
                    with nodes.ctx[BE].engine.begin() as conn:
                        box.enqueue(NL, HELLO, {}, kind="test", key=key, conn=conn)
                        # A slow commit: SQLAlchemy's "commit" event (which wakes the
                        # outbox) fires before the database commits.
                        sa.event.listen(conn, "commit", lambda _c: time.sleep(0.1), once=True)

                started = loop.time()
                await asyncio.to_thread(write)  # from a worker thread, as services do
                while box.items(key=key)[0].state != "delivered":
                    assert loop.time() - started < 5, "not delivered"
                    await asyncio.sleep(0.002)
                latencies.append(loop.time() - started)
            return latencies
        finally:
            await box.stop_background()

    # Woken when the transaction commits, not at the next timer round (1 s): without
    # looking again after the commit, every one of them takes a second or more.
    assert statistics.median(run(scenario())) < 0.9


def test_settled_messages_have_retention_rules_pending_ones_none() -> None:
    rules = {r.name: r for r in builtin_rules(Country.BE) if r.table == "outbox_messages"}
    assert dict(rules["outbox_delivered"].condition) == {"state": "delivered"}
    assert dict(rules["outbox_rejected"].condition) == {"state": "rejected"}
    assert all(dict(r.condition).get("state") != "pending" for r in rules.values())


def test_the_node_context_has_one_outbox(nodes: Nodes) -> None:
    ctx = nodes.ctx[BE]
    assert ctx.outbox is ctx.outbox
    ctx.outbox.enqueue(NL, HELLO, {}, kind="test", key="k")
    with ctx.engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM outbox_messages")).scalar_one()
    assert n == 1
