"""The DPO's tools over the node's audit log; every use is itself logged (DPO_ACCESS).

The DPO's search criteria can hold personal data (a subject searched for), so
they go into the entry's protected ``query``; the entry's ``detail`` says only
which action, which filters were used and how many entries came back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.audit.reader import AuditRecord, AuditSearch
from passerelle.auth.roles import Principal
from passerelle.dpo.indicators import LOOKUP_KINDS, Indicators, compute, rules_from
from passerelle.dpo.pairing import PairingReport, pair, read_export
from passerelle.dpo.records import build_records
from passerelle.exc import InvalidInput, NotFound
from passerelle.node.context import NodeContext
from passerelle.retention.engine import RetentionReport

PAGE = 1000
MAX_INDICATOR_RECORDS = 200_000
MAX_SUBJECT_RECORDS = 10_000
CSV_COLUMNS = (
    "position",
    "entry_id",
    "at",
    "node",
    "kind",
    "officer",
    "role",
    "officer_country",
    "unit",
    "purpose",
    "patrol_id",
    "case_ref",
    "authorisation_ref",
    "justification",
    "datasets",
    "record_ids",
    "recipients",
    "partner",
    "exchange_id",
    "outcome",
    "has_query",
    "detail",
    "hash",
)


def record_dict(r: AuditRecord, query: dict[str, Any] | None = None) -> dict[str, Any]:
    """An entry for the DPO: every field; the query only when revealed (``query``)."""
    out: dict[str, Any] = {
        "position": r.position,
        "entry_id": r.entry_id,
        "at": r.at.isoformat(),
        "node": r.node,
        "kind": r.kind,
        "actor": {
            "subject": r.actor.subject,
            "role": r.actor.role,
            "country": r.actor.country.value,
            "unit": r.actor.unit,
        },
        "purpose": r.purpose,
        "legal_ref": {
            "patrol_id": r.legal_ref.patrol_id,
            "case_ref": r.legal_ref.case_ref,
            "authorisation_ref": r.legal_ref.authorisation_ref,
        },
        "justification": r.justification,
        "datasets": list(r.datasets),
        "record_ids": list(r.record_ids),
        "recipients": [{"country": x.country.value, "officer": x.officer} for x in r.recipients],
        "partner": r.partner,
        "exchange_id": r.exchange_id,
        "outcome": r.outcome,
        "detail": r.detail,
        "has_query": r.has_query,
        "hash": r.hash,
    }
    if query is not None:
        out["query"] = query
    return out


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text  # never a formula in a spreadsheet
    return text


def csv_row(r: AuditRecord) -> list[str]:
    d = record_dict(r)
    values: list[object] = [
        d["position"],
        d["entry_id"],
        d["at"],
        d["node"],
        d["kind"],
        d["actor"]["subject"],
        d["actor"]["role"],
        d["actor"]["country"],
        d["actor"]["unit"],
        d["purpose"],
        d["legal_ref"]["patrol_id"],
        d["legal_ref"]["case_ref"],
        d["legal_ref"]["authorisation_ref"],
        d["justification"],
        ";".join(d["datasets"]),
        ";".join(d["record_ids"]),
        ";".join(f"{x['country']}:{x['officer'] or ''}" for x in d["recipients"]),
        d["partner"],
        d["exchange_id"],
        d["outcome"],
        "yes" if d["has_query"] else "no",
        json.dumps(d["detail"], sort_keys=True, ensure_ascii=False),
        d["hash"],
    ]
    return [_csv_cell(v) for v in values]


@dataclass(frozen=True)
class SearchPage:
    records: list[AuditRecord]
    total: int
    query: AuditSearch


class DpoService:
    def __init__(self, ctx: NodeContext, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.ctx = ctx
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))

    # -- logging of the DPO's own accesses -------------------------------------------------

    def _access(
        self,
        who: Principal,
        action: str,
        criteria: dict[str, Any],
        results: int,
        justification: str | None = None,
    ) -> str:
        filters = sorted(k for k, v in criteria.items() if v not in (None, "", 0))
        event = AuditEvent(
            kind=EventKind.DPO_ACCESS,
            actor=Actor(subject=who.subject, role="dpo", country=self.ctx.settings.country),
            outcome="ok",
            purpose=None,
            justification=(justification or "data protection supervision")[:500],
            query={"dpo": {k: str(v) for k, v in criteria.items() if v not in (None, "")}},
            detail={"action": action, "filters": filters, "results": results},
        )
        return self.ctx.audit.append(event)

    @staticmethod
    def _criteria(q: AuditSearch) -> dict[str, Any]:
        return {
            "officer": q.officer,
            "subject": q.subject,
            "dataset": q.dataset,
            "partner": q.partner,
            "purpose": q.purpose,
            "kind": q.kind,
            "exchange_id": q.exchange_id,
            "since": q.since.isoformat() if q.since else None,
            "until": q.until.isoformat() if q.until else None,
        }

    # -- search, pairing, export -----------------------------------------------------------

    def search(
        self, who: Principal, q: AuditSearch, justification: str | None = None
    ) -> SearchPage:
        if q.limit > PAGE:
            raise InvalidInput(f"at most {PAGE} entries per page", code="invalid_input")
        records = self.ctx.audit.search(q)
        total = self.ctx.audit.count(q)
        self._access(who, "search", self._criteria(q), total, justification)
        return SearchPage(records, total, q)

    def exchange(self, who: Principal, exchange_id: str) -> dict[str, Any]:
        """This node's entries of one exchange, and which partner holds the other end."""
        exchange_id = exchange_id.strip()
        if not exchange_id or len(exchange_id) > 64:
            raise InvalidInput("not an exchange id", code="invalid_input")
        records = self.ctx.audit.pair(exchange_id)
        self._access(who, "exchange", {"exchange_id": exchange_id}, len(records))
        if not records:
            raise NotFound("no entry for this exchange on this node", code="audit_exchange_unknown")
        partners = sorted({r.partner for r in records if r.partner})
        return {
            "exchange_id": exchange_id,
            "node": self.ctx.settings.country.value,
            "entries": records,
            "partners": partners,
            "sides": sorted({_side(r.kind) for r in records}),
        }

    def export(self, who: Principal, q: AuditSearch, fmt: str) -> Iterator[str]:
        """The matching entries, newest first, as JSON lines or CSV; logged once, up front."""
        if fmt not in ("jsonl", "csv"):
            raise InvalidInput("format must be jsonl or csv", code="invalid_input")
        until = q.until or self.clock()
        fixed = replace(q, until=until, limit=PAGE, offset=0)
        total = self.ctx.audit.count(fixed)
        self._access(who, f"export_{fmt}", self._criteria(fixed), total)
        return self._stream(fixed, fmt)

    def _stream(self, q: AuditSearch, fmt: str) -> Iterator[str]:
        if fmt == "csv":
            yield _csv_line(CSV_COLUMNS)
        offset = 0
        while True:
            page = self.ctx.audit.search(replace(q, offset=offset))
            for r in page:
                if fmt == "csv":
                    yield _csv_line(csv_row(r))
                else:
                    yield json.dumps(record_dict(r), ensure_ascii=False, sort_keys=True) + "\n"
            if len(page) < q.limit:
                return
            offset += q.limit

    # -- subject access ----------------------------------------------------------------------

    def subject_access(self, who: Principal, subject: str) -> dict[str, Any]:
        """Everything logged about one person, with the decrypted queries, oldest first."""
        subject = subject.strip()
        if not subject or len(subject) > 200:
            raise InvalidInput(
                "enter an identifier, a plate or family_name|YYYY-MM-DD",
                code="audit_subject_invalid",
            )
        records: list[AuditRecord] = []
        q = AuditSearch(subject=subject, limit=PAGE)
        while len(records) < MAX_SUBJECT_RECORDS:
            page = self.ctx.audit.search(replace(q, offset=len(records)))
            records.extend(page)
            if len(page) < PAGE:
                break
        records.sort(key=lambda r: r.position)
        self._access(who, "subject_access", {"subject": subject}, len(records))
        entries = [record_dict(r, self.ctx.audit.reveal_query(r)) for r in records]
        officers = sorted({f"{r.actor.country.value}:{r.actor.subject}" for r in records})
        partners = sorted({p for r in records for p in ([r.partner] if r.partner else [])})
        return {
            "subject_key": self.ctx.audit.subject_key(subject),
            "entries": entries,
            "officers": officers,
            "partners": partners,
            "first": entries[0]["at"] if entries else None,
            "last": entries[-1]["at"] if entries else None,
            "generated_at": self.clock().isoformat(timespec="seconds"),
        }

    # -- indicators, verification, records, retention ---------------------------------------

    def indicators(self, who: Principal, days: int | None = None) -> Indicators:
        window = days or self.ctx.settings.dpo.window_days
        if not 1 <= window <= 366:
            raise InvalidInput("the window is 1 to 366 days", code="invalid_input")
        until = self.clock()
        since = until - dt.timedelta(days=window)
        records: list[AuditRecord] = []
        truncated = False
        for kind in LOOKUP_KINDS:
            q = AuditSearch(kind=kind.value, since=since, until=until, limit=PAGE)
            offset = 0
            while True:
                page = self.ctx.audit.search(replace(q, offset=offset))
                records.extend(page)
                offset += len(page)
                if len(page) < PAGE:
                    break
                if len(records) >= MAX_INDICATOR_RECORDS:
                    truncated = True
                    break
        result = compute(
            records, rules_from(self.ctx.settings), since=since, until=until, truncated=truncated
        )
        self._access(who, "indicators", {"days": window}, result.lookups)
        return result

    def verify(self, who: Principal) -> dict[str, Any]:
        from passerelle.audit.verify import verify_db

        report = verify_db(self.ctx.audit)
        self._access(who, "verify", {}, report.entries)
        return report.to_dict()

    def pair_with_export(self, who: Principal, path: Path) -> PairingReport:
        """Pair our entries with a partner's export file, verified with its trusted key."""
        from passerelle.audit.offline import verify_file

        partner, theirs = read_export(path)
        entry = self.ctx.trust.get(partner)
        if partner == self.ctx.settings.country or entry is None:
            raise InvalidInput(
                f"{partner.value} is not a partner of this node",
                code="partner_unknown",
                country=partner.value,
            )
        check = verify_file(path, entry.public_key)
        first = check.first
        finding = None if first is None else f"{first.reason}: {first.message}"
        ours: list[AuditRecord] = []
        if theirs:
            slack = dt.timedelta(minutes=10)  # clocks of two nodes and in-flight exchanges
            q = AuditSearch(
                partner=partner.value,
                since=min(r.at for r in theirs) - slack,
                until=max(r.at for r in theirs) + slack,
                limit=PAGE,
            )
            while True:
                page = self.ctx.audit.search(replace(q, offset=len(ours)))
                ours.extend(page)
                if len(page) < PAGE or len(ours) >= MAX_INDICATOR_RECORDS:
                    break
        report = pair(
            ours,
            theirs,
            node=self.ctx.settings.country,
            partner=partner,
            verified=check.ok,
            finding=finding,
        )
        self._access(who, "pairing", {"partner": partner.value}, len(report.paired))
        return report

    def records_of_processing(self, lang: str) -> dict[str, Any]:
        tables = set(sa.inspect(self.ctx.engine).get_table_names())
        return build_records(
            self.ctx.settings,
            self.ctx.trust.partners(),
            self.ctx.retention.rules(),
            tables,
            lang,
            self.clock(),
        )

    def retention_preview(self, who: Principal) -> RetentionReport:
        report = self.ctx.retention.dry_run()
        self._access(who, "retention_dry_run", {}, report.total)
        return report


def _side(kind: str) -> str:
    if kind in (EventKind.PARTNER_QUERY_SENT, EventKind.FOLLOW_UP_REQUESTED):
        return "requesting"
    if kind in (
        EventKind.PARTNER_QUERY_ANSWERED,
        EventKind.PARTNER_QUERY_REFUSED,
        EventKind.FOLLOW_UP_GRANTED,
        EventKind.FOLLOW_UP_REFUSED,
    ):
        return "providing"
    return "local"


def _csv_line(values: Any) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(list(values))
    return buf.getvalue()
