"""Appending: one chain under concurrency, durability, fail closed, protected queries."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from passerelle.audit.canonical import GENESIS, chain_hash
from passerelle.audit.port import AuditLog
from passerelle.audit.protect import DpoKeys
from passerelle.audit.reader import AuditSearch
from passerelle.audit.sql import SqlAuditLog
from passerelle.exc import AuditUnavailable, InvalidInput
from passerelle.federation.keys import NodeKey
from passerelle.storage.db import create_engine
from passerelle.storage.tables import audit_entries
from tests.audit.conftest import consultation


def _chain(engine: sa.Engine) -> list[tuple[int, str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                audit_entries.c.position,
                audit_entries.c.canonical,
                audit_entries.c.prev_hash,
                audit_entries.c.hash,
            ).order_by(audit_entries.c.position)
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def assert_one_chain(engine: sa.Engine) -> int:
    prev = GENESIS
    rows = _chain(engine)
    for expected, (position, canonical, prev_hash, digest) in enumerate(rows, start=1):
        assert position == expected
        assert prev_hash == prev
        assert chain_hash(prev_hash, canonical) == digest
        prev = digest
    return len(rows)


def test_satisfies_the_port(audit: SqlAuditLog) -> None:
    assert isinstance(audit, AuditLog)


def test_append_returns_id_and_chains(audit: SqlAuditLog, engine: sa.Engine) -> None:
    first = audit.append(consultation(1))
    ids = audit.append_many([consultation(2), consultation(3)])
    assert len({first, *ids}) == 3
    assert assert_one_chain(engine) == 3
    assert audit.head()[0] == 3


def test_eight_concurrent_writers_keep_one_chain(audit: SqlAuditLog, engine: sa.Engine) -> None:
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            for i in range(40):
                if i % 10 == 0:
                    audit.append_many([consultation(w * 100 + i), consultation(w * 100 + i + 1)])
                else:
                    audit.append(consultation(w * 100 + i))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    count = assert_one_chain(engine)
    # 8 writers x (36 single + 4 pairs) = 352 entries plus one HEAD_SIGNED per 50 crossed
    assert count >= 352
    assert audit.head()[0] == count


def test_auto_signs_heads(audit: SqlAuditLog) -> None:
    audit.append_many([consultation(i) for i in range(120)])
    heads = audit.heads()
    assert [h.position for h in heads] == [120]  # one batch crossed 50 and 100: signed once
    signed = audit.search(AuditSearch(kind="head_signed"))
    assert len(signed) == 1 and signed[0].detail["position"] == 120


def test_query_is_not_readable_in_the_database(audit: SqlAuditLog, engine: sa.Engine) -> None:
    audit.append(consultation(42))
    with engine.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(sa.select(audit_entries)) for v in row)
    assert "Dupont" not in dump and "85.07.30" not in dump and "850730" not in dump
    record = audit.search(AuditSearch())[0]
    assert record.has_query
    assert audit.reveal_query(record)["family_name"] == "Dupont"


def test_another_dpo_key_cannot_reveal(audit: SqlAuditLog, engine: sa.Engine) -> None:
    audit.append(consultation(1))
    record = audit.search(AuditSearch())[0]
    other = SqlAuditLog(engine, key=audit.key, dpo=DpoKeys.generate())
    with pytest.raises(InvalidInput):
        other.reveal_query(record)


def test_subject_search_through_keyed_hashes(audit: SqlAuditLog) -> None:
    audit.append_many([consultation(i) for i in range(5)])
    assert audit.count(AuditSearch(subject="85073000361")) == 1
    assert audit.count(AuditSearch(subject="85.07.30-003.61")) == 1
    assert audit.count(AuditSearch(subject="DUPONT|1985-07-30")) == 5
    assert audit.count(AuditSearch(subject="dupont|1985-07-31")) == 0
    assert audit.subject_key("1-abc-234") == audit.subject_key("1ABC234")
    with pytest.raises(InvalidInput):
        audit.count(AuditSearch(subject="--- ..."))
    with pytest.raises(InvalidInput):
        audit.count(AuditSearch(subject="Dupont|yesterday"))


def test_fails_closed_when_the_database_is_gone(tmp_path: Path, node_key: NodeKey) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}")  # a directory: cannot be opened
    log = SqlAuditLog(engine, key=node_key, dpo=DpoKeys.generate())
    with pytest.raises(AuditUnavailable) as info:
        log.append(consultation(1))
    assert info.value.status == 503
    engine.dispose()


def test_fails_closed_without_the_table(node_key: NodeKey) -> None:
    engine = create_engine("sqlite://")  # never migrated: no audit tables
    log = SqlAuditLog(engine, key=node_key, dpo=DpoKeys.generate())
    with pytest.raises(AuditUnavailable):
        log.append(consultation(1))
    engine.dispose()


def _process_writer(url: str, keys_dir: str, key_path: str, n: int) -> None:
    from passerelle.domain.countries import Country

    engine = create_engine(url)
    key = NodeKey.load_or_create(Path(key_path), Country.BE)
    log = SqlAuditLog(engine, key=key, dpo=DpoKeys.load_or_create(Path(keys_dir)), sign_every=25)
    for i in range(n):
        log.append(consultation(i))
    engine.dispose()


def test_writer_processes_keep_one_chain_on_sqlite(tmp_path: Path) -> None:
    """Separate processes (e.g. several server workers) share one chain through the lock."""
    import multiprocessing

    from passerelle.storage.db import migrate

    url = f"sqlite:///{tmp_path / 'node.db'}"
    engine = create_engine(url)
    migrate(engine)
    spawn = multiprocessing.get_context("spawn")
    args = (url, str(tmp_path / "keys"), str(tmp_path / "keys" / "node.pem"), 30)
    _process_writer(*args[:3], 1)  # creates the keys once
    procs = [spawn.Process(target=_process_writer, args=args) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0
    assert assert_one_chain(engine) >= 121
    engine.dispose()
