"""Two real nodes over HTTP: BE's pursuit enters NL; NL's control room is told and acknowledges.

Both nodes run as uvicorn servers on loopback with their background loops (the
outbox delivers within milliseconds when the partner is up). The tests stop and
restart NL to show that a notification to a partner that is down is kept and
delivered when it is back, never dropped; nothing sleeps: each step waits on its
condition with a deadline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

import pytest

from passerelle.audit.events import EventKind
from passerelle.audit.reader import AuditSearch
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country
from passerelle.federation.client import PartnerClient
from passerelle.node.context import NodeContext
from passerelle.ops.pursuits_notify import NotificationService, wire
from passerelle.ops.pursuits_runtime import NOTICE_KIND, NOTICE_PATH
from passerelle.ops.pursuits_service import PursuitService
from passerelle.ops.pursuits_texts import render
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.node.conftest import make_nodes
from tests.ops.pursuits_kit import (
    CONTROL,
    LANAKEN,
    LANAKEN_BORDER_NL,
    UNIT,
    Clock,
    Make,
    build,
    principal,
)

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL
NL_CONTROL = principal("control")


def wait_for(what: Callable[[], object], seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@dataclass
class Pair:
    demo: dict[Country, DemoNode]
    ctx: dict[Country, NodeContext]
    clock: dict[Country, Clock]
    servers: dict[Country, LiveServer] = field(default_factory=dict)
    outbox_offset: dict[Country, dt.timedelta] = field(default_factory=dict)

    def start(self, c: Country) -> None:
        self.servers[c] = LiveServer(create_app(self.ctx[c]), self.demo[c].port).__enter__()

    def stop(self, c: Country) -> None:
        self.servers.pop(c).__exit__(None, None, None)

    def outbox_clock(self, c: Country) -> Callable[[], dt.datetime]:
        """Real time, plus what ``skip_backoff`` added: the outbox's back-off runs on it."""
        return lambda: dt.datetime.now(dt.UTC) + self.outbox_offset.get(c, dt.timedelta())

    def skip_backoff(self, c: Country) -> None:
        """Move the outbox's clock past any back-off pause, then start a round."""
        self.outbox_offset[c] = self.outbox_offset.get(c, dt.timedelta()) + dt.timedelta(hours=1)
        self.ctx[c].outbox.wake()

    def notice_state(self, c: Country, key: str) -> str:
        items = self.ctx[c].outbox.items(kind=NOTICE_KIND, key=key)
        return items[0].state if items else "missing"


@pytest.fixture
def pair(make_nodes: Make) -> Iterator[Pair]:
    made = make_nodes(BE, NL)
    demo = {c: made[c][0] for c in (BE, NL)}
    ctx = {c: build(demo[c], ack_timeout_s=60, max_escalations=3) for c in (BE, NL)}
    clock = {c: Clock() for c in (BE, NL)}
    p = Pair(demo, ctx, clock)
    for c in (BE, NL):
        ctx[c].pursuits.set_clock(clock[c])
        ctx[c].outbox.clock = p.outbox_clock(c)
    with ExitStack() as stack:
        p.start(BE)
        p.start(NL)

        def stop_all() -> None:
            for c in list(p.servers):
                p.stop(c)

        stack.callback(stop_all)
        yield p


def _cross(pair: Pair) -> tuple[str, str]:
    """Open a pursuit in Lanaken and cross into Maastricht; returns (pursuit, notification)."""
    service = PursuitService(pair.ctx[BE])
    p = service.open(
        CONTROL, "grey Audi A4", "armed robbery", ["BE-12"], lat=LANAKEN[0], lon=LANAKEN[1]
    )
    pair.clock[BE].advance(minutes=3)
    result = service.add_position(UNIT, p.pursuit_id, *LANAKEN_BORDER_NL)
    (n,) = result.notifications
    return p.pursuit_id, n.notification_id


def test_crossing_reaches_nl_in_its_language_and_the_ack_comes_back(pair: Pair) -> None:
    pid, nid = _cross(pair)
    nl = NotificationService(pair.ctx[NL])
    wait_for(lambda: nl.received())
    (got,) = nl.received(active_only=True)
    assert got.notification_id == nid and got.origin_country is BE and got.kind == "entered"
    assert got.requires_ack and not got.acknowledged
    # the text is rendered at NL, in NL's language, from the code and its parameters
    (event,) = [e.data for e in pair.ctx[NL].live.recent(["ops.notifications"])]
    assert event["notification_id"] == nid and event["from_country"] == "BE"
    assert event["acknowledged"] is False and event["escalated"] is False
    msg = event["message"]
    assert msg["code"] == "pursuit_entered" and msg["params"]["subject"] == "grey Audi A4"
    assert event["text"] == render("pursuit_entered", msg["params"], "nl")
    assert set(event["texts"]) == {"fr", "nl", "de", "en"}
    assert "grey Audi A4" in event["texts"]["en"] and "Units: BE-12" in event["texts"]["en"]
    wait_for(lambda: NotificationService(pair.ctx[BE]).sent(pid)[0].delivered_at is not None)

    acked = nl.acknowledge(nid, NL_CONTROL)
    assert acked.acknowledged and acked.acknowledged_by == "NL:control"
    assert nl.received(active_only=True) == []
    assert nl.acknowledge(nid, NL_CONTROL).acknowledged_at == acked.acknowledged_at  # idempotent
    be = NotificationService(pair.ctx[BE])
    wait_for(lambda: be.sent(pid)[0].acknowledged)
    assert be.sent(pid)[0].acknowledged_by == "NL:control"
    steps = [e["event"] for e in PursuitService(pair.ctx[BE]).timeline(pid)["events"]]
    assert steps.count("acknowledged") == 1 and "delivered" in steps
    live = [e.data["event"] for e in pair.ctx[BE].live.recent(["ops.pursuits"])]
    assert "acknowledged" in live
    # audited at both nodes, paired by the notification id
    at_nl = {e.outcome for e in pair.ctx[NL].audit.search(AuditSearch(exchange_id=nid))}
    at_be = {e.outcome for e in pair.ctx[BE].audit.search(AuditSearch(exchange_id=nid))}
    assert at_nl == {"notification_received", "acknowledged"}
    assert {"delivered", "acknowledged"} <= at_be
    crossing = pair.ctx[BE].audit.search(AuditSearch(kind=EventKind.PURSUIT, partner=None))
    assert any(r.recipients and r.recipients[0].country is NL for r in crossing)


