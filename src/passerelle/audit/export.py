"""Exporting the audit log for a supervisory authority: JSON lines (verifiable) and CSV.

JSON lines, one object per line, each the canonical JSON of itself:

1. a header, signed with the node key over everything else in it::

     {"anchor":null|{...},"entries":N,"exported_at":"...","first_position":F,
      "format":"passerelle-audit-export/v1","heads":K,"heads_sha256":"...","key_id":"BE-...",
      "last_hash":"...",
      "last_position":L,"node":"BE","public_key":"<base64url>","signature":"...",
      "start_hash":"...","type":"header"}

2. the signed heads (``{"at","hash","key_id","position","signature","type":"head"}``);
3. the entries F..L in order: ``{"entry":{...},"hash":"...","position":n,
   "prev_hash":"...","type":"entry"}`` where ``entry`` is the hashed canonical text.

CSV has one row per entry (the searchable fields, hashes, no query) for spreadsheets;
it is not meant for verification.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from passerelle.audit.canonical import GENESIS, dumps, export_message, iso
from passerelle.audit.sql import SqlAuditLog
from passerelle.exc import AuditUnavailable
from passerelle.federation.keys import b64url
from passerelle.storage.tables import audit_entries

FORMAT = "passerelle-audit-export/v1"
E = audit_entries.c
CSV_COLUMNS = (
    "position",
    "entry_id",
    "at",
    "node",
    "kind",
    "actor_subject",
    "actor_role",
    "actor_country",
    "actor_unit",
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
    "detail",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class ExportSummary:
    path: str
    format: str
    entries: int
    first_position: int | None
    last_position: int | None
    heads: int


def heads_digest(lines: list[str]) -> str:
    """SHA-256 over the head lines as written (the header's signature covers it)."""
    return hashlib.sha256("".join(line + "\n" for line in lines).encode("utf-8")).hexdigest()


def _rows(log: SqlAuditLog, start: int, end: int, columns: list[Any]) -> Iterator[sa.Row[Any]]:
    after = start
    while after < end:
        stmt = (
            sa.select(E.position, *columns)
            .where(E.position > after, E.position <= end)
            .order_by(E.position)
            .limit(10_000)
        )
        with log.engine.connect() as conn:
            batch = conn.execute(stmt).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].position


def export_jsonl(
    log: SqlAuditLog, out: Path, *, progress: Callable[[int], None] | None = None
) -> ExportSummary:
    """Write the log up to its current head, with its signed heads, as signed JSON lines."""
    try:
        last, last_hash = log.head()
        anchor = log.anchor()
        heads = [h for h in log.heads() if h.position <= last]
        start = anchor.position if anchor is not None else 0
        start_hash = anchor.hash if anchor is not None else GENESIS
        head_lines = [
            dumps(
                {
                    "type": "head",
                    "position": h.position,
                    "hash": h.hash,
                    "signature": h.signature,
                    "key_id": h.key_id,
                    "at": iso(h.at),
                }
            )
            for h in heads
        ]
        header: dict[str, Any] = {
            "type": "header",
            "format": FORMAT,
            "node": log.node.value,
            "key_id": log.key.key_id,
            "public_key": log.key.public_b64url(),
            "exported_at": iso(datetime.now(UTC)),
            "first_position": start + 1,
            "last_position": last,
            "last_hash": last_hash,
            "start_hash": start_hash,
            "anchor": None
            if anchor is None
            else {
                "position": anchor.position,
                "hash": anchor.hash,
                "signature": anchor.signature,
                "key_id": anchor.key_id,
                "removed": anchor.removed,
                "cutoff": iso(anchor.cutoff),
            },
            "entries": last - start,
            "heads": len(heads),
            "heads_sha256": heads_digest(head_lines),
        }
        header["signature"] = b64url(log.key.private_key.sign(export_message(header)))
        count = 0
        with out.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(dumps(header) + "\n")
            for line in head_lines:
                fh.write(line + "\n")
            for row in _rows(log, start, last, [E.canonical, E.prev_hash, E.hash]):
                fh.write(
                    f'{{"entry":{row.canonical},"hash":"{row.hash}","position":{row.position},'
                    f'"prev_hash":"{row.prev_hash}","type":"entry"}}\n'
                )
                count += 1
                if progress is not None and count % 10_000 == 0:
                    progress(10_000)
    except sa.exc.SQLAlchemyError:
        raise AuditUnavailable("the audit log cannot be read") from None
    return ExportSummary(
        str(out), "jsonl", count, start + 1 if count else None, last if count else None, len(heads)
    )


def export_csv(
    log: SqlAuditLog, out: Path, *, progress: Callable[[int], None] | None = None
) -> ExportSummary:
    """One CSV row per entry: the searchable fields and chain hashes (never the query)."""
    columns = [E[name] for name in CSV_COLUMNS if name != "position"]
    try:
        last, _ = log.head()
        anchor = log.anchor()
        start = anchor.position if anchor is not None else 0
        count = 0
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for row in _rows(log, start, last, columns):
                writer.writerow([_cell(v) for v in row])
                count += 1
                if progress is not None and count % 10_000 == 0:
                    progress(10_000)
    except sa.exc.SQLAlchemyError:
        raise AuditUnavailable("the audit log cannot be read") from None
    return ExportSummary(
        str(out), "csv", count, start + 1 if count else None, last if count else None, 0
    )


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # never let a spreadsheet run a cell as a formula
    return "" if value is None else value
