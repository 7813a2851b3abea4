"""Retro-matching: a new hotlist entry is compared against the reads stored in the window."""

from __future__ import annotations

import datetime as dt
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
