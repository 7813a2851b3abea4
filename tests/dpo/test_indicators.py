"""Misuse indicator rules on hand-made records: duty windows, the MAD rule, grouping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from passerelle.audit.events import Actor, LegalRef
from passerelle.audit.reader import AuditRecord
from passerelle.domain.countries import Country
from passerelle.dpo.indicators import IndicatorRules, compute

UTC = dt.UTC
RULES = IndicatorRules(
    timezone="Europe/Amsterdam",
    duty_start=dt.time(6, 0),
    duty_end=dt.time(22, 0),
    volume_k=3.0,
    volume_min=5,
    same_subject_officers=3,
)
_n = iter(range(1, 10**6))


def record(
    officer: str,
    at: dt.datetime,
    *,
    exchange: str | None = None,
    keys: tuple[str, ...] = (),
    ref: bool = True,
) -> AuditRecord:
    n = next(_n)
    return AuditRecord(
        position=n,
        entry_id=f"e{n}",
        at=at,
        node="NL",
        kind="consultation",
        actor=Actor(subject=officer, role="officer", country=Country.NL),
        purpose="joint_control",
        legal_ref=LegalRef(patrol_id="P1" if ref else None),
        justification=None,
        query_encrypted=None,
        query_key=None,
        subject_keys=keys,
        datasets=(),
        record_ids=(),
        recipients=(),
        partner=None,
        exchange_id=exchange,
        outcome="no_hit",
        prev_hash="0" * 64,
        hash="0" * 64,
    )


NOON = dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 12:00 in Amsterdam (summer time)


def _run(records: list[AuditRecord]) -> Any:
    return compute(records, RULES, since=NOON - dt.timedelta(days=30), until=NOON).to_dict()


def test_duty_windows_use_local_time_and_may_cross_midnight() -> None:
    assert RULES.on_duty(NOON)
    assert not RULES.on_duty(dt.datetime(2026, 7, 1, 20, 30, tzinfo=UTC))  # 22:30 local
    assert RULES.on_duty(dt.datetime(2026, 7, 1, 4, 0, tzinfo=UTC))  # 06:00 local
    night = IndicatorRules(**{**RULES.__dict__, "duty_start": dt.time(22), "duty_end": dt.time(6)})
    assert night.on_duty(dt.datetime(2026, 7, 1, 21, 0, tzinfo=UTC))  # 23:00 local
    assert not night.on_duty(NOON)


def test_identical_peers_flag_nobody_and_one_exchange_counts_once() -> None:
    records = [record(f"o{i}", NOON, exchange=f"x{i}-{j}") for i in range(5) for j in range(6)]
    records += [record("o0", NOON, exchange="x0-0") for _ in range(3)]  # same check, 3 partners
    result = _run(records)
    assert result["volume"]["flagged"] == []
    assert result["volume"]["median"] == 6.0 and result["volume"]["mad"] == 0.0


def test_an_outlier_is_flagged_only_above_the_minimum() -> None:
    base = [record(f"o{i}", NOON) for i in range(4) for _ in range(2)]
    few = _run(base + [record("busy", NOON) for _ in range(4)])
    assert few["volume"]["flagged"] == []  # 4 < volume_min
    many = _run(base + [record("busy", NOON) for _ in range(30)])
    assert [v["officer"] for v in many["volume"]["flagged"]] == ["NL:busy"]


def test_two_officers_are_too_few_peers() -> None:
    result = _run([record("a", NOON)] + [record("b", NOON) for _ in range(50)])
    assert result["volume"]["flagged"] == []


def test_same_subject_counts_distinct_officers() -> None:
    records = [record("a", NOON, keys=("k1",)) for _ in range(5)]
    records += [record("b", NOON, keys=("k1",)), record("c", NOON, keys=("k1", "k2"))]
    records += [record("a", NOON, keys=("k2",))]
    result = _run(records)
    same = result["same_subject"]
    assert [s["subject_key"] for s in same] == ["k1"]
    assert same[0]["officers"] == ["NL:a", "NL:b", "NL:c"]
    assert same[0]["lookups"] == 7


def test_no_reference_and_off_duty() -> None:
    late = dt.datetime(2026, 7, 1, 1, 0, tzinfo=UTC)  # 03:00 local
    result = _run([record("a", NOON), record("b", late, ref=False)])
    assert [b["officer"] for b in result["no_reference"]] == ["NL:b"]
    assert [b["local_time"] for b in result["off_duty"]] == ["2026-07-01 03:00"]
