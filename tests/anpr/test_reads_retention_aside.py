"""Retention of the quarantine and of hits per jurisdiction: one second inside stays,
one second outside goes (SQLite and PostgreSQL).

``anpr_quarantine`` keeps reads set aside by the ingest for 7 days (DE: 1 day, as
they carry plates of reads that are not hits); ``anpr_hits`` follow the reads'
period of the jurisdiction. Each run leaves an ERASURE entry in the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from passerelle.audit.reader import AuditSearch
from passerelle.domain.countries import Country
from passerelle.retention.period import Period
from passerelle.retention.service import RetentionService
from passerelle.storage.tables_anpr_hotlists import anpr_hits
from passerelle.storage.tables_anpr_reads import anpr_quarantine
from tests.anpr.ingest_support import Clock, make_ctx

NOW = dt.datetime(2026, 11, 23, 12, 30, 15, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
QUARANTINE = {Country.NL: "P7D", Country.LU: "P7D", Country.BE: "P7D", Country.DE: "P1D"}
HITS = {Country.NL: "P28D", Country.LU: "P28D", Country.BE: "P12M", Country.DE: "P28D"}


def _aside(read_id: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "read_id": read_id,
        "reason": "unknown_camera",
        "received_at": at,
        "camera_id": "CAM-X",
        "payload": "{}",
    }


def _hit(hit_id: str, at: dt.datetime, country: Country) -> dict[str, Any]:
    return {
        "hit_id": hit_id,
        "read_id": f"r-{hit_id}",
        "entry_id": "e-1",
        "owner_country": "NL",
        "reporting_country": country.value,
        "outcome": "exact",
        "score": 1.0,
        "plate": "XX999X",
        "camera_id": "CAM-A2-1",
        "read_at": at,
        "created_at": at,
    }


@pytest.mark.parametrize("country", [Country.NL, Country.LU, Country.BE, Country.DE])
def test_quarantine_and_hits_boundary_per_country(
    tmp_path: Path, db_url: str, country: Country
) -> None:
    clock = Clock(NOW)
    ctx = make_ctx(tmp_path, country, db_url, clock=clock, cameras=False)
    q_cut = Period.parse(QUARANTINE[country]).cutoff(NOW)
    h_cut = Period.parse(HITS[country]).cutoff(NOW)
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.insert(anpr_quarantine),
            [_aside("inside", q_cut + SECOND), _aside("outside", q_cut - SECOND)],
        )
        conn.execute(
            sa.insert(anpr_hits),
            [_hit("inside", h_cut + SECOND, country), _hit("outside", h_cut - SECOND, country)],
        )
    report = RetentionService(ctx.engine, ctx.settings, audit=ctx.audit, clock=clock).run(
        trigger="test"
    )
    outcomes = {o.rule: o for o in report.outcomes}
    assert outcomes["anpr_quarantine"].count == 1 and outcomes["anpr_hits"].count == 1
    with ctx.engine.connect() as conn:
        aside = conn.execute(sa.select(anpr_quarantine.c.read_id)).scalars().all()
        hits = conn.execute(sa.select(anpr_hits.c.hit_id)).scalars().all()
    assert aside == ["inside"] and hits == ["inside"]
    erasures = ctx.audit.search(AuditSearch(kind="erasure", limit=50))
    counts = {e.detail["rule"]: e.detail["count"] for e in erasures}
    assert counts["anpr_quarantine"] == 1 and counts["anpr_hits"] == 1
