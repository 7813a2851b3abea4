"""Hits on one node: once per (read, entry), de-duplicated, routed, published, acknowledged.

Runs on SQLite and (integration) PostgreSQL. The partner's entry is a copy
applied as the partner's sync would; routing is checked in the outbox (the
two-node tests deliver it for real).
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from passerelle.anpr.hits import HitConflict
from passerelle.auth.roles import Role
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, write_config
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from passerelle.storage.tables_anpr_hotlists import anpr_hits
from passerelle.web.app import create_app
from tests.anpr.exchange_fixtures import CONTACT, CONTROL, Clock, candidates, entry, read
from tests.conftest import LiveServer
from tests.node.conftest import free_port

NL = Country.NL


@pytest.fixture
def node(tmp_path: Path, db_url: str) -> Iterator[tuple[NodeContext, Clock]]:
    demo = DemoNode(Country.BE, tmp_path / "BE", free_port())
    write_config(demo)
    init_identity(demo)
    ctx = NodeContext.build(load_settings(demo.config, database={"url": db_url}))
    clock = Clock()
    ctx.anpr.set_clock(clock)
    hotlists = ctx.anpr.hotlists
    hl = hotlists.create_list(CONTACT, "Stolen vehicles", "stolen_vehicle")
    hotlists.add_entries(CONTACT, hl.hotlist_id, [entry("1-ABC-234", entry_id="own")])
    copy = {
        **entry("XX-123-Y", plate_country="NL", action="discreet_observation"),
        "entry_id": "NL-x",
        "owner": "NL",
        "hotlist_name": "Gezocht",
        "category": "stolen_vehicle",
    }
    done = hotlists.apply_changes(
        NL, [{"seq": 1, "op": "upsert", "entry_id": "NL-x", "entry": copy}]
    )
    assert done["applied"] == 1 and done["cursor"] == 1
    yield ctx, clock
    ctx.engine.dispose()


def _rows(ctx: NodeContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(anpr_hits)).scalar_one())


def test_hits_are_recorded_once_deduplicated_routed_and_published(
    node: tuple[NodeContext, Clock],
) -> None:
    ctx, clock = node
    t0 = clock.now - dt.timedelta(minutes=5)
    window = ctx.settings.anpr.hit_dedup_window_s
    reads = [
        read("r1", "1ABC234", t0),
        read("r2", "1ABC234", t0 + dt.timedelta(seconds=60)),  # same car, next camera
        read("r3", "XX123Y", t0, plate_country="NL"),
        read("r4", "2ZZZ999", t0),  # no hit: nothing about it may leave
    ]
    found = candidates(ctx, reads)
    assert sorted(c.read["read_id"] for c in found) == ["r1", "r2", "r3"]
    hits = ctx.anpr.hits.record(found)
    by_read = {h.read_id: h for h in hits}
    assert by_read["r2"].duplicate_of == by_read["r1"].hit_id
    assert by_read["r1"].duplicate_of is None and by_read["r3"].owner_country == "NL"
    # at-least-once ingest: the same batch again gives the same hits, no new rows
    again = ctx.anpr.hits.record(found)
    assert sorted(h.hit_id for h in again) == sorted(h.hit_id for h in hits)
    assert _rows(ctx) == 3
    # the control room hears of r1 and r3 (not of the duplicate), with the instruction
    events = ctx.live.recent(["anpr.hits"])
    assert [e.data["read_id"] for e in events] == ["r1", "r3"]
    assert events[1].data["action"] == "discreet_observation"
    assert events[0].data["instruction"] == "do not intercept alone; call the contact"
    # only the partner's hit is queued for its owner, and only the hit's own fields
    routed = ctx.outbox.items(kind="anpr.hit")
    assert [(i.partner, i.key) for i in routed] == [(NL, by_read["r3"].hit_id)]
    wire = routed[0].payload["hit"]
    assert wire["read_id"] == "r3" and "confidence" not in wire and "plate_raw" not in wire
    assert all("r4" not in json.dumps(i.payload) for i in ctx.outbox.items())
    # beyond the window the same car alerts again
    later = read("r5", "1ABC234", t0 + dt.timedelta(seconds=window + 1))
    (r5,) = ctx.anpr.hits.record(candidates(ctx, [later]))
    assert r5.duplicate_of is None


def test_dispositions_are_checked_kept_and_sent_to_the_owner(
    node: tuple[NodeContext, Clock],
) -> None:
    ctx, clock = node
    reads = [read("d1", "1ABC234", clock.now), read("d2", "XX123Y", clock.now, plate_country="NL")]
    own, partners = sorted(ctx.anpr.hits.record(candidates(ctx, reads)), key=lambda h: h.read_id)
    hits = ctx.anpr.hits
    with pytest.raises(InvalidInput) as bad:
        hits.dispose(CONTROL, own.hit_id, "maybe")
    assert bad.value.code == "anpr_bad_disposition"
    done = hits.dispose(CONTROL, partners.hit_id, "correct_read")
    assert done.disposition == "correct_read" and done.disposition_by == "control"
    assert hits.dispose(CONTROL, partners.hit_id, "CORRECT_READ").disposition == "correct_read"
    with pytest.raises(HitConflict):
        hits.dispose(CONTROL, partners.hit_id, "misread")
    hits.dispose(CONTROL, own.hit_id, "misread")
    sent = ctx.outbox.items(kind="anpr.disposition")
    assert [(i.partner, i.payload["disposition"]) for i in sent] == [(NL, "correct_read")]
    events = [e.data for e in ctx.live.recent(["anpr.dispositions"])]
    assert [(e["hit_id"], e["disposition"]) for e in events] == [
        (partners.hit_id, "correct_read"),
        (own.hit_id, "misread"),
    ]
    # a partner's hit seen at the owner cannot be acknowledged there
    with ctx.engine.begin() as conn:
        conn.execute(
            anpr_hits.update()
            .where(anpr_hits.c.hit_id == own.hit_id)
            .values(reporting_country="NL")
        )
    with pytest.raises(Forbidden):
        hits.dispose(CONTROL, own.hit_id, "misread")


def test_the_api_lists_and_acknowledges_hits_by_role(node: tuple[NodeContext, Clock]) -> None:
    ctx, clock = node
    ctx.anpr.hits.record(
        candidates(
            ctx,
            [read("a1", "XX123Y", clock.now, plate_country="NL"), read("a2", "1ABC234", clock.now)],
        )
    )
    assert ctx.idp is not None
    control = {"Authorization": "Bearer " + ctx.idp.issue("control", [Role.CONTROL_ROOM])}
    analyst = {"Authorization": "Bearer " + ctx.idp.issue("analyst", [Role.ANALYST])}
    client = TestClient(create_app(ctx))
    r = client.get("/api/v1/anpr/hits", params={"owner": "NL"}, headers=control)
    assert r.status_code == 200 and r.json()["total"] == 1
    item = r.json()["items"][0]
    assert item["read_id"] == "a1" and item["category"] == "stolen_vehicle"
    assert client.get("/api/v1/anpr/hits", headers=analyst).status_code == 403
    r = client.get("/api/v1/anpr/hits", params={"disposition": "none"}, headers=control)
    assert r.json()["total"] == 2
    url = f"/api/v1/anpr/hits/{item['hit_id']}/disposition"
    r = client.post(url, json={"disposition": "nonsense"}, headers=control)
    assert r.status_code == 422 and r.json()["error"]["code"] == "anpr_bad_disposition"
    r = client.post(url, json={"disposition": "wrong_country"}, headers=control)
    assert r.status_code == 200 and r.json()["disposition"] == "wrong_country"
    r = client.post(url, json={"disposition": "misread"}, headers=control)
    assert r.status_code == 409
    r = client.get("/api/v1/anpr/hits", params={"disposition": "none"}, headers=control)
    assert [i["read_id"] for i in r.json()["items"]] == ["a2"]


def _stream(url: str, headers: dict[str, str], out: queue.Queue[str]) -> None:
    """Read the stream until the first hit's data, then hang up (the server can then stop)."""
    try:
        with httpx.stream("GET", url, headers=headers, timeout=30) as r:
            out.put(f"status {r.status_code}")
            event = ""
            for line in r.iter_lines():
                out.put(line)
                if event == "event: anpr.hits" and line.startswith("data: "):
                    return
                event = line
    except httpx.HTTPError as e:
        out.put(f"error {type(e).__name__}")


def test_the_stream_delivers_new_hits_live(node: tuple[NodeContext, Clock]) -> None:
    ctx, clock = node
    assert ctx.idp is not None
    headers = {"Authorization": "Bearer " + ctx.idp.issue("control", [Role.CONTROL_ROOM])}
    lines: queue.Queue[str] = queue.Queue()
    with LiveServer(create_app(ctx)) as server:
        url = server.url + "/api/v1/anpr/hits/stream"
        reader = threading.Thread(target=_stream, args=(url, headers, lines), daemon=True)
        reader.start()
        assert lines.get(timeout=30) == "status 200"
        while not lines.get(timeout=30).startswith(": connected"):
            pass
        ctx.anpr.hits.record(candidates(ctx, [read("s1", "1ABC234", clock.now)]))
        data: dict[str, Any] | None = None
        while data is None:
            line = lines.get(timeout=30)
            if line == "event: anpr.hits":
                data = json.loads(lines.get(timeout=30).removeprefix("data: "))
        assert data["read_id"] == "s1" and data["action"] == "alert"
        reader.join(timeout=30)
        assert not reader.is_alive()
