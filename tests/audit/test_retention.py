"""Retention removes the oldest entries only up to a signed head and leaves a verifiable anchor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from passerelle.audit.export import export_jsonl
from passerelle.audit.offline import verify_file
from passerelle.audit.reader import AuditSearch
from passerelle.audit.sql import SqlAuditLog
from passerelle.audit.verify import verify_db
from tests.audit.conftest import consultation

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _fill(audit: SqlAuditLog) -> None:
    audit.sign_every = 0
    # entries 1-10 at T0 + i days, head signed at 10 (HEAD_SIGNED 11 is "now"), 12-21 later
    audit.append_many([consultation(i, at=T0 + timedelta(days=i)) for i in range(10)])
    audit.sign_head()
    audit.append_many([consultation(i, at=T0 + timedelta(days=30 + i)) for i in range(10)])


def test_truncates_up_to_the_last_signed_head_before_the_cutoff(
    audit: SqlAuditLog, tmp_path: Path
) -> None:
    _fill(audit)
    result = audit.truncate_before(T0 + timedelta(days=35))
    assert (result.removed, result.first_removed, result.last_removed) == (10, 1, 10)
    assert audit.count(AuditSearch()) == 11
    report = verify_db(audit, deep=True)
    assert report.ok, report.findings
    assert report.first_position == 11
    out = tmp_path / "after.jsonl"
    export_jsonl(audit, out)
    assert verify_file(out, audit.key.public_key).ok


def test_nothing_goes_without_a_signed_head_before_the_cutoff(audit: SqlAuditLog) -> None:
    _fill(audit)
    result = audit.truncate_before(T0 + timedelta(days=5))  # head at 10 is after entry 6
    assert result.removed == 0 and audit.count(AuditSearch()) == 21
    assert verify_db(audit).ok


def test_boundary_one_second(audit: SqlAuditLog) -> None:
    _fill(audit)
    tenth = T0 + timedelta(days=9)  # the entry at position 10
    assert audit.truncate_before(tenth).removed == 0  # entry 10 not older than the cutoff
    assert audit.truncate_before(tenth + timedelta(seconds=1)).removed == 10


def test_second_run_starts_from_the_anchor(audit: SqlAuditLog) -> None:
    _fill(audit)
    audit.truncate_before(T0 + timedelta(days=35))
    audit.sign_head()  # head at 21 (HEAD_SIGNED 22)
    audit.append(consultation(99))
    result = audit.truncate_before(datetime.now(UTC) + timedelta(days=1))
    assert (result.first_removed, result.last_removed) == (11, 21)
    report = verify_db(audit)
    assert report.ok, report.findings
    assert report.first_position == 22


def test_deleting_below_the_anchor_is_still_detected(audit: SqlAuditLog) -> None:
    import sqlalchemy as sa

    _fill(audit)
    audit.truncate_before(T0 + timedelta(days=35))
    with audit.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entries WHERE position = 11"))
    report = verify_db(audit)
    assert report.first is not None and report.first.reason == "deleted"
    assert report.first.position == 11
