"""Exports verify offline with the public key only; tampering and garbage become findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passerelle.audit.canonical import chain_hash, dumps
from passerelle.audit.export import export_csv, export_jsonl
from passerelle.audit.offline import verify_file
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.federation.keys import NodeKey
from tests.audit.conftest import consultation

N = 20


@pytest.fixture
def exported(audit: SqlAuditLog, tmp_path: Path) -> tuple[SqlAuditLog, Path]:
    audit.sign_every = 0
    audit.append_many([consultation(i) for i in range(10)])
    audit.sign_head()  # head at 10, HEAD_SIGNED at 11
    audit.append_many([consultation(i) for i in range(10, N)])
    out = tmp_path / "audit.jsonl"
    summary = export_jsonl(audit, out)
    assert summary.entries == N + 1 and summary.heads == 1
    return audit, out


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _first(audit: SqlAuditLog, path: Path) -> tuple[int | None, str]:
    report = verify_file(path, audit.key.public_key)
    assert not report.ok
    assert report.first is not None
    return report.first.position, report.first.reason


def entry_index(position: int) -> int:
    return 1 + 1 + position - 1  # header, one head line, then entries from position 1


def test_intact_export_verifies(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    report = verify_file(path, audit.key.public_key)
    assert report.ok, report.findings
    assert report.entries == N + 1 and report.last_position == N + 1
    assert report.signed_heads == 1 and report.signed_up_to == 10


def test_export_holds_no_personal_data(exported: tuple[SqlAuditLog, Path]) -> None:
    text = exported[1].read_text(encoding="utf-8")
    assert "Dupont" not in text and "85.07.30" not in text


def test_wrong_key(exported: tuple[SqlAuditLog, Path]) -> None:
    _, path = exported
    report = verify_file(path, NodeKey.generate(Country.BE).public_key)
    assert report.first is not None and report.first.reason == "wrong_key"


def test_changed_line(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    lines = _lines(path)
    lines[entry_index(5)] = lines[entry_index(5)].replace('"officer-', '"other-')
    _write(path, lines)
    assert _first(audit, path) == (5, "changed")


def test_deleted_line(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    lines = _lines(path)
    del lines[entry_index(5)]
    _write(path, lines)
    assert _first(audit, path) == (5, "deleted")


def test_reordered_lines(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    lines = _lines(path)
    i = entry_index(5)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    _write(path, lines)
    assert _first(audit, path) == (5, "reordered")


def test_inserted_line(exported: tuple[SqlAuditLog, Path]) -> None:
    """A forged entry slipped in with valid hashes and the rest renumbered is still found."""
    audit, path = exported
    lines = _lines(path)
    i = entry_index(5)
    prev = json.loads(lines[i - 1])
    forged = dict(prev["entry"], position=5, entry_id="forged")
    text = dumps(forged)
    new = {
        "entry": forged,
        "hash": chain_hash(prev["hash"], text),
        "position": 5,
        "prev_hash": prev["hash"],
        "type": "entry",
    }
    renumbered = []
    for line in lines[i:]:
        obj = json.loads(line)
        obj["position"] += 1
        renumbered.append(dumps(obj))
    _write(path, [*lines[:i], dumps(new), *renumbered])
    assert _first(audit, path) == (5, "inserted")


def test_truncated_tail(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    _write(path, _lines(path)[:-3])
    assert _first(audit, path) == (N - 1, "truncated")


def test_truncated_below_a_signed_head(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    lines = _lines(path)
    _write(path, lines[: entry_index(8)])
    report = verify_file(path, audit.key.public_key)
    assert {f.reason for f in report.findings} == {"truncated"}
    assert report.first is not None and report.first.position == 8


def test_replaced_head(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    lines = _lines(path)
    last = json.loads(lines[-1])
    last["entry"]["outcome"] = "forged"
    last["hash"] = chain_hash(last["prev_hash"], dumps(last["entry"]))
    _write(path, [*lines[:-1], dumps(last)])
    assert _first(audit, path) == (N + 1, "replaced_head")


def test_forged_header_signature(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    lines = _lines(path)
    header = json.loads(lines[0])
    header["entries"] = 3
    _write(path, [dumps(header), *lines[1:]])
    report = verify_file(path, audit.key.public_key)
    assert report.first is not None and report.first.reason == "bad_signature"


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "not json at all",
        "{",
        '{"type":"header"}',
        "[1,2,3]",
        '{"type":"header","format":"passerelle-audit-export/v1","node":"XX"}',
        "\x00\xff\xfe binary",
    ],
)
def test_garbage_files_are_findings(tmp_path: Path, garbage: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(garbage, encoding="utf-8", errors="surrogateescape")
    report = verify_file(path, NodeKey.generate(Country.BE).public_key)
    assert not report.ok


@pytest.mark.parametrize(
    "mangle",
    [
        lambda line: line[: len(line) // 2],  # truncated JSON line
        lambda line: line.replace('"position":', '"position":"x').replace(',"prev', '",prev'),
        lambda line: '{"type":"entry","position":5,"hash":1,"prev_hash":[],"entry":"x"}',
        lambda line: "[" + line + "]",
        lambda line: '{"entry":{"a":' * 5000,
    ],
)
def test_garbled_lines_are_findings(exported: tuple[SqlAuditLog, Path], mangle) -> None:  # type: ignore[no-untyped-def]
    audit, path = exported
    lines = _lines(path)
    lines[entry_index(5)] = mangle(lines[entry_index(5)])
    _write(path, lines)
    report = verify_file(path, audit.key.public_key)
    assert report.first is not None and report.first.position == 5


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    report = verify_file(tmp_path / "nope.jsonl", NodeKey.generate(Country.BE).public_key)
    assert report.first is not None and report.first.reason == "unreadable"


def test_csv_export(exported: tuple[SqlAuditLog, Path], tmp_path: Path) -> None:
    audit, _ = exported
    out = tmp_path / "audit.csv"
    summary = export_csv(audit, out)
    text = out.read_text(encoding="utf-8")
    assert summary.entries == N + 1
    assert text.splitlines()[0].startswith("position,entry_id,at")
    assert "Dupont" not in text


def test_unsigned_header(exported: tuple[SqlAuditLog, Path]) -> None:
    audit, path = exported
    lines = _lines(path)
    header = json.loads(lines[0])
    del header["signature"]
    _write(path, [dumps(header), *lines[1:]])
    report = verify_file(path, audit.key.public_key)
    assert report.first is not None and report.first.reason == "bad_signature"


def test_altered_head_line(exported: tuple[SqlAuditLog, Path]) -> None:
    """Fields of a head the signature does not cover (time, key id) are still authenticated."""
    audit, path = exported
    lines = _lines(path)
    head = json.loads(lines[1])
    head["at"] = "2020-01-01T00:00:00.000000+00:00"
    _write(path, [lines[0], dumps(head), *lines[2:]])
    report = verify_file(path, audit.key.public_key)
    assert [f.reason for f in report.findings] == ["changed"]
