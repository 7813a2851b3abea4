"""Analytics for investigators: cloned plates, convoys, a vehicle's journey.

``AnprAnalytics(ctx)`` runs the algorithms of ``analytics_clones``,
``analytics_convoy`` and ``analytics_journey`` on the node's stored reads. Each
call:

1. needs a justification, and takes the legal reference that opens the
   lawful window (``anpr.access.lawful_window``: e.g. in Belgium reads older
   than a month only with the procureur du Roi's decision);
2. clamps the requested period to that window (a period wholly outside it is
   refused) — reads outside the window are never loaded;
3. writes one audit entry (``anpr_analysis``) with the period, the numbers
   of reads and findings, and the plates concerned kept protected in ``query``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl
import sqlalchemy as sa

from passerelle.anpr.analytics_clones import CloneSettings, detect_clones
from passerelle.anpr.analytics_convoy import ConvoySettings, detect_convoys
from passerelle.anpr.analytics_journey import geojson, journey, summary
from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef
from passerelle.exc import InvalidInput, PasserelleError

if TYPE_CHECKING:
    from passerelle.auth.roles import Principal
    from passerelle.node.context import NodeContext

MAX_ROWS = 500
CANDIDATES = 20  # the strongest pairs short of a convoy, for the investigator to judge


@dataclass(frozen=True)
class AnalysisRequest:
    justification: str
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    legal_ref: str | None = None  # the authorisation that opens the window (e.g. PdR decision)
    case_ref: str | None = None

    def checked(self) -> AnalysisRequest:
        if not " ".join(self.justification.split()):
            raise InvalidInput("a justification is required", code="anpr_justification_required")
        return self


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value


def rows(frame: pl.DataFrame, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    return [{k: _iso(v) for k, v in r.items()} for r in frame.head(limit).iter_rows(named=True)]


def pair_rows(pairs: pl.DataFrame) -> list[dict[str, Any]]:
    """Convoy statistics as JSON rows (times as ISO 8601, without the internal ``tested``)."""
    if pairs.is_empty():
        return []
    out = pairs.drop("tested").with_columns(
        pl.from_epoch(pl.col("first_at"), "s").dt.replace_time_zone("UTC"),
        pl.from_epoch(pl.col("last_at"), "s").dt.replace_time_zone("UTC"),
    )
    return rows(out)


class AnprAnalytics:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        self.me = ctx.settings.country

    # -- the lawful window ---------------------------------------------------------------
    def period(
        self, principal: Principal, request: AnalysisRequest, analysis: str
    ) -> tuple[dt.datetime, dt.datetime]:
        """The requested period within the lawful window (``anpr.access``); refusals audited.

        Without ``since`` the analysis covers the whole lawful window; a ``since``
        before the window is refused (as for historic search), not silently cut.
        """
        from passerelle.anpr.access import check_range, lawful_window

        s = self.ctx.settings
        jurisdiction = s.retention.jurisdiction or s.country
        rule = next(r for r in self.ctx.retention.rules() if r.name == "anpr_reads")
        now = self.ctx.anpr.now()
        try:
            low, high = lawful_window(jurisdiction, now, request.legal_ref, period=rule.period)
            since, until = check_range(
                jurisdiction,
                now,
                request.legal_ref,
                request.since or low,
                request.until or high,
                period=rule.period,
            )
        except PasserelleError as e:
            self._audit(
                principal, request, analysis, None, reads=0, found=0, plates=[], refusal=e.code
            )
            raise
        return since, until

    def _audit(
        self,
        principal: Principal,
        request: AnalysisRequest,
        analysis: str,
        period: tuple[dt.datetime, dt.datetime] | None,
        *,
        reads: int,
        found: int,
        plates: list[str],
        datasets: tuple[str, ...] = ("anpr_reads",),
        refusal: str | None = None,
    ) -> None:
        role = sorted(r.value for r in principal.roles)[0] if principal.roles else "unknown"
        self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.ANPR_ANALYSIS,
                actor=Actor(subject=principal.subject, role=role, country=self.me),
                outcome="refused" if refusal else "hit" if found else "no_hit",
                purpose="investigation",
                justification=request.justification,
                legal_ref=LegalRef(case_ref=request.case_ref, authorisation_ref=request.legal_ref),
                query={"analysis": analysis, "plates": plates[:200]},
                datasets=datasets,
                detail={
                    "analysis": analysis,
                    "reads": reads,
                    "found": found,
                    "since": period[0].isoformat() if period else None,
                    "until": period[1].isoformat() if period else None,
                    **({"refusal": refusal} if refusal else {}),
                },
            )
        )

    # -- analyses ------------------------------------------------------------------------
    def clones(
        self, principal: Principal, request: AnalysisRequest, settings: CloneSettings | None = None
    ) -> dict[str, Any]:
        request = request.checked()
        since, until = self.period(principal, request, "clones")
        reads = self.ctx.anpr.reads.window(since=since, until=until)
        found = detect_clones(reads, settings)
        self._audit(
            principal,
            request,
            "clones",
            (since, until),
            reads=reads.height,
            found=found.height,
            plates=found["plate"].to_list(),
        )
        return {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "reads": reads.height,
            "clones": rows(found),
        }

    def convoys(
        self, principal: Principal, request: AnalysisRequest, settings: ConvoySettings | None = None
    ) -> dict[str, Any]:
        request = request.checked()
        since, until = self.period(principal, request, "convoys")
        reads = self.ctx.anpr.reads.window(since=since, until=until)
        groups, pairs = detect_convoys(reads, settings)
        flagged = pairs.filter(pl.col("convoy"))
        candidates = pairs.filter(~pl.col("convoy")).head(CANDIDATES)
        shown = pl.concat([flagged, candidates])
        self._audit(
            principal,
            request,
            "convoys",
            (since, until),
            reads=reads.height,
            found=len(groups),
            plates=sorted(set(shown["plate_a"]) | set(shown["plate_b"])),
        )
        tested = int(pairs["tested"][0]) if pairs.height else 0
        return {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "reads": reads.height,
            "pairs_tested": tested,
            "convoys": [{"plates": g} for g in groups],
            "pairs": pair_rows(flagged),
            "candidates": pair_rows(candidates),
        }

    def journey(self, principal: Principal, plate: str, request: AnalysisRequest) -> dict[str, Any]:
        from passerelle.anpr.plates import normalise_read

        request = request.checked()
        read = normalise_read(plate, None)
        if not read.plate:
            raise InvalidInput("not a usable plate", code="anpr_plate_invalid")
        since, until = self.period(principal, request, "journey")
        reads = self.ctx.anpr.reads.window(since=since, until=until, plates=[read.plate])
        hits = self.partner_hits(read.plate, since, until)
        points = journey(reads, hits, self.me.value)
        self._audit(
            principal,
            request,
            "journey",
            (since, until),
            reads=reads.height,
            found=points.height,
            plates=[read.plate],
            datasets=("anpr_reads", "anpr_hits"),
        )
        return {
            "plate": read.plate,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "summary": {k: _iso(v) for k, v in summary(points).items()},
            "points": rows(points, 5000),
            "geojson": geojson(points),
        }

    def partner_hits(self, plate: str, since: dt.datetime, until: dt.datetime) -> pl.DataFrame:
        """Hits partners reported on our own hotlist entries for ``plate`` in the period."""
        from passerelle.storage.tables_anpr_hotlists import anpr_hits as h
        from passerelle.storage.tables_anpr_hotlists import anpr_hotlist_entries as e

        own_entries = sa.select(e.c.entry_id).where(
            e.c.owner_country == self.me.value, e.c.plate == plate
        )
        query = sa.select(
            h.c.hit_id,
            h.c.reporting_country,
            h.c.read_at,
            h.c.camera_id,
            h.c.site,
            h.c.lat,
            h.c.lon,
            h.c.plate,
            h.c.image_ref,
        ).where(
            h.c.owner_country == self.me.value,
            h.c.reporting_country != self.me.value,
            h.c.entry_id.in_(own_entries),
            h.c.read_at >= since,
            h.c.read_at < until,
        )
        with self.ctx.engine.connect() as conn:
            found = [dict(r._mapping) for r in conn.execute(query)]
        schema: dict[str, Any] = {
            "hit_id": pl.String,
            "reporting_country": pl.String,
            "read_at": pl.Datetime("us", "UTC"),
            "camera_id": pl.String,
            "site": pl.String,
            "lat": pl.Float64,
            "lon": pl.Float64,
            "plate": pl.String,
            "image_ref": pl.String,
        }
        for r in found:
            at = r["read_at"]
            r["read_at"] = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
        return pl.DataFrame(found, schema=schema)