def test_partner_down_then_back_nothing_dropped_and_escalation(pair: Pair) -> None:
    pair.stop(NL)
    pid, nid = _cross(pair)
    be = NotificationService(pair.ctx[BE])
    wait_for(lambda: pair.ctx[BE].outbox.items(key=nid)[0].attempts >= 1)
    assert pair.notice_state(BE, nid) == "pending"
    assert pair.ctx[BE].outbox.items(key=nid)[0].last_error
    # nobody acknowledged within ack_timeout_s: BE escalates (sends again, flags, live event)
    pair.clock[BE].advance(seconds=61)
    assert be.sweep() == 1
    (sent,) = be.sent(pid)
    assert sent.escalated and sent.delivered_at is None
    escalated = [e.data for e in pair.ctx[BE].live.recent(["ops.pursuits"])]
    assert escalated[-1]["event"] == "escalated" and escalated[-1]["partner"] == "NL"

    pair.start(NL)
    pair.skip_backoff(BE)
    nl = NotificationService(pair.ctx[NL])
    wait_for(lambda: pair.notice_state(BE, f"{nid}#1") == "delivered")
    assert pair.notice_state(BE, nid) == "delivered"  # in order: the first one too
    (got,) = nl.received()
    assert got.notification_id == nid and got.escalated and got.escalations == 1
    wait_for(lambda: be.sent(pid)[0].delivered_at is not None)
    nl.acknowledge(nid, NL_CONTROL)
    wait_for(lambda: be.sent(pid)[0].acknowledged)
    pair.clock[BE].advance(hours=1)
    assert be.sweep() == 0  # acknowledged: no more escalation


def test_the_same_message_twice_is_stored_once(pair: Pair) -> None:
    pid, nid = _cross(pair)
    nl = NotificationService(pair.ctx[NL])
    wait_for(lambda: nl.received())
    (n,) = NotificationService(pair.ctx[BE]).sent(pid)
    entry = pair.ctx[BE].trust.get(NL)
    assert entry is not None

    async def again() -> None:
        client = PartnerClient(pair.ctx[BE].key, pair.ctx[BE].trust)  # this event loop's own
        try:
            for _ in range(2):
                r = await client.call(entry, NOTICE_PATH, wire(n, 0), 10)
                assert r.status == "ok", r.detail
                assert r.data is not None and r.data["notification_id"] == nid
        finally:
            await client.aclose()

    asyncio.run(again())
    assert [x.notification_id for x in nl.received()] == [nid]
    assert len(pair.ctx[NL].live.recent(["ops.notifications"])) == 1
    received = pair.ctx[NL].audit.search(AuditSearch(exchange_id=nid))
    assert [r.outcome for r in received] == ["notification_received"]


def test_nl_escalates_its_own_unacknowledged_notification(pair: Pair) -> None:
    _cross(pair)
    nl = NotificationService(pair.ctx[NL])
    wait_for(lambda: nl.received())
    pair.clock[NL].advance(seconds=59)
    assert nl.sweep() == 0
    pair.clock[NL].advance(seconds=1)
    assert nl.sweep() == 1
    (got,) = nl.received(active_only=True)
    assert got.escalated and got.escalations == 1
    events = [e.data for e in pair.ctx[NL].live.recent(["ops.notifications"])]
    assert [e["escalated"] for e in events] == [False, True]


def test_a_forged_or_misdirected_notification_is_refused(pair: Pair) -> None:
    _pid, _nid = _cross(pair)
    (n,) = NotificationService(pair.ctx[BE]).sent()
    entry = pair.ctx[BE].trust.get(NL)
    assert entry is not None
    as_de = {**wire(n, 0), "notification_id": "BE-x", "origin_country": "DE"}
    for_lu = {**wire(n, 0), "notification_id": "BE-y", "partner_country": "LU"}

    async def send() -> list[tuple[int, str]]:
        client = PartnerClient(pair.ctx[BE].key, pair.ctx[BE].trust)
        out: list[tuple[int, str]] = []
        try:
            for body in (as_de, for_lu, {"kind": "entered"}):
                r = await client.call(entry, NOTICE_PATH, body, 10)
                out.append((r.http_status, r.status))
        finally:
            await client.aclose()
        return out

    assert [s for s, _ in asyncio.run(send())] == [403, 403, 422]
    ids = [x.notification_id for x in NotificationService(pair.ctx[NL]).received()]
    assert "BE-x" not in ids and "BE-y" not in ids
