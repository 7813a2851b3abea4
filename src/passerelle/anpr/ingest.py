"""The ingest pipeline: read → validate → normalise → match → hits → store.

One call of ``IngestService.ingest`` handles one batch (an HTTP request, a
queue item, a pull of NATS messages):

1. *validate*: a read id twice in the batch, or already stored, is a duplicate;
   a timestamp too far in the future (``[anpr] max_future_skew_s``) or too old
   (``max_age_hours``), an unknown camera, a garbage plate or a confidence below
   ``min_confidence`` sends the read to the quarantine with its reason;
2. *normalise* the plate text (``anpr.plates.normalise_read``), filling site,
   position and direction from the camera registry;
3. *match* every plate against the active hotlists (``ctx.anpr.hotlists.index()``);
4. *hits* are recorded first (``ctx.anpr.hits.record``, idempotent per read and
   entry), so a crash before the reads are committed only means the batch is
   processed again, never a lost or a second hit;
5. *store* the reads the jurisdiction keeps (DE: hits only; no-hit reads are
   matched and dropped, never written) and the quarantine, in one transaction
   (DE: without plate, picture or position — a read set aside was never matched).

The caller acknowledges the batch (HTTP 200, NATS ack) only after ``ingest``
returns. Nothing here logs plates, read ids or positions.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import structlog

from passerelle.anpr import ingest_models as m
from passerelle.anpr.ingest_models import IngestResult, Quarantined, RawRead, read_payload
from passerelle.anpr.ingest_normalise import normalise_batch
from passerelle.domain.countries import Country

if TYPE_CHECKING:
    from passerelle.anpr.runtime import AnprRuntime
    from passerelle.node.context import NodeContext

log = structlog.get_logger(__name__)


def keeps_no_hit_reads(jurisdiction: Country) -> bool:
    """DE: no-hit reads are deleted at once, without trace — so they are never stored."""
    return jurisdiction is not Country.DE


class IngestService:
    def __init__(self, ctx: NodeContext, runtime: AnprRuntime) -> None:
        self.ctx = ctx
        self.runtime = runtime
        self.settings = ctx.settings.anpr
        self.jurisdiction = ctx.settings.retention.jurisdiction or ctx.settings.country
        self.keep_no_hits = keeps_no_hit_reads(self.jurisdiction)

    def ingest_any(self, batch: Sequence[Any], *, source: str = "queue") -> IngestResult:
        """``RawRead``/``Quarantined`` batches as they are; anything else as JSON items."""
        if all(isinstance(r, RawRead | Quarantined) for r in batch):
            return self.ingest(batch, source=source)
        return self.ingest_items(batch, source=source)

    def ingest_items(self, items: Sequence[Any], *, source: str = "http") -> IngestResult:
        """Parse JSON objects (HTTP, NATS) and ingest them; unusable ones are rejected."""
        parsed: list[RawRead | Quarantined] = []
        rejected: list[tuple[int, str]] = []
        for i, item in enumerate(items):
            read = item if isinstance(item, RawRead | Quarantined) else m.parse_raw_read(item)
            if isinstance(read, str):
                rejected.append((i, read))
            else:
                parsed.append(read)
        result = self.ingest(parsed, source=source)
        result.rejected.extend(rejected)
        if rejected:  # they arrived too: received = accepted + duplicates + aside + rejected
            self.runtime.metrics.received.labels(source).inc(len(rejected))
        for _, reason in rejected:
            self.runtime.metrics.rejected.labels(reason).inc()
        return result

    def ingest(
        self, reads: Sequence[RawRead | Quarantined], *, source: str = "queue"
    ) -> IngestResult:
        started = time.perf_counter()
        metrics = self.runtime.metrics
        metrics.received.labels(source).inc(len(reads))
        now = self.runtime.now()
        s = self.settings
        future = now + dt.timedelta(seconds=s.max_future_skew_s)
        oldest = now - dt.timedelta(hours=s.max_age_hours)
        result = IngestResult()
        store = self.runtime.reads
        seen: set[str] = set()
        aside: list[Quarantined] = []
        good: list[RawRead] = []
        for r in reads:
            if r.read_id in seen:
                result.duplicates += 1
                continue
            seen.add(r.read_id)
            if isinstance(r, Quarantined):
                aside.append(r)
            elif r.read_at > future:
                aside.append(Quarantined(r.read_id, m.FUTURE_READ, r.camera_id, read_payload(r)))
            elif r.read_at < oldest:
                aside.append(Quarantined(r.read_id, m.STALE_READ, r.camera_id, read_payload(r)))
            elif r.confidence is not None and r.confidence < s.min_confidence:
                aside.append(Quarantined(r.read_id, m.LOW_CONFIDENCE, r.camera_id, read_payload(r)))
            else:
                good.append(r)
        cameras = store.cameras.lookup({r.camera_id for r in good})
        if s.unknown_cameras == "quarantine":
            known = [r for r in good if r.camera_id in cameras]
            for r in good:
                if r.camera_id not in cameras:
                    aside.append(
                        Quarantined(r.read_id, m.UNKNOWN_CAMERA, r.camera_id, read_payload(r))
                    )
            good = known
        norm = normalise_batch([r.plate for r in good], [r.plate_country for r in good])
        rows: list[dict[str, Any]] = []
        plates: list[str] = []
        countries: list[str | None] = []
        for r, plate, country, inferred in zip(
            good, norm.plates, norm.countries, norm.inferred, strict=True
        ):
            if not plate:
                aside.append(Quarantined(r.read_id, m.GARBAGE_PLATE, r.camera_id, read_payload(r)))
                continue
            cam = cameras.get(r.camera_id)
            rows.append(
                {
                    "read_id": r.read_id,
                    "read_at": r.read_at,
                    "camera_id": r.camera_id,
                    "site": r.site or (cam.site if cam else None),
                    "lat": r.lat if r.lat is not None else (cam.lat if cam else None),
                    "lon": r.lon if r.lon is not None else (cam.lon if cam else None),
                    "direction": r.direction or (cam.direction if cam else None),
                    "received_at": now,
                    "plate": plate[:16],
                    "plate_raw": r.plate,
                    "plate_country": country,
                    "country_inferred": inferred,
                    "confidence": r.confidence,
                    "image_ref": r.image_ref,
                    "hit": False,
                }
            )
            plates.append(plate)
            countries.append(country)
        with self.ctx.engine.connect() as conn:
            done = store.existing_ids(conn, [r["read_id"] for r in rows]) if rows else set()
            done_aside = store.quarantined_pairs(conn, aside) if aside else set()
        if done:
            keep = [i for i, r in enumerate(rows) if r["read_id"] not in done]
            result.duplicates += len(rows) - len(keep)
            rows = [rows[i] for i in keep]
            plates = [plates[i] for i in keep]
            countries = [countries[i] for i in keep]
        if done_aside:
            fresh = [a for a in aside if (a.read_id, a.reason) not in done_aside]
            result.duplicates += len(aside) - len(fresh)
            aside = fresh
        outcomes = self._match_and_record(rows, plates, countries, result) if rows else []
        kept = rows if self.keep_no_hits else [r for r in rows if r["hit"]]
        store.prepare(kept)
        if not self.keep_no_hits:
            aside = [m.without_personal_data(a) for a in aside]
        with self.ctx.engine.begin() as conn:
            result.stored = store.insert(conn, kept)
            store.quarantine(conn, aside, now)
        result.accepted = len(rows)
        result.discarded = len(rows) - len(kept)
        result.quarantined = [(a.read_id, a.reason) for a in aside]
        metrics.count(result, outcomes)
        metrics.batch_seconds.observe(time.perf_counter() - started)
        return result

    def _match_and_record(
        self,
        rows: list[dict[str, Any]],
        plates: list[str],
        countries: list[str | None],
        result: IngestResult,
    ) -> list[str]:
        index = self.runtime.hotlists.index()
        if len(index) == 0:
            return []
        matches = index.match(plates, countries, min_score=self.settings.min_hit_score)
        if not matches:
            return []
        from passerelle.anpr.hits import HitCandidate

        candidates = []
        for match in matches:
            row = rows[match.read_idx]
            row["hit"] = True
            candidates.append(
                HitCandidate(
                    read=row, entry_id=match.entry_id, outcome=match.outcome, score=match.score
                )
            )
        hits = self.runtime.hits.record(candidates)
        result.hits = len(hits)
        return [c.outcome for c in candidates]
