"""The ingest pipeline on SQLite and PostgreSQL: store, de-duplicate, quarantine, hits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from passerelle.anpr import ingest_models as m
from passerelle.domain.countries import Country
from passerelle.storage.tables_anpr_hotlists import anpr_hits
from passerelle.storage.tables_anpr_reads import anpr_quarantine, anpr_reads
from tests.anpr.ingest_support import Clock, add_entry, make_ctx, read


def _count(ctx: object, table: sa.Table) -> int:
    with ctx.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_reads_are_stored_with_the_camera_position(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.BE, db_url, clock=clock)
    now = clock.now
    result = ctx.anpr.ingest.ingest_items(
        [read(1, "1-abc-234", at=now), read(2, "AB 1234", at=now, plate_country="L")]
    )
    assert (result.accepted, result.stored, result.duplicates, result.hits) == (2, 2, 0, 0)
    frame = ctx.anpr.reads.window(since=now - dt.timedelta(hours=1), until=now + dt.timedelta(1))
    rows = {r["read_id"]: r for r in frame.to_dicts()}
    assert rows["r-1"]["plate"] == "1ABC234" and rows["r-1"]["plate_country"] == "BE"
    assert rows["r-1"]["country_inferred"] is True and rows["r-1"]["plate_raw"] == "1-abc-234"
    assert rows["r-1"]["site"] == "E40 Lichtenbusch" and rows["r-1"]["lat"] == 50.733
    assert rows["r-2"]["plate_country"] == "LU" and rows["r-2"]["country_inferred"] is False
    assert rows["r-1"]["read_at"] == now and rows["r-1"]["hit"] is False


def test_duplicates_are_counted_once_and_stored_once(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.NL, db_url, clock=clock)
    batch = [read(1, at=clock.now), read(1, at=clock.now), read(2, at=clock.now)]
    first = ctx.anpr.ingest.ingest_items(batch)
    assert (first.accepted, first.duplicates, first.stored) == (2, 1, 2)
    again = ctx.anpr.ingest.ingest_items(batch)  # a redelivered batch
    assert (again.accepted, again.duplicates, again.stored) == (0, 3, 0)
    assert _count(ctx, anpr_reads) == 2


def test_bad_reads_are_quarantined_with_a_reason_and_nothing_is_lost(
    tmp_path: Path, db_url: str
) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.BE, db_url, clock=clock)
    now = clock.now
    batch = [
        read("ok", at=now),
        read("garbage", "#?!", at=now),
        read("smear", "OOOOOOO", at=now),
        read("nocam", at=now, camera="CAM-UNKNOWN"),
        read("future", at=now + dt.timedelta(minutes=10)),
        read("old", at=now - dt.timedelta(days=5)),
        {**read("badts", at=now), "read_at": "yesterday"},
        {"camera_id": "CAM-E40-1", "plate": "1ABC234"},  # no read id: rejected
        "not an object",
        {**read("noplate", at=now), "plate": None},
    ]
    result = ctx.anpr.ingest.ingest_items(batch)
    reasons = dict(result.quarantined)
    assert reasons == {
        "r-garbage": m.GARBAGE_PLATE,
        "r-smear": m.GARBAGE_PLATE,
        "r-nocam": m.UNKNOWN_CAMERA,
        "r-future": m.FUTURE_READ,
        "r-old": m.STALE_READ,
        "r-badts": m.BAD_TIMESTAMP,
        "r-noplate": m.MALFORMED,
    }
    assert result.rejected == [(7, m.NO_READ_ID), (8, m.NOT_AN_OBJECT)]
    assert result.accepted == 1
    total = result.accepted + result.duplicates + len(result.quarantined) + len(result.rejected)
    assert total == len(batch)  # every read accounted for
    assert _count(ctx, anpr_quarantine) == 7
    again = ctx.anpr.ingest.ingest_items(batch)  # the same batch again: all duplicates
    assert again.quarantined == [] and again.duplicates == 8
    assert _count(ctx, anpr_quarantine) == 7 and _count(ctx, anpr_reads) == 1
    # the camera registered later: the read is accepted when it is sent again
    from passerelle.anpr.reads_cameras import Camera

    ctx.anpr.cameras.upsert([Camera("CAM-UNKNOWN", "N3 Kinkempois", "BE")])
    late = ctx.anpr.ingest.ingest_items([read("nocam", at=now)])
    assert late.accepted == 1 and late.stored == 1


def test_a_hit_is_recorded_once_and_the_read_flagged(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.BE, db_url, clock=clock)
    entry = add_entry(ctx, "1-XYZ-987", "BE")
    batch = [
        read(1, "1XYZ987", at=clock.now),
        read(2, "1XYZ9B7", at=clock.now),
        read(3, at=clock.now),
    ]
    result = ctx.anpr.ingest.ingest_items(batch)
    assert result.hits == 2 and result.stored == 3
    with ctx.engine.connect() as conn:
        hits = conn.execute(
            sa.select(anpr_hits.c.read_id, anpr_hits.c.outcome, anpr_hits.c.entry_id)
        ).all()
        flagged = set(
            conn.execute(sa.select(anpr_reads.c.read_id).where(anpr_reads.c.hit)).scalars()
        )
    assert sorted((h[0], h[1]) for h in hits) == [("r-1", "exact"), ("r-2", "fuzzy")]
    assert {h[2] for h in hits} == {entry} and flagged == {"r-1", "r-2"}
    # the same reads again (a crash before the acknowledgement): no second hit
    from passerelle.anpr.ingest_models import parse_raw_read

    raw = [parse_raw_read(r) for r in batch]
    ctx.anpr.ingest.ingest([r for r in raw if not isinstance(r, str)])
    assert _count(ctx, anpr_hits) == 2


def test_hits_are_recorded_before_the_reads_so_a_crash_in_between_loses_nothing(
    tmp_path: Path, db_url: str
) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.NL, db_url, clock=clock)
    add_entry(ctx, "XX-999-X", "NL")
    store = ctx.anpr.reads
    original = store.insert

    def crash(*_: object) -> int:
        raise RuntimeError("killed")

    store.insert = crash  # type: ignore[method-assign,assignment]
    with pytest.raises(RuntimeError):
        ctx.anpr.ingest.ingest_items([read(1, "XX999X", at=clock.now)])
    store.insert = original  # type: ignore[method-assign]
    assert _count(ctx, anpr_hits) == 1 and _count(ctx, anpr_reads) == 0
    result = ctx.anpr.ingest.ingest_items([read(1, "XX999X", at=clock.now)])  # redelivered
    assert result.stored == 1 and _count(ctx, anpr_hits) == 1


def test_de_never_stores_no_hit_reads(tmp_path: Path, db_url: str) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.DE, db_url, clock=clock)
    add_entry(ctx, "AC-AB-123", "DE")
    batch = [read(1, "AC AB 123", at=clock.now), read(2, "AC XY 456", at=clock.now)]
    result = ctx.anpr.ingest.ingest_items(batch)
    assert (result.accepted, result.stored, result.discarded, result.hits) == (2, 1, 1, 1)
    with ctx.engine.connect() as conn:
        stored = list(conn.execute(sa.select(anpr_reads.c.read_id, anpr_reads.c.hit)))
    assert [(r[0], bool(r[1])) for r in stored] == [("r-1", True)]
    # a read set aside keeps no plate, picture or position in the quarantine either
    aside = [
        read(3, "AC XY 457", at=clock.now, camera="CAM-UNKNOWN", lat=50.8, lon=6.1),
        read(4, "AC XY 458", at=clock.now + dt.timedelta(hours=1)),
    ]
    assert len(ctx.anpr.ingest.ingest_items(aside).quarantined) == 2
    with ctx.engine.connect() as conn:
        payloads = conn.execute(sa.select(anpr_quarantine.c.payload)).scalars().all()
    assert len(payloads) == 2 and all("r-" in p for p in payloads)
    assert not any(s in p for p in payloads for s in ("XY", "img", "50.8"))


@pytest.mark.parametrize(("min_hit_score", "expected"), [(0.5, 2), (0.0, 3)])
def test_only_matches_scoring_min_hit_score_become_hits(
    tmp_path: Path, min_hit_score: float, expected: int
) -> None:
    """``[anpr] min_hit_score`` (0.5): an ambiguous fuzzy read (itself a valid plate) is no hit."""
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.BE, clock=clock, min_hit_score=min_hit_score)
    add_entry(ctx, "1-ODA-123", "BE", ref="E1")
    add_entry(ctx, "XX-999-X", "NL", ref="E2")
    batch = [
        read("misread", "1ODA1Z3", at=clock.now, plate_country="BE"),  # Z for 2: 0.9
        read("other-car", "1DDA123", at=clock.now, plate_country="BE"),  # valid BE plate: 0.45
        read("elsewhere", "XX999X", at=clock.now, plate_country="BE"),  # wrong country: 0.5
    ]
    result = ctx.anpr.ingest.ingest_items(batch)
    with ctx.engine.connect() as conn:
        hits = dict(conn.execute(sa.select(anpr_hits.c.read_id, anpr_hits.c.outcome)).all())
    assert result.hits == expected == len(hits)
    assert hits["r-misread"] == "fuzzy" and hits["r-elsewhere"] == "wrong_country"
    assert ("r-other-car" in hits) is (min_hit_score == 0.0)


def test_control_characters_do_not_poison_a_batch(tmp_path: Path, db_url: str) -> None:
    """PostgreSQL refuses NUL in text: one such read must not fail (and block) its batch."""
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.BE, db_url, clock=clock)
    batch = [
        read("ok", at=clock.now),
        {**read("x", at=clock.now), "read_id": "r-\x00nul"},
        read("img", at=clock.now, image_ref="s3://a/\x00b.jpg"),
        read("site", at=clock.now, site="E40\x00", direction="W\x01"),
        read("cam", at=clock.now, camera="CAM-\x00X"),
        read("plate", "1ABC\x00234", at=clock.now),
    ]
    result = ctx.anpr.ingest.ingest_items(batch)
    total = result.accepted + result.duplicates + len(result.quarantined) + len(result.rejected)
    assert total == len(batch)
    assert result.rejected == [(1, m.NO_READ_ID)]
    assert dict(result.quarantined) == {"r-cam": m.UNKNOWN_CAMERA, "r-plate": m.GARBAGE_PLATE}
    assert result.stored == 3
    stored = ctx.anpr.reads.window(
        since=clock.now - dt.timedelta(hours=1), until=clock.now + dt.timedelta(hours=1)
    )
    assert not any("\x00" in str(v) for row in stored.rows() for v in row)
