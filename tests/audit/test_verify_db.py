"""Every kind of tampering with the log in the database is found, at the right position."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from passerelle.audit.canonical import chain_hash, dumps
from passerelle.audit.sql import SqlAuditLog
from passerelle.audit.verify import verify_db
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from tests.audit.conftest import consultation

N = 30


@pytest.fixture
def filled(audit: SqlAuditLog) -> SqlAuditLog:
    audit.sign_every = 0
    audit.append_many([consultation(i) for i in range(N)])
    audit.sign_head()  # head signed at N, HEAD_SIGNED entry at N + 1
    return audit


def _row(engine: sa.Engine, position: int) -> dict[str, object]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT * FROM audit_entries WHERE position = :p"), {"p": position}
        ).one()
    return dict(row._mapping)


def _exec(engine: sa.Engine, sql: str, **params: object) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(sql), params)


def _first(log: SqlAuditLog) -> tuple[int | None, str]:
    report = verify_db(log)
    assert not report.ok
    first = report.first
    assert first is not None
    return first.position, first.reason


def test_intact_log_verifies(filled: SqlAuditLog) -> None:
    report = verify_db(filled, deep=True)
    assert report.ok, report.findings
    assert report.entries == N + 1 and report.signed_up_to == N and report.signed_heads == 1


def test_changed_entry(filled: SqlAuditLog) -> None:
    text = str(_row(filled.engine, 10)["canonical"]).replace('"officer-', '"someone-')
    _exec(filled.engine, "UPDATE audit_entries SET canonical = :c WHERE position = 10", c=text)
    assert _first(filled) == (10, "changed")


def test_changed_entry_with_recomputed_hash(filled: SqlAuditLog) -> None:
    row = _row(filled.engine, 10)
    text = str(row["canonical"]).replace('"hit"', '"no_hit"').replace('"no_no_hit"', '"hit"')
    digest = chain_hash(str(row["prev_hash"]), text)
    _exec(
        filled.engine,
        "UPDATE audit_entries SET canonical = :c, hash = :h WHERE position = 10",
        c=text,
        h=digest,
    )
    assert _first(filled) == (10, "changed")


def test_deleted_entry(filled: SqlAuditLog) -> None:
    _exec(filled.engine, "DELETE FROM audit_entries WHERE position = 10")
    assert _first(filled) == (10, "deleted")


def test_deleted_oldest_entries(filled: SqlAuditLog) -> None:
    _exec(filled.engine, "DELETE FROM audit_entries WHERE position <= 3")
    assert _first(filled) == (1, "deleted")


def test_inserted_entry(filled: SqlAuditLog) -> None:
    engine = filled.engine
    prev = _row(engine, 9)
    _exec(engine, "UPDATE audit_entries SET position = -position - 1 WHERE position >= 10")
    _exec(engine, "UPDATE audit_entries SET position = -position WHERE position < 0")
    obj = json.loads(str(prev["canonical"]))
    obj.update(position=10, entry_id="00000000-0000-0000-0000-000000000000")
    text = dumps(obj)
    row = dict(prev)
    row.update(
        position=10,
        entry_id=obj["entry_id"],
        canonical=text,
        prev_hash=prev["hash"],
        hash=chain_hash(str(prev["hash"]), text),
    )
    cols = ", ".join(row)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                f"INSERT INTO audit_entries ({cols}) VALUES ({', '.join(':' + c for c in row)})"
            ),
            row,
        )
    assert _first(filled) == (10, "inserted")


def test_reordered_entries(filled: SqlAuditLog) -> None:
    engine = filled.engine
    a, b = _row(engine, 10), _row(engine, 11)
    for target, source in ((10, b), (11, a)):
        _exec(
            engine,
            "UPDATE audit_entries SET canonical = :c, prev_hash = :p, hash = :h, entry_id = :e "
            "WHERE position = :t",
            c=source["canonical"],
            p=source["prev_hash"],
            h=source["hash"],
            e=f"x-{target}",
            t=target,
        )
    assert _first(filled) == (10, "reordered")


def test_truncated_tail(filled: SqlAuditLog) -> None:
    _exec(filled.engine, f"DELETE FROM audit_entries WHERE position > {N - 5}")
    assert _first(filled) == (N - 4, "truncated")


def test_truncated_tail_with_cursor_rewound(filled: SqlAuditLog) -> None:
    row = _row(filled.engine, N - 5)
    _exec(filled.engine, f"DELETE FROM audit_entries WHERE position > {N - 5}")
    _exec(filled.engine, "UPDATE audit_chain SET position = :p, hash = :h", p=N - 5, h=row["hash"])
    report = verify_db(filled)
    assert report.first is not None and report.first.reason == "truncated"
    assert report.first.position == N - 4


def test_replaced_head(filled: SqlAuditLog) -> None:
    """Rewrite the signed head entry consistently (new hash, cursor moved): the signature tells."""
    engine = filled.engine
    row = _row(engine, N)
    text = str(row["canonical"]).replace('"officer-', '"forged-')
    digest = chain_hash(str(row["prev_hash"]), text)
    _exec(engine, f"DELETE FROM audit_entries WHERE position > {N}")
    _exec(
        engine,
        "UPDATE audit_entries SET canonical = :c, hash = :h WHERE position = :p",
        c=text,
        h=digest,
        p=N,
    )
    _exec(engine, "UPDATE audit_chain SET position = :p, hash = :h", p=N, h=digest)
    assert _first(filled) == (N, "replaced_head")


def test_wrong_key(filled: SqlAuditLog) -> None:
    other = NodeKey.generate(Country.BE)
    report = verify_db(filled, public_key=other.public_key)
    assert report.first is not None and report.first.reason == "wrong_key"


def test_bad_signature(filled: SqlAuditLog) -> None:
    head = filled.heads()[0]
    forged = ("A" if head.signature[0] != "A" else "B") + head.signature[1:]
    _exec(filled.engine, "UPDATE audit_heads SET signature = :s", s=forged)
    assert _first(filled) == (N, "bad_signature")


def test_deep_finds_an_edited_column(filled: SqlAuditLog) -> None:
    _exec(filled.engine, "UPDATE audit_entries SET actor_subject = 'nobody' WHERE position = 7")
    assert verify_db(filled).ok  # the chain itself is intact
    report = verify_db(filled, deep=True)
    assert report.first is not None and report.first.position == 7
    assert report.first.reason == "column_changed"


def test_deep_finds_a_removed_subject_key(filled: SqlAuditLog) -> None:
    _exec(filled.engine, "DELETE FROM audit_subject_keys WHERE position = 4")
    report = verify_db(filled, deep=True)
    assert report.first is not None and report.first.position == 4


def test_a_break_before_a_signed_head_is_reported_once(filled: SqlAuditLog) -> None:
    _exec(filled.engine, "DELETE FROM audit_entries WHERE position >= 10 AND position <= 12")
    report = verify_db(filled)
    assert [(f.position, f.reason) for f in report.findings] == [(10, "deleted")]
    assert "entries 10-12 are missing" in report.findings[0].message
