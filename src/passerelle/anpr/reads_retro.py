"""Retro-matching: a new hotlist entry against the reads already stored.

``AnprRuntime.start`` registers ``RetroMatcher.on_new_entries`` with
``ctx.anpr.hotlists.on_new_entries``. The callback only queues the entries; a
single worker thread then builds a small ``HotlistIndex`` of them, runs the
distinct stored plates of the retro window (``access.retro_window``) through it,
and records a hit for each matching read (``ctx.anpr.hits.record``, idempotent
per read and entry), flagging those reads as hits. ``drain()`` waits until all
queued work is done (tests, shutdown).

A batch the ingest matched just before the entry reached the index, and commits
just after, would be seen by neither: the callback notes how many batches the
ingest queue had started, and the worker first waits for those to end.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

import sqlalchemy as sa
import structlog

from passerelle.anpr.access import retro_window
from passerelle.storage.tables_anpr_reads import anpr_reads as t

if TYPE_CHECKING:
    from passerelle.anpr.index import IndexEntry
    from passerelle.anpr.runtime import AnprRuntime
    from passerelle.node.context import NodeContext

log = structlog.get_logger(__name__)


class RetroMatcher:
    def __init__(self, ctx: NodeContext, runtime: AnprRuntime) -> None:
        self.ctx = ctx
        self.runtime = runtime
        self.jurisdiction = ctx.settings.retention.jurisdiction or ctx.settings.country
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anpr-retro")
        self._pending: list[Future[int]] = []
        self._lock = threading.Lock()

    def on_new_entries(self, entries: list[IndexEntry]) -> None:
        """Queue ``entries`` for comparison (returns at once)."""
        if not entries:
            return
        in_flight = self.runtime.queue.taken  # batches matched perhaps without these entries
        future = self._pool.submit(self.run, list(entries), in_flight)
        with self._lock:
            self._pending = [f for f in self._pending if not f.done()] + [future]

    def drain(self, timeout: float | None = 60.0) -> None:
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result(timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def run(self, entries: Sequence[IndexEntry], in_flight: int | None = None) -> int:
        """Compare ``entries`` with the stored reads of the retro window; hits recorded.

        ``in_flight``: wait until that many ingest batches have ended first."""
        from passerelle.anpr.hits import HitCandidate
        from passerelle.anpr.index import HotlistIndex

        try:
            if in_flight is not None and not self.runtime.queue.settle(in_flight):
                log.warning("anpr_retro_match_ingest_busy")  # go on: the usual case is caught
            rule = next(r for r in self.ctx.retention.rules() if r.name == "anpr_reads")
            since, until = retro_window(self.jurisdiction, self.runtime.now(), period=rule.period)
            # reads from cameras whose clock runs ahead were accepted (max_future_skew_s)
            until += dt.timedelta(seconds=self.ctx.settings.anpr.max_future_skew_s)
            index = HotlistIndex.build(entries)
            plates, countries = self._distinct_plates(since, until)
            min_score = self.ctx.settings.anpr.min_hit_score
            matches = index.match(plates, countries, min_score=min_score) if plates else []
            if not matches:
                return 0
            wanted: dict[tuple[str, str | None], list[tuple[str, str, float]]] = {}
            for m in matches:
                key = (plates[m.read_idx], countries[m.read_idx])
                wanted.setdefault(key, []).append((m.entry_id, m.outcome, m.score))
            frame = self.runtime.reads.window(
                since=since, until=until, plates=sorted({p for p, _ in wanted})
            )
            candidates = [
                HitCandidate(read=read, entry_id=entry_id, outcome=outcome, score=score)
                for read in frame.to_dicts()
                for entry_id, outcome, score in wanted.get(
                    (read["plate"], read["plate_country"]), []
                )
            ]
            hits = self.runtime.hits.record(candidates)
            self.runtime.reads.mark_hits(c.read["read_id"] for c in candidates)
            self.runtime.metrics.retro_hits.inc(len(hits))
            log.info("anpr_retro_matched", entries=len(entries), hits=len(hits))
            return len(hits)
        except Exception as e:
            log.error("anpr_retro_match_failed", error=type(e).__name__)
            raise

    def _distinct_plates(self, since: object, until: object) -> tuple[list[str], list[str | None]]:
        query = (
            sa.select(t.c.plate, t.c.plate_country)
            .where(t.c.read_at >= since, t.c.read_at < until)
            .distinct()
        )
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [r[0] for r in rows], [r[1] for r in rows]
