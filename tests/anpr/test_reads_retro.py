"""Retro-matching: a new hotlist entry is compared against the reads stored in the window."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import sqlalchemy as sa

from passerelle.domain.countries import Country
from passerelle.storage.tables_anpr_hotlists import anpr_hits
from passerelle.storage.tables_anpr_reads import anpr_reads
from tests.anpr.ingest_support import Clock, add_entry, make_ctx
from tests.anpr.test_reads_retention import row

DAY = dt.timedelta(days=1)


def test_a_new_entry_finds_stored_reads_within_the_lawful_window(
    tmp_path: Path, db_url: str
) -> None:
    clock = Clock()
    now = clock.now
    ctx = make_ctx(tmp_path, Country.BE, db_url, clock=clock, cameras=False)
    rows = [
        {**row("today", now - dt.timedelta(hours=1)), "plate": "1XYZ987"},
        {**row("misread", now - 5 * DAY), "plate": "1XYZ9B7"},
        {**row("too-old", now - 40 * DAY), "plate": "1XYZ987"},  # BE: 1 month without decision
        {**row("other", now - DAY), "plate": "2ABC111"},
    ]
    ctx.anpr.reads.prepare(rows)
    with ctx.engine.begin() as conn:
        ctx.anpr.reads.insert(conn, rows)
    ctx.anpr.register_retro_matching()
    entry = add_entry(ctx, "1-XYZ-987", "BE")
    assert ctx.anpr.retro is not None
    ctx.anpr.retro.drain()
    with ctx.engine.connect() as conn:
        hits = conn.execute(
            sa.select(anpr_hits.c.read_id, anpr_hits.c.outcome, anpr_hits.c.entry_id)
        ).all()
        flagged = set(
            conn.execute(sa.select(anpr_reads.c.read_id).where(anpr_reads.c.hit)).scalars()
        )
    assert sorted((h[0], h[1]) for h in hits) == [("misread", "fuzzy"), ("today", "exact")]
    assert {h[2] for h in hits} == {entry} and flagged == {"today", "misread"}
    # the same entry again (e.g. noticed by another process): no second hit
    from passerelle.anpr.index import IndexEntry

    ctx.anpr.retro.run([IndexEntry(entry, "1XYZ987", "BE")])
    with ctx.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(anpr_hits)).scalar_one() == 2
    assert ctx.anpr.metrics.retro_hits._value.get() >= 2


def test_a_read_matched_just_before_the_entry_came_is_not_missed(tmp_path: Path) -> None:
    """A batch matched against the index without the new entry, committed after the
    entry arrived: retro-matching waits for that batch, so the read still becomes a hit."""
    import asyncio
    import threading

    from tests.anpr.ingest_support import read

    clock = Clock()
    ctx = make_ctx(tmp_path, Country.NL, clock=clock)
    ctx.anpr.register_retro_matching()
    ctx.anpr.hotlists.index()  # built before the batch, without the entry
    store = ctx.anpr.reads
    original, matched = store.insert, threading.Event()

    def slow_insert(conn: sa.Connection, rows: list[dict[str, object]]) -> int:
        matched.set()  # matched already (no entry yet); the commit comes later
        time.sleep(1.0)
        return original(conn, rows)

    store.insert = slow_insert  # type: ignore[method-assign,assignment]

    async def scenario() -> None:
        ctx.anpr.queue.start()
        first = [read(1, "XX999X", at=clock.now - dt.timedelta(seconds=1))]
        batch = asyncio.ensure_future(ctx.anpr.queue.submit(first))
        await asyncio.to_thread(matched.wait, 10)
        await asyncio.to_thread(add_entry, ctx, "XX-999-X", "NL")
        assert (await batch).hits == 0  # the read missed the entry in the ingest
        assert ctx.anpr.retro is not None
        await asyncio.to_thread(ctx.anpr.retro.drain)
        await ctx.anpr.queue.stop()

    asyncio.run(scenario())
    with ctx.engine.connect() as conn:
        hits = conn.execute(sa.select(anpr_hits.c.read_id)).scalars().all()
    assert hits == ["r-1"]


def test_reads_from_a_camera_clock_running_ahead_are_compared_too(tmp_path: Path) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.NL, clock=clock, cameras=False)
    ahead = [{**row("ahead", clock.now + dt.timedelta(seconds=30)), "plate": "XX999X"}]
    with ctx.engine.begin() as conn:  # accepted: within max_future_skew_s (120 s)
        ctx.anpr.reads.insert(conn, ahead)
    ctx.anpr.register_retro_matching()
    add_entry(ctx, "XX-999-X", "NL")
    assert ctx.anpr.retro is not None
    ctx.anpr.retro.drain()
    with ctx.engine.connect() as conn:
        assert conn.execute(sa.select(anpr_hits.c.read_id)).scalars().all() == ["ahead"]
