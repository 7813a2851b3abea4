"""The sync protocol's storage on both backends: the owner's feed and the partner's copies.

In process (no HTTP): the owner's ``feed_answer`` is handed to the partner's
``apply_changes``/``apply_snapshot``, as ``pull`` does. One side runs on the
``db_url`` backend (SQLite or, integration, PostgreSQL), the other on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from tests.anpr.exchange_fixtures import CONTACT, Clock, Make, entry
from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]
BE, NL = Country.BE, Country.NL


@pytest.fixture(params=["owner", "partner"])
def pair(
    request: pytest.FixtureRequest, make_nodes: Make, db_url: str
) -> Iterator[tuple[NodeContext, NodeContext]]:
    made = make_nodes(BE, NL)
    on_db = BE if request.param == "owner" else NL
    ctx = {}
    for c in (BE, NL):
        extra: dict[str, Any] = {"database": {"url": db_url}} if c == on_db else {}
        ctx[c] = NodeContext.build(load_settings(made[c][0].config, **extra))
        ctx[c].anpr.set_clock(Clock())
    yield ctx[BE], ctx[NL]
    for node in ctx.values():
        node.engine.dispose()


def _pull(owner: NodeContext, partner: NodeContext) -> dict[str, Any]:
    """One pull, page by page, as ``HotlistSync.pull`` does over HTTP."""
    hotlists = partner.anpr.hotlists
    for _ in range(20):
        answer = owner.anpr.hotlists.feed_answer(NL, {"since": hotlists.store.cursor(BE)})
        if answer["full"]:
            done = hotlists.apply_snapshot(BE, answer["entries"], answer["head"])
        else:
            done = hotlists.apply_changes(BE, answer["changes"])
        if not answer.get("more"):
            return done
    raise AssertionError("the feed never ended")


def _active(ctx: NodeContext) -> set[str]:
    entries, _ = ctx.anpr.hotlists.store.find(owner="BE", active_at=ctx.anpr.now())
    return {e.entry_id for e in entries}


def test_snapshot_then_changes_then_nothing(pair: tuple[NodeContext, NodeContext]) -> None:
    be, nl = pair
    own = be.anpr.hotlists
    hl = own.create_list(CONTACT, "Vols", "stolen_vehicle")
    own.add_entries(
        CONTACT,
        hl.hotlist_id,
        [entry("1-ABC-234", entry_id="a"), entry("1-DEF-567", entry_id="b")],
        share_with=["NL"],
    )
    first = _pull(be, nl)
    assert first["cursor"] == 2 and _active(nl) == {"BE-a", "BE-b"}

    own.remove(CONTACT, ["BE-a"])
    own.add_entries(CONTACT, hl.hotlist_id, [entry("1-GHJ-890", entry_id="c")], share_with=["NL"])
    own.add_entries(CONTACT, hl.hotlist_id, [entry("1-DEF-567", entry_id="b", reason="new")])
    answer = own.feed_answer(NL, {"since": 2})
    assert not answer["full"] and [c["seq"] for c in answer["changes"]] == [3, 4, 5]
    assert [c["op"] for c in answer["changes"]] == ["remove", "upsert", "upsert"]
    done = _pull(be, nl)
    assert done["cursor"] == 5 and _active(nl) == {"BE-b", "BE-c"}
    copy = nl.anpr.hotlists.entry("BE-b")
    assert copy is not None and copy.reason == "new" and copy.seq == 5

    again = nl.anpr.hotlists.apply_changes(BE, answer["changes"])  # a message delivered twice
    assert again["applied"] == 0 and again["cursor"] == 5
    assert _pull(be, nl)["applied"] == 0  # nothing new
    assert own.store.head(NL) == 5 and nl.anpr.hotlists.store.cursor(BE) == 5


def test_an_owner_that_shared_nothing_answers_an_empty_page_not_a_snapshot(
    pair: tuple[NodeContext, NodeContext],
) -> None:
    # A partner pulling an owner with nothing shared must not be sent a (repeated) snapshot:
    # that made idle nodes pull each other's feed many times a second.
    be, nl = pair
    answer = be.anpr.hotlists.feed_answer(NL, {"since": 0})
    assert answer["full"] is False and answer["changes"] == [] and answer["more"] is False
    assert answer["head"] == 0
    assert _pull(be, nl)["applied"] == 0 and nl.anpr.hotlists.store.cursor(BE) == 0
