"""The SQL audit log (SQLite and PostgreSQL): appends, chain locking, signed heads.

Appends are serialised per node so the chain never forks: on SQLite the
transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time), on PostgreSQL
it takes a row lock on the one-row ``audit_chain`` table (``SELECT ... FOR
UPDATE``). The previous hash is read inside that same transaction, the entries,
their subject keys and the new chain cursor are written, and the transaction is
committed before ``append`` returns. Any database failure raises
``AuditUnavailable`` (HTTP 503): the caller fails closed.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from passerelle.audit.canonical import (
    GENESIS,
    chain_hash,
    columns_of,
    dumps,
    entry_object,
    head_message,
)
from passerelle.audit.events import Actor, AuditEvent, EventKind
from passerelle.audit.protect import DpoKeys
from passerelle.audit.reader import AuditReader, SignedHead
from passerelle.domain.countries import Country
from passerelle.exc import AuditUnavailable
from passerelle.federation.keys import NodeKey, b64url
from passerelle.storage.tables import audit_chain, audit_entries, audit_heads, audit_subject_keys

if TYPE_CHECKING:
    from passerelle.audit.retention import TruncateResult

log = structlog.get_logger(__name__)
LOCK_WAIT_S = 15.0  # longest an append waits for the chain before failing closed
C = audit_chain.c
_INSERT_ENTRIES = audit_entries.insert()
_INSERT_KEYS = audit_subject_keys.insert()
_UPDATE_CURSOR = (
    audit_chain.update().where(C.id == 1).values(position=sa.bindparam("p"), hash=sa.bindparam("h"))
)


@dataclass(frozen=True)
class _Prepared:
    event: AuditEvent
    entry_id: str
    query: str | None
    subject_keys: list[str]


class SqlAuditLog(AuditReader):
    """The node's audit log. Satisfies ``passerelle.audit.port.AuditLog``.

    ``sign_every``: the head is signed (and a HEAD_SIGNED entry written) whenever the
    chain passes a multiple of this many entries; 0 signs only on demand.
    """

    def __init__(
        self,
        engine: sa.Engine,
        *,
        key: NodeKey,
        dpo: DpoKeys,
        sign_every: int = 1000,
    ) -> None:
        super().__init__(engine, node=key.country, dpo=dpo)
        self.key = key
        self.sign_every = sign_every
        self._sqlite = engine.dialect.name == "sqlite"
        self._mutex = threading.Lock()
        # statements built once: building them for every append costs more than running them
        select = sa.select(C.position, C.hash).where(C.id == 1)
        self._select_cursor = select if self._sqlite else select.with_for_update()

    # -- writing ----------------------------------------------------------------------------

    def append(self, event: AuditEvent) -> str:
        return self.append_many([event])[0]

    def append_many(self, events: Sequence[AuditEvent]) -> list[str]:
        if not events:
            return []
        prepared = [self._prepare(e) for e in events]
        with self._locked() as (conn, position, prev):
            start = position
            position, prev = self._write(conn, prepared, position, prev)
            if self.sign_every and start // self.sign_every != position // self.sign_every:
                self._sign(conn, position, prev)
        return [p.entry_id for p in prepared]

    def sign_head(self) -> SignedHead:
        """Sign the current chain head now and record it as a HEAD_SIGNED entry."""
        with self._locked() as (conn, position, prev):
            head = self._sign(conn, position, prev)
        return head

    def head(self) -> tuple[int, str]:
        """The chain cursor: last position and its hash (0 and GENESIS for an empty log)."""
        try:
            with self.engine.connect() as conn:
                row = conn.execute(sa.select(C.position, C.hash).where(C.id == 1)).first()
        except sa.exc.SQLAlchemyError:
            raise AuditUnavailable("the audit log cannot be read") from None
        return (0, GENESIS) if row is None else (int(row.position), str(row.hash))

    def truncate_before(self, at: datetime) -> TruncateResult:
        """Retention: drop the oldest entries up to a signed head (see ``audit.retention``)."""
        from passerelle.audit.retention import truncate_before

        return truncate_before(self, at)

    # -- internals --------------------------------------------------------------------------

    def _prepare(self, event: AuditEvent) -> _Prepared:
        entry_id = str(uuid.uuid4())
        if not event.query:
            return _Prepared(event, entry_id, None, [])
        return _Prepared(
            event,
            entry_id,
            self.dpo.encrypt(event.query, entry_id),
            self.dpo.subject_keys(event.query),
        )

    @contextmanager
    def _locked(self) -> Iterator[tuple[sa.Connection, int, str]]:
        """One serialised write transaction holding the chain cursor; committed on exit.

        Threads of this process first queue on a mutex: SQLite's busy handler polls and is
        unfair, so under load one writer could starve past the busy timeout. Other processes
        still serialise through the database lock (retried until ``LOCK_WAIT_S``).
        """
        if not self._mutex.acquire(timeout=LOCK_WAIT_S):
            log.error("audit_write_failed", error="lock_timeout")
            raise AuditUnavailable(
                "the audit entry could not be written in time; the operation was not carried out"
            )
        try:
            with self.engine.connect() as conn:
                if self._sqlite:
                    _begin_immediate(conn)
                row = conn.execute(self._select_cursor).first()
                if row is None:
                    conn.execute(self._insert_ignore({"id": 1, "position": 0, "hash": GENESIS}))
                    row = conn.execute(self._select_cursor).one()
                yield conn, int(row.position), str(row.hash)
                conn.commit()
        except sa.exc.SQLAlchemyError as e:
            log.error("audit_write_failed", error=type(e).__name__)
            raise AuditUnavailable(
                "the audit entry could not be written; the operation was not carried out"
            ) from None
        finally:
            self._mutex.release()

    def _insert_ignore(self, values: dict[str, Any]) -> sa.Executable:
        if self._sqlite:
            return sqlite_insert(audit_chain).values(**values).on_conflict_do_nothing()
        return pg_insert(audit_chain).values(**values).on_conflict_do_nothing()

    def _write(
        self, conn: sa.Connection, prepared: Sequence[_Prepared], position: int, prev: str
    ) -> tuple[int, str]:
        rows: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for p in prepared:
            position += 1
            obj = entry_object(
                p.event,
                position=position,
                entry_id=p.entry_id,
                node=self.node.value,
                query=p.query,
                query_key=self.dpo.key_id if p.query is not None else None,
                subject_keys=p.subject_keys,
            )
            canonical = dumps(obj)
            digest = chain_hash(prev, canonical)
            row = columns_of(obj)
            row.update(canonical=canonical, prev_hash=prev, hash=digest)
            rows.append(row)
            keys.extend({"subject_key": k, "position": position} for k in obj["subject_keys"])
            prev = digest
        conn.execute(_INSERT_ENTRIES, rows)
        if keys:
            conn.execute(_INSERT_KEYS, keys)
        conn.execute(_UPDATE_CURSOR, {"p": position, "h": prev})
        return position, prev

    def _sign(self, conn: sa.Connection, position: int, prev: str) -> SignedHead:
        at = datetime.now(UTC)
        signature = b64url(self.key.private_key.sign(head_message(self.node, position, prev)))
        head = SignedHead(
            position=position, hash=prev, signature=signature, key_id=self.key.key_id, at=at
        )
        conn.execute(
            audit_heads.insert().values(
                position=position, hash=prev, signature=signature, key_id=head.key_id, at=at
            )
        )
        event = AuditEvent(
            kind=EventKind.HEAD_SIGNED,
            actor=node_actor(self.node),
            outcome="ok",
            purpose=None,
            justification=None,
            detail={
                "position": position,
                "hash": prev,
                "key_id": head.key_id,
                "signature": signature,
            },
            at=at,
        )
        self._write(conn, [self._prepare(event)], position, prev)
        return head


def _begin_immediate(conn: sa.Connection) -> None:
    """Take SQLite's write lock now; retry while another process holds it (bounded)."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except sa.exc.OperationalError as e:
            if "locked" not in str(e.orig) or time.monotonic() > deadline:
                raise
            conn.rollback()


def node_actor(node: Country) -> Actor:
    """The actor of entries the node writes by itself (signed heads, rejections, retention)."""
    return Actor(subject=f"node:{node.value}", role="node", country=node)


def open_audit_log(
    engine: sa.Engine, key: NodeKey, data_dir: Path, sign_every: int = 1000
) -> SqlAuditLog:
    """The node's audit log; the DPO keys live in ``data_dir/keys/`` (created on first start)."""
    dpo = DpoKeys.load_or_create(data_dir / "keys")
    return SqlAuditLog(engine, key=key, dpo=dpo, sign_every=sign_every)
