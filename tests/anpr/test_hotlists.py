"""Own hotlists on one node: validation, the live index, expiry, removal, new-entry watchers.

Runs on SQLite and (integration) PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from passerelle.anpr import hotlists as hotlists_module
from passerelle.anpr.hotlists import HotlistService
from passerelle.anpr.index import IndexEntry
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, write_config
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput, NotFound
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from tests.anpr.exchange_fixtures import CONTACT, Clock, entry
from tests.node.conftest import free_port


@pytest.fixture
def node(tmp_path: Path, db_url: str) -> Iterator[tuple[NodeContext, Clock]]:
    demo = DemoNode(Country.BE, tmp_path / "BE", free_port())
    write_config(demo)
    init_identity(demo)
    ctx = NodeContext.build(load_settings(demo.config, database={"url": db_url}))
    clock = Clock()
    ctx.anpr.set_clock(clock)
    yield ctx, clock
    ctx.engine.dispose()


def _plates(ctx: NodeContext, *plates: str) -> list[str]:
    index = ctx.anpr.hotlists.index()
    return sorted({m.entry_id for m in index.match(list(plates), ["BE"] * len(plates))})


def test_good_entries_are_matched_and_bad_ones_refused_with_a_reason(
    node: tuple[NodeContext, Clock],
) -> None:
    ctx, clock = node
    service = ctx.anpr.hotlists
    hl = service.create_list(CONTACT, "Stolen vehicles Liège", "stolen_vehicle")
    past = (clock.now - dt.timedelta(days=1)).isoformat()
    result = service.add_entries(
        CONTACT,
        hl.hotlist_id,
        [
            entry("1-ABC-234", entry_id="PV-1"),
            entry("1-ABD-999", assessment=None),
            entry("1-ABE-111", expires_at=None),
            entry("1-ABF-222", expires_at=past),
            entry("@@@", plate_country=None),
            entry("1-ABG-333", action="shoot"),
            entry("1-ABH-444", expires_at=(clock.now + dt.timedelta(days=900)).isoformat()),
        ],
    )
    assert [e.entry_id for e in result.added] == ["BE-PV-1"]
    codes = {r.index: r.code for r in result.rejected}
    assert codes == {
        1: "hotlist_entry_no_assessment",
        2: "hotlist_entry_no_expiry",
        3: "hotlist_entry_expired",
        4: "hotlist_entry_bad_plate",
        5: "hotlist_entry_bad_action",
        6: "hotlist_entry_expiry_too_far",
    }
    added = result.added[0]
    assert added.plate == "1ABC234" and added.category == "stolen_vehicle"
    # matched with OCR tolerance (B/8) through the live index
    assert _plates(ctx, "1A8C234", "9XYZ999") == ["BE-PV-1"]
    assert service.entry("BE-PV-1") == added
    registry = CollectorRegistry()
    registry.register(service.metrics)
    text = generate_latest(registry).decode()
    assert (
        'passerelle_anpr_hotlist_entries_rejected_total{reason="hotlist_entry_no_assessment",'
        'source="officer"} 1.0' in text
    )
    assert 'passerelle_anpr_hotlist_entries_active{owner="BE"} 1.0' in text


def test_an_entry_leaves_the_index_when_it_expires_or_is_removed(
    node: tuple[NodeContext, Clock],
) -> None:
    ctx, clock = node
    service = ctx.anpr.hotlists
    hl = service.create_list(CONTACT, "Case 2026/17", "case")
    soon = (clock.now + dt.timedelta(hours=1)).isoformat()
    service.add_entries(
        CONTACT,
        hl.hotlist_id,
        [entry("1-KKK-001", entry_id="a", expires_at=soon), entry("1-KKK-002", entry_id="b")],
    )
    assert len(service.index()) == 2
    clock.advance(hours=1, seconds=-1)
    assert len(service.index()) == 2
    clock.advance(seconds=1)  # the expiry moment: no longer matched
    assert len(service.index()) == 1 and _plates(ctx, "1KKK001") == []
    removed = service.remove(CONTACT, ["BE-b"])
    assert [e.entry_id for e in removed] == ["BE-b"] and len(service.index()) == 0
    assert service.remove(CONTACT, ["BE-b"]) == []  # removing twice changes nothing
    with pytest.raises(NotFound):
        service.remove(CONTACT, ["BE-nope"])
    # the same reference again brings the entry back
    service.add_entries(CONTACT, hl.hotlist_id, [entry("1-KKK-002", entry_id="b")])
    assert _plates(ctx, "1KKK002") == ["BE-b"]
    listed, total = service.store.find(active_at=clock.now)
    assert total == 1 and listed[0].entry_id == "BE-b"


def test_watchers_hear_of_new_entries_only(node: tuple[NodeContext, Clock]) -> None:
    ctx, _ = node
    service = ctx.anpr.hotlists
    heard: list[list[IndexEntry]] = []
    service.on_new_entries(heard.append)

    def broken(_entries: list[IndexEntry]) -> None:
        raise RuntimeError("a failing watcher harms nobody")

    service.on_new_entries(broken)
    hl = service.create_list(CONTACT, "Wanted", "wanted_person")
    service.add_entries(CONTACT, hl.hotlist_id, [entry("1-WWW-001", entry_id="w")])
    assert [[e.entry_id for e in batch] for batch in heard] == [["BE-w"]]
    service.add_entries(CONTACT, hl.hotlist_id, [entry("1-WWW-001", entry_id="w", reason="x y")])
    assert len(heard) == 1  # same plate: nothing new to compare against the reads
    service.add_entries(CONTACT, hl.hotlist_id, [entry("1-WWW-002", entry_id="w")])
    assert heard[-1][0].plate == "1WWW002"


def test_changes_written_by_another_process_reach_the_index(
    node: tuple[NodeContext, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, clock = node
    service = ctx.anpr.hotlists
    assert len(service.index()) == 0
    monkeypatch.setattr(hotlists_module, "REFRESH_S", 0.0)
    other = HotlistService(ctx)  # e.g. the CLI writing to the same database
    hl = other.create_list(CONTACT, "Other", "stolen_plate")
    other.add_entries(CONTACT, hl.hotlist_id, [entry("1-OTH-001", entry_id="o")])
    assert _plates(ctx, "1OTH001") == ["BE-o"]
    clock.advance(seconds=5)
    other.remove(CONTACT, ["BE-o"])
    assert _plates(ctx, "1OTH001") == []


def test_bad_lists_and_partners_are_refused(node: tuple[NodeContext, Clock]) -> None:
    ctx, _ = node
    service = ctx.anpr.hotlists
    with pytest.raises(InvalidInput) as bad:
        service.create_list(CONTACT, "  ", "case")
    assert bad.value.code == "hotlist_bad_name"
    with pytest.raises(InvalidInput) as bad:
        service.create_list(CONTACT, "x", "parking")
    assert bad.value.code == "hotlist_entry_bad_category"
    hl = service.create_list(CONTACT, "x", "case")
    with pytest.raises(InvalidInput) as bad:
        service.add_entries(CONTACT, hl.hotlist_id, [entry("1-ABC-234")], share_with=["BE"])
    assert bad.value.code == "hotlist_partner_unknown"  # ourselves, and no partner is trusted
    with pytest.raises(NotFound):
        service.add_entries(CONTACT, "BE-HL-nope", [entry("1-ABC-234")])
