"""Historic search of stored camera reads: plate, fuzzy plate, area, time range.

Every search is bound to the lawful window of the node's jurisdiction
(``anpr.access``): NL and LU need the prosecutor's order reference, BE the
procureur du Roi's decision beyond the first month, DE finds hits only. Each
search — answered or refused — is written to the audit log (the plate searched
for is kept protected in the entry's ``query``; the entry lists the read ids
returned, never the reads). A fuzzy search runs the stored plates of the window
through a one-entry ``HotlistIndex`` of the plate searched for, so it finds the
same OCR confusions as the hotlist matching.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from passerelle.anpr.access import check_range, clean_ref
from passerelle.anpr.reads import BBox
from passerelle.audit.events import Actor, AuditEvent, EventKind, LegalRef
from passerelle.auth.roles import Principal
from passerelle.domain.countries import Country
from passerelle.exc import Forbidden, InvalidInput
from passerelle.retention.period import Period

if TYPE_CHECKING:
    from passerelle.node.context import NodeContext

MAX_RESULTS = 5000
DATASET = "anpr_reads"


@dataclass(frozen=True)
class SearchQuery:
    since: dt.datetime
    until: dt.datetime
    justification: str
    plate: str | None = None
    plate_country: str | None = None
    fuzzy: bool = False
    bbox: BBox | None = None
    legal_ref: str | None = None
    limit: int = 1000

    def audit_query(self) -> dict[str, Any]:
        return {
            "plate": self.plate,
            "plate_country": self.plate_country,
            "fuzzy": self.fuzzy,
            "bbox": list(self.bbox) if self.bbox else None,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
        }


@dataclass(frozen=True)
class SearchResult:
    reads: list[dict[str, Any]]
    since: dt.datetime
    until: dt.datetime
    truncated: bool
    audit_entry: str


class ReadSearch:
    def __init__(self, ctx: NodeContext) -> None:
        self.ctx = ctx
        s = ctx.settings
        self.jurisdiction: Country = s.retention.jurisdiction or s.country

    def period(self) -> Period:
        rule = next(r for r in self.ctx.retention.rules() if r.name == "anpr_reads")
        return rule.period

    def search(self, principal: Principal, query: SearchQuery) -> SearchResult:
        if not query.justification.strip():
            raise InvalidInput("a justification is required", code="anpr_justification_required")
        if not query.plate and query.bbox is None:
            raise InvalidInput("give a plate or an area", code="anpr_search_criteria")
        now = self.ctx.anpr.now()
        try:
            since, until = check_range(
                self.jurisdiction,
                now,
                query.legal_ref,
                query.since,
                query.until,
                period=self.period(),
            )
        except Forbidden as e:
            self._audit(principal, query, "refused", (), {"refusal": e.code})
            raise
        reads = self._find(query, since, until)
        truncated = len(reads) > query.limit
        reads = reads[: query.limit]
        entry = self._audit(
            principal,
            query,
            "hit" if reads else "no_hit",
            tuple(r["read_id"] for r in reads),
            {"count": len(reads), "truncated": truncated, "fuzzy": query.fuzzy},
        )
        return SearchResult(reads, since, until, truncated, entry)

    def _find(
        self, query: SearchQuery, since: dt.datetime, until: dt.datetime
    ) -> list[dict[str, Any]]:
        store = self.ctx.anpr.reads
        hits_only = self.jurisdiction is Country.DE
        cap = min(query.limit, MAX_RESULTS) + 1
        if not query.plate:
            frame = store.window(
                since=since, until=until, bbox=query.bbox, hits_only=hits_only, limit=cap
            )
            return frame.to_dicts()
        from passerelle.anpr.plates import normalise_read

        pr = normalise_read(query.plate, query.plate_country)
        if not pr.plate:
            raise InvalidInput("not a plate", code="anpr_search_plate")
        plates = [pr.plate]
        if query.fuzzy:
            plates = self._fuzzy_plates(pr.plate, pr.country, since, until)
        frame = store.window(
            since=since, until=until, plates=plates, bbox=query.bbox, hits_only=hits_only
        )
        return frame.head(cap).to_dicts()

    def _fuzzy_plates(
        self, plate: str, country: str | None, since: dt.datetime, until: dt.datetime
    ) -> list[str]:
        from passerelle.anpr.index import HotlistIndex, IndexEntry

        index = HotlistIndex.build([IndexEntry("query", plate, country)])
        stored = self.ctx.anpr.reads.plates_between(since, until).unique(["plate", "plate_country"])
        found = index.match(stored["plate"].to_list(), stored["plate_country"].to_list())
        names = stored["plate"].to_list()
        return sorted({names[m.read_idx] for m in found} | {plate})

    def _audit(
        self,
        principal: Principal,
        query: SearchQuery,
        outcome: str,
        read_ids: tuple[str, ...],
        detail: dict[str, Any],
    ) -> str:
        country = self.ctx.settings.country
        role = next(iter(sorted(r.value for r in principal.roles)), "")
        return self.ctx.audit.append(
            AuditEvent(
                kind=EventKind.CONSULTATION,
                actor=Actor(subject=principal.subject, role=role, country=country),
                outcome=outcome,
                purpose="anpr_search",
                justification=query.justification.strip()[:1000],
                legal_ref=LegalRef(authorisation_ref=clean_ref(query.legal_ref)),
                query=query.audit_query(),
                datasets=(DATASET,),
                record_ids=read_ids,
                detail=detail,
                at=self.ctx.anpr.now(),
            )
        )
