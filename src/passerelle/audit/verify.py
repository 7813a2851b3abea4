"""Verifying a node's audit log in its database, or an exported file offline.

``verify_db`` walks the chain from the genesis (or from the retention anchor),
checks every signed head's signature and that the entry at its position still
has the signed hash, and that the log still reaches the chain cursor and the
last signed head. ``deep=True`` also checks that the searchable columns agree
with each entry's hashed text. ``verify_file`` does the same for an export
(``export.py``) with only the node's public key; it never raises on bad input.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from passerelle.audit.canonical import GENESIS, head_message
from passerelle.audit.chain import ChainWalker, Finding, Row, VerifyReport
from passerelle.audit.reader import Anchor, SignedHead
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.exc import AuditUnavailable
from passerelle.federation.keys import key_id_for

BATCH = 20_000


def signature_finding(
    public_key: Ed25519PublicKey,
    node: str,
    key_id: str,
    position: int,
    hash_: str,
    signature: str,
    what: str,
) -> Finding | None:
    """None when ``signature`` is the node's signature over (node, position, hash)."""
    import base64

    try:
        country = Country(node)
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        public_key.verify(raw, head_message(country.value, position, hash_))
        verified = True
    except (InvalidSignature, ValueError, TypeError, UnicodeError):
        verified = False
    try:
        expected_id = key_id_for(Country(node), public_key)
    except ValueError:
        expected_id = ""
    if verified:
        if key_id == expected_id:
            return None
        return Finding(position, "changed", f"the key id recorded with {what} was altered")
    if key_id != expected_id:
        return Finding(
            position, "wrong_key", f"{what} was signed by key {key_id}, not by {expected_id}"
        )
    return Finding(position, "bad_signature", f"the signature of {what} is not valid")


def check_heads(
    report: VerifyReport,
    heads: list[SignedHead] | list[Any],
    hashes: dict[int, str],
    first: int,
    public_key: Ed25519PublicKey,
    node: str,
    complete: bool = True,
) -> None:
    """Signature of every head, and the entry at its position still has the signed hash.

    ``complete`` is False when the walk stopped at a break: heads beyond it are not judged.
    """
    for head in heads:
        what = f"the head signed for position {head.position}"
        bad = signature_finding(
            public_key, node, head.key_id, head.position, head.hash, head.signature, what
        )
        if bad is not None:
            report.findings.append(bad)
            continue
        report.signed_heads += 1
        report.signed_up_to = max(report.signed_up_to or 0, head.position)
        if head.position < first:
            continue  # removed by retention before the anchor
        actual = hashes.get(head.position)
        last = report.last_position or first - 1
        if actual is None and head.position > last and complete:
            report.findings.append(
                Finding(
                    last + 1,
                    "truncated",
                    f"the log ends at entry {last} but a head was signed at {head.position}",
                )
            )
        elif actual is not None and actual != head.hash:
            report.findings.append(
                Finding(
                    head.position,
                    "replaced_head",
                    f"entry {head.position} is not the entry whose hash was signed "
                    f"at {head.at.isoformat() if hasattr(head.at, 'isoformat') else head.at}",
                )
            )


def _db_rows(engine: sa.Engine, start: int) -> Iterator[Row]:
    # the canonical text as bytes: no decoding and re-encoding of every entry
    text = (
        "CAST(canonical AS BLOB)"
        if engine.dialect.name == "sqlite"
        else "convert_to(canonical, 'UTF8')"
    )
    sql = (
        f"SELECT position, {text}, prev_hash, hash FROM audit_entries "
        f"WHERE position > {int(start)} ORDER BY position"
    )
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            cur = raw.driver_connection.cursor(name="audit_verify")  # type: ignore[union-attr]
            cur.itersize = BATCH
        else:
            cur = raw.cursor()
        cur.execute(sql)
        while batch := cur.fetchmany(BATCH):
            yield from batch
        cur.close()
    finally:
        raw.close()


def verify_db(
    log: SqlAuditLog,
    *,
    public_key: Ed25519PublicKey | None = None,
    deep: bool = False,
    progress: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Verify the node's log in its database (with the node's own key unless one is given)."""
    started = time.perf_counter()
    key = public_key or log.key.public_key
    node = log.node.value
    report = VerifyReport()
    try:
        anchor = log.anchor()
        heads = log.heads()
        cursor, cursor_hash = log.head()
        start, start_hash = (0, GENESIS) if anchor is None else (anchor.position, anchor.hash)
        if anchor is not None:
            _check_anchor(report, anchor, key, node)
        engine = log.engine

        def later(position: int) -> bool:
            with engine.connect() as conn:
                stmt = sa.text("SELECT 1 FROM audit_entries WHERE position = :p")
                return conn.execute(stmt, {"p": position}).first() is not None

        walker = ChainWalker(
            start, start_hash, frozenset(h.position for h in heads), later, progress
        )
        walker.walk(_db_rows(engine, start))
    except sa.exc.SQLAlchemyError:
        raise AuditUnavailable("the audit log cannot be read") from None
    report.entries = walker.count
    report.first_position = start + 1 if walker.count else None
    report.last_position = walker.last_position
    if walker.finding is not None:
        report.findings.append(walker.finding)
    check_heads(report, heads, walker.seen, start + 1, key, node, walker.finding is None)
    if walker.finding is None and (report.last_position or start) < cursor:
        last = report.last_position or start
        report.findings.append(
            Finding(
                last + 1,
                "truncated",
                f"the log ends at entry {last} but its chain cursor is at {cursor}",
            )
        )
    elif (
        walker.finding is None
        and report.last_position == cursor
        and walker.last_hash != cursor_hash
    ):
        report.findings.append(
            Finding(cursor, "replaced_head", f"entry {cursor} is not the recorded chain head")
        )
    if deep and walker.finding is None:
        from passerelle.audit.columns import check_columns

        report.findings.extend(check_columns(log))
    report.seconds = time.perf_counter() - started
    return report


def _check_anchor(report: VerifyReport, anchor: Anchor, key: Ed25519PublicKey, node: str) -> None:
    bad = signature_finding(
        key,
        node,
        anchor.key_id,
        anchor.position,
        anchor.hash,
        anchor.signature,
        f"the retention anchor at position {anchor.position}",
    )
    if bad is not None:
        report.findings.append(bad)
