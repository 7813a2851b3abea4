"""Two real nodes over HTTP: shared entries, hits home, dispositions back, catch-up, refusals.

BE owns the hotlists; NL's cameras read the plates. Both run as uvicorn
servers on loopback with their background loops (outbox, hotlist sync); the
tests wait on conditions with a deadline, never on a fixed sleep.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from passerelle.auth.roles import Role
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.storage.tables import audit_entries, outbox_messages
from tests.anpr.exchange_fixtures import (
    CONTACT,
    CONTROL,
    Make,
    Nodes,
    build_nodes,
    candidates,
    entry,
    read,
    wait_for,
)
from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL
FAST = {"outbox_retry_s": 0.1, "outbox_max_backoff_s": 0.3}


@pytest.fixture
def fast(make_nodes: Make) -> Iterator[Nodes]:
    n = build_nodes(make_nodes, BE, NL, federation=FAST)
    yield n
    for c in list(n.servers):
        n.stop(c)


def _active(ctx: NodeContext, owner: Country) -> set[str]:
    now = ctx.anpr.now()
    entries, _ = ctx.anpr.hotlists.store.find(owner=owner.value, active_at=now, limit=1000)
    return {e.entry_id for e in entries}


def _matched(ctx: NodeContext, plate: str) -> list[str]:
    return [m.entry_id for m in ctx.anpr.hotlists.index().match([plate], ["BE"])]


def _kinds(ctx: NodeContext) -> list[str]:
    with ctx.engine.connect() as conn:
        return [r.kind for r in conn.execute(sa.select(audit_entries.c.kind))]


def _share(n: Nodes, *refs: str, **extra: Any) -> str:
    hotlists = n.ctx[BE].anpr.hotlists
    hl = hotlists.create_list(CONTACT, "Voitures volées", "stolen_vehicle")
    plates = {"s1": "1-ABC-234", "s2": "1-DEF-567", "s3": "1-GHJ-890", "s4": "1-KLM-123"}
    raws = [entry(plates.get(r, "1-XYZ-999"), entry_id=r, **extra) for r in refs]
    result = hotlists.add_entries(CONTACT, hl.hotlist_id, raws, share_with=["NL"])
    assert not result.rejected
    return hl.hotlist_id


def test_a_shared_entry_hits_at_the_partner_and_the_hit_and_disposition_go_home(
    fast: Nodes,
) -> None:
    fast.start(BE)
    fast.start(NL)
    be, nl = fast.ctx[BE], fast.ctx[NL]
    _share(fast, "s1", "s2")
    wait_for(lambda: _active(nl, BE) == {"BE-s1", "BE-s2"})
    assert _matched(nl, "1A8C234") == ["BE-s1"]  # OCR confusion B/8 still matches
    copy = nl.anpr.hotlists.entry("BE-s1")
    assert copy is not None and copy.assessment.startswith("shared under")
    assert copy.created_by == "node:BE"  # the owner's officer ids stay home

    reads = [read("n1", "1ABC234", nl.anpr.now()), read("n2", "3QQQ333", nl.anpr.now())]
    (hit,) = nl.anpr.hits.record(candidates(nl, reads))
    assert hit.owner_country == "BE" and hit.reporting_country == "NL"
    wait_for(lambda: be.anpr.hits.store.get(hit.hit_id) is not None)
    at_owner = be.anpr.hits.store.get(hit.hit_id)
    assert at_owner is not None and at_owner.read_id == "n1" and at_owner.camera_id
    live = [e.data for e in be.live.recent(["anpr.hits"])]
    assert [(d["hit_id"], d["received"]) for d in live] == [(hit.hit_id, True)]
    assert live[0]["instruction"] == "do not intercept alone; call the contact"
    # the no-hit read never left NL
    with nl.engine.connect() as conn:
        payloads = [r.payload for r in conn.execute(sa.select(outbox_messages.c.payload))]
    assert not any("n2" in p or "3QQQ333" in p for p in payloads)

    nl.anpr.hits.dispose(CONTROL, hit.hit_id, "correct_read")
    wait_for(lambda: (h := be.anpr.hits.store.get(hit.hit_id)) and h.disposition == "correct_read")
    assert [e.data["disposition"] for e in be.live.recent(["anpr.dispositions"])] == [
        "correct_read"
    ]
    assert {"anpr_hit", "anpr_hit_disposition", "anpr_hotlist_received"} <= set(_kinds(nl))
    assert {"anpr_hit_received", "anpr_hit_disposition", "anpr_hotlist_changed"} <= set(_kinds(be))

    # removal and unsharing reach the partner; its cameras stop matching
    be.anpr.hotlists.remove(CONTACT, ["BE-s2"])
    be.anpr.hotlists.unshare(CONTACT, "BE-s1", "NL")
    wait_for(lambda: _active(nl, BE) == set())
    assert _matched(nl, "1ABC234") == [] and _matched(nl, "1DEF567") == []


def test_a_partner_down_during_a_hit_gets_it_when_it_comes_back(fast: Nodes) -> None:
    fast.start(BE)
    fast.start(NL)
    be, nl = fast.ctx[BE], fast.ctx[NL]
    _share(fast, "s1")
    wait_for(lambda: _active(nl, BE) == {"BE-s1"})
    fast.stop(BE)
    (hit,) = nl.anpr.hits.record(candidates(nl, [read("d1", "1ABC234", nl.anpr.now())]))
    nl.anpr.hits.dispose(CONTROL, hit.hit_id, "not_actionable")
    wait_for(lambda: nl.outbox.items(kind="anpr.hit")[0].attempts >= 1)
    pending = nl.outbox.items(kind="anpr.hit")[0]
    assert pending.state == "pending" and pending.last_error
    assert be.anpr.hits.store.get(hit.hit_id) is None
    fast.start(BE)
    wait_for(lambda: (h := be.anpr.hits.store.get(hit.hit_id)) and h.disposition)
    at_owner = be.anpr.hits.store.get(hit.hit_id)
    assert at_owner is not None and at_owner.disposition == "not_actionable"
    wait_for(lambda: all(i.state == "delivered" for i in nl.outbox.items()))
    assert len([e for e in be.live.recent(["anpr.hits"])]) == 1  # published once


def test_a_partner_that_was_down_catches_up_by_pulling_the_feed(make_nodes: Make) -> None:
    # The owner's outbox waits a minute between attempts: only the pull can catch up here.
    n = build_nodes(make_nodes, BE, NL, federation={"outbox_retry_s": 60})
    be, nl = n.ctx[BE], n.ctx[NL]
    try:
        n.start(BE)
        soon = (nl.anpr.now() + dt.timedelta(hours=2)).isoformat()
        hl = _share(n, "s1", "s2")
        be.anpr.hotlists.add_entries(
            CONTACT, hl, [entry("1-GHJ-890", entry_id="s3", expires_at=soon)], share_with=["NL"]
        )
        be.anpr.hotlists.remove(CONTACT, ["BE-s2"])
        wait_for(lambda: be.outbox.items()[0].attempts >= 1)  # NL is down: all wait behind it
        n.start(NL)  # pulls at start: cursor 0, so a snapshot of what BE shares now
        wait_for(lambda: _active(nl, BE) == {"BE-s1", "BE-s3"})
        assert nl.anpr.hotlists.store.cursor(BE) == be.anpr.hotlists.store.head(NL) == 4

        # later changes while the owner's pushes still wait: an incremental pull
        be.anpr.hotlists.remove(CONTACT, ["BE-s1"])
        be.anpr.hotlists.add_entries(
            CONTACT, hl, [entry("1-KLM-123", entry_id="s4")], share_with=["NL"]
        )
        assert nl.idp is not None
        token = nl.idp.issue("contact", [Role.CONTACT_POINT])
        r = httpx.post(
            n.demo[NL].url + "/api/v1/anpr/hotlists/sync",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert r.status_code == 200 and r.json()["BE"]["status"] == "ok", r.text
        assert _active(nl, BE) == {"BE-s3", "BE-s4"}
        assert nl.anpr.hotlists.store.cursor(BE) == 6

        # the owner's old pushes land at last: applied before, they change nothing
        with be.engine.begin() as conn:
            conn.execute(outbox_messages.update().values(next_attempt_at=be.anpr.now()))
        be.outbox.wake()
        wait_for(lambda: all(i.state == "delivered" for i in be.outbox.items()))
        assert _active(nl, BE) == {"BE-s3", "BE-s4"}

        # expiry needs no message: NL's own clock takes the entry out of its index
        assert _matched(nl, "1GHJ890") == ["BE-s3"]
        n.clock[NL].advance(hours=2)
        assert _matched(nl, "1GHJ890") == [] and _matched(nl, "1KLM123") == ["BE-s4"]
    finally:
        for c in list(n.servers):
            n.stop(c)


def test_bad_messages_from_a_partner_are_refused_with_a_reason(fast: Nodes) -> None:
    fast.start(NL)
    be, nl = fast.ctx[BE], fast.ctx[NL]
    own = nl.anpr.hotlists.create_list(CONTACT, "Gezocht", "wanted_person")
    nl.anpr.hotlists.add_entries(
        CONTACT, own.hotlist_id, [entry("XX-123-Y", entry_id="nl1", plate_country="NL")]
    )
    good = {**entry("1-ABC-234"), "entry_id": "BE-g", "category": "case"}
    bad = {**entry("1-DEF-567", assessment=None), "entry_id": "BE-b", "category": "case"}
    forged = {**entry("1-GHJ-890"), "entry_id": "DE-f", "category": "case"}

    async def scenario() -> list[Any]:
        partner = be.trust.get(NL)
        assert partner is not None

        async def call(path: str, payload: dict[str, Any]) -> Any:
            return await be.client.call(partner, "/federation/v1/anpr" + path, payload, 10)

        changes = [
            {"seq": 1, "op": "upsert", "entry_id": "BE-g", "entry": good},
            {"seq": 2, "op": "upsert", "entry_id": "BE-b", "entry": bad},
            {"seq": 3, "op": "upsert", "entry_id": "DE-f", "entry": forged},
        ]
        message = {"owner": "BE", "changes": changes}
        hit = {
            "hit_id": "BE-h1",
            "read_id": "r",
            "entry_id": "NL-nl1",
            "reporting_country": "BE",
            "outcome": "exact",
            "score": 1.0,
            "plate": "XX123Y",
            "camera_id": "c",
            "read_at": be.anpr.now().isoformat(),
        }
        try:
            return [
                await call("/hotlist/changes", message),
                await call("/hotlist/changes", message),  # delivered twice
                await call("/hotlist/changes", {"owner": "DE", "changes": changes}),
                await call(
                    "/hotlist/changes",
                    {"owner": "BE", "changes": [{"seq": 9, "op": "remove", "entry_id": "BE-g"}]},
                ),
                await call("/hits", {"hit": hit}),
                await call("/hits", {"hit": {**hit, "entry_id": "BE-g"}}),
                await call("/hits", {"hit": {**hit, "reporting_country": "DE"}}),
                await call("/dispositions", {"hit_id": "NL-x", "disposition": "misread"}),
            ]
        finally:
            await be.client.aclose()

    first, twice, other_owner, gap, unshared, not_ours, not_reporter, unknown = asyncio.run(
        scenario()
    )
    assert first.status == "ok" and first.data["applied"] == 1
    assert [r["code"] for r in first.data["rejected"]] == [
        "hotlist_entry_no_assessment",
        "hotlist_entry_not_owner",
    ]
    assert twice.status == "ok" and twice.data["applied"] == 0 and twice.data["cursor"] == 3
    assert other_owner.status == "error" and other_owner.detail == "hotlist_entry_not_owner"
    assert gap.data["gap"] is True and gap.data["cursor"] == 3  # a pull fills the gap
    assert _active(nl, BE) == set()  # the removal itself was applied
    assert unshared.detail == "anpr_hit_not_shared"
    assert not_ours.detail == "anpr_hit_not_ours"
    assert not_reporter.detail == "anpr_hit_not_reporter"
    assert unknown.detail == "anpr_hit_unknown"
    text = httpx.get(fast.demo[NL].url + "/metrics", timeout=10).text
    assert (
        'passerelle_anpr_hotlist_entries_rejected_total{reason="hotlist_entry_no_assessment",'
        'source="partner"} 1.0' in text
    )


def test_a_snapshot_comes_in_pages_and_drops_copies_the_owner_no_longer_shares(
    make_nodes: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    from passerelle.anpr import hotlists_sync

    monkeypatch.setattr(hotlists_sync, "SNAPSHOT_LIMIT", 2)
    n = build_nodes(make_nodes, BE, NL, federation={"outbox_retry_s": 60})
    nl = n.ctx[NL]
    try:
        n.start(BE)
        _share(n, "p1", "p2", "p3", "p4", "p5")
        # NL holds a copy BE never shared in this life (BE's database was rebuilt)
        stale = {**entry("1-OLD-001"), "entry_id": "BE-zz", "category": "case"}
        nl.anpr.hotlists.apply_changes(
            BE, [{"seq": 99, "op": "upsert", "entry_id": "BE-zz", "entry": stale}]
        )
        assert _active(nl, BE) == {"BE-zz"}

        async def pull() -> dict[str, Any]:
            try:
                return await nl.anpr.hotlists.pull(BE)
            finally:
                await nl.client.aclose()

        result = asyncio.run(pull())
        assert result["status"] == "ok" and result["cursor"] == 5
        assert _active(nl, BE) == {f"BE-p{i}" for i in range(1, 6)}
        assert _matched(nl, "1OLD001") == []
    finally:
        for c in list(n.servers):
            n.stop(c)
