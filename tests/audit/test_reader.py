"""The reader the DPO tools use: every search filter, pairing, iteration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from passerelle.audit.events import EventKind, LegalRef
from passerelle.audit.reader import AuditSearch
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from tests.audit.conftest import consultation

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)


@pytest.fixture
def log(audit: SqlAuditLog) -> SqlAuditLog:
    audit.sign_every = 0
    audit.append_many(
        [
            consultation(
                i,
                at=T0 + timedelta(hours=i),
                datasets=("vehicles",) if i % 2 else ("population", "wanted_persons"),
                partner=Country.DE if i % 4 == 0 else Country.NL,
                purpose="investigation" if i == 5 else "joint_control",
                exchange_id="shared" if i in (3, 4) else f"check-{i}",
                legal_ref=LegalRef(case_ref="CASE-1") if i == 5 else LegalRef(patrol_id="p"),
            )
            for i in range(10)
        ]
    )
    return audit


def test_filters(log: SqlAuditLog) -> None:
    assert log.count(AuditSearch()) == 10
    assert log.count(AuditSearch(officer="officer-1")) == 2  # i = 1, 8
    assert log.count(AuditSearch(dataset="vehicles")) == 5
    assert log.count(AuditSearch(dataset="wanted_persons")) == 5
    assert log.count(AuditSearch(dataset="wanted")) == 0  # whole names only
    assert log.count(AuditSearch(dataset="%")) == 0  # LIKE wildcards are escaped
    assert log.count(AuditSearch(partner="de")) == 3
    assert log.count(AuditSearch(purpose="investigation")) == 1
    assert log.count(AuditSearch(kind=EventKind.CONSULTATION)) == 10
    assert log.count(AuditSearch(kind="head_signed")) == 0
    assert log.count(AuditSearch(exchange_id="shared")) == 2
    since, until = T0 + timedelta(hours=2), T0 + timedelta(hours=5)
    assert log.count(AuditSearch(since=since, until=until)) == 3  # hours 2, 3, 4
    naive = since.replace(tzinfo=None)  # naive datetimes are UTC
    assert log.count(AuditSearch(since=naive)) == 8


def test_search_is_newest_first_and_pages(log: SqlAuditLog) -> None:
    page1 = log.search(AuditSearch(limit=4))
    page2 = log.search(AuditSearch(limit=4, offset=4))
    assert [r.position for r in page1] == [10, 9, 8, 7]
    assert [r.position for r in page2] == [6, 5, 4, 3]
    with pytest.raises(InvalidInput):
        log.search(AuditSearch(limit=-1))


def test_record_fields(log: SqlAuditLog) -> None:
    record = log.search(AuditSearch(purpose="investigation"))[0]
    assert record.position == 6 and record.kind == "consultation"
    assert record.actor.subject == "officer-5" and record.actor.country is Country.BE
    assert record.legal_ref.case_ref == "CASE-1"
    assert record.at == T0 + timedelta(hours=5)
    assert record.datasets == ("vehicles",)
    assert record.recipients[0].country is Country.NL
    assert record.partner == "NL" and record.outcome == "no_hit"
    assert record.detail == {"n": 5}
    assert len(record.subject_keys) == 2 and record.query_encrypted is not None
    assert len(record.hash) == 64 and len(record.prev_hash) == 64


def test_pair_and_iter_all(log: SqlAuditLog) -> None:
    assert [r.position for r in log.pair("shared")] == [4, 5]
    assert log.pair("nothing") == []
    assert [r.position for r in log.iter_all(batch=3)] == list(range(1, 11))


def test_entries_without_query(log: SqlAuditLog) -> None:
    log.append(consultation(99, query={}))
    record = log.search(AuditSearch(limit=1))[0]
    assert not record.has_query and record.subject_keys == ()
    assert log.reveal_query(record) == {}
