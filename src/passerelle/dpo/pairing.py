"""Pair this node's audit entries with a partner's export: both ends of every exchange.

Both ends of a federated exchange log it under one ``exchange_id``. Given a
partner node's verifiable export (``passerelle audit export`` at the partner,
JSON lines), this checks it offline against the partner's key from our trust
store and then, exchange by exchange, whether each side has its entries:

- **paired** — both nodes logged the exchange (with the side each took:
  requesting / providing);
- **only here** — we logged an exchange with that partner that its log does
  not have (within the time the export covers);
- **only there** — the partner logged an exchange with us that our log lacks.

A side mismatch (both nodes claim to have asked, or both to have answered) is
reported on the pair.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from passerelle.audit.events import EventKind
from passerelle.audit.reader import AuditRecord, record_from
from passerelle.domain.countries import Country, parse_country
from passerelle.exc import InvalidInput

REQUESTING = {EventKind.PARTNER_QUERY_SENT.value, EventKind.FOLLOW_UP_REQUESTED.value}
PROVIDING = {
    EventKind.PARTNER_QUERY_ANSWERED.value,
    EventKind.PARTNER_QUERY_REFUSED.value,
    EventKind.FOLLOW_UP_GRANTED.value,
    EventKind.FOLLOW_UP_REFUSED.value,
    EventKind.DISCLOSURE.value,
}


def side_of(kind: str) -> str:
    if kind in REQUESTING:
        return "requesting"
    if kind in PROVIDING:
        return "providing"
    return "local"


@dataclass
class PairingReport:
    node: str
    partner: str
    verified: bool
    finding: str | None  # the first verification finding when not verified
    covers_from: dt.datetime | None
    covers_until: dt.datetime | None
    paired: list[dict[str, Any]] = field(default_factory=list)
    only_here: list[dict[str, Any]] = field(default_factory=list)
    only_there: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        mismatched = any(not p["sides_ok"] for p in self.paired)
        return self.verified and not self.only_here and not self.only_there and not mismatched

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "partner": self.partner,
            "verified": self.verified,
            "finding": self.finding,
            "covers_from": self.covers_from.isoformat() if self.covers_from else None,
            "covers_until": self.covers_until.isoformat() if self.covers_until else None,
            "complete": self.complete,
            "paired": self.paired,
            "only_here": self.only_here,
            "only_there": self.only_there,
        }


def read_export(path: Path) -> tuple[Country, list[AuditRecord]]:
    """The node and the entries of an export file (not verified here: see ``verify_file``)."""
    node: Country | None = None
    records: list[AuditRecord] = []
    with path.open("r", encoding="utf-8", errors="replace") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                kind = obj.get("type") if isinstance(obj, dict) else None
                if kind == "header":
                    node = parse_country(str(obj["node"]))
                elif kind == "entry":
                    records.append(record_from(obj["entry"], obj["prev_hash"], obj["hash"]))
            except (ValueError, KeyError, TypeError, InvalidInput, RecursionError):
                raise InvalidInput(
                    f"line {number} of the export is not a valid audit export line",
                    code="audit_export_invalid",
                    line=number,
                ) from None
    if node is None:
        raise InvalidInput(
            "the file has no export header (is it a JSON lines export of a node's audit log?)",
            code="audit_export_invalid",
            line=1,
        )
    return node, records


def _brief(exchange_id: str, records: list[AuditRecord]) -> dict[str, Any]:
    return {
        "exchange_id": exchange_id,
        "at": min(r.at for r in records).isoformat(),
        "kinds": sorted({r.kind for r in records}),
        "sides": sorted({side_of(r.kind) for r in records}),
        "entries": [r.entry_id for r in records],
    }


def _by_exchange(records: Iterable[AuditRecord], other: str) -> dict[str, list[AuditRecord]]:
    out: dict[str, list[AuditRecord]] = defaultdict(list)
    for r in records:
        if r.exchange_id and r.partner == other:
            out[r.exchange_id].append(r)
    return out


def pair(
    ours: Iterator[AuditRecord] | list[AuditRecord],
    theirs: list[AuditRecord],
    *,
    node: Country,
    partner: Country,
    verified: bool,
    finding: str | None,
) -> PairingReport:
    """Match exchanges between our entries with ``partner`` and the partner's with us."""
    span = [r.at for r in theirs]
    covers_from, covers_until = (min(span), max(span)) if span else (None, None)
    report = PairingReport(node.value, partner.value, verified, finding, covers_from, covers_until)
    here = _by_exchange(ours, partner.value)
    there = _by_exchange(theirs, node.value)
    for exchange_id in sorted(set(here) | set(there)):
        mine, other = here.get(exchange_id), there.get(exchange_id)
        if mine and other:
            item = _brief(exchange_id, mine)
            theirs_brief = _brief(exchange_id, other)
            sides_here = set(item["sides"]) - {"local"}
            sides_there = set(theirs_brief["sides"]) - {"local"}
            item["partner_kinds"] = theirs_brief["kinds"]
            item["partner_sides"] = theirs_brief["sides"]
            item["sides_ok"] = not (sides_here and sides_here == sides_there)
            report.paired.append(item)
        elif mine:
            first = min(r.at for r in mine)
            if (
                covers_from is None
                or covers_until is None
                or not (covers_from <= first <= covers_until)
            ):
                continue  # outside what the partner's export covers
            report.only_here.append(_brief(exchange_id, mine))
        elif other:
            report.only_there.append(_brief(exchange_id, other))
    return report
