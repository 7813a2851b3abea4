"""Property tests: subject keys ignore formatting; the offline verifier never crashes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passerelle.audit.export import export_jsonl
from passerelle.audit.offline import verify_file
from passerelle.audit.protect import DpoKeys, normalise_subject
from passerelle.audit.sql import SqlAuditLog
from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput
from passerelle.federation.keys import NodeKey
from passerelle.storage.db import create_engine, migrate
from tests.audit.conftest import consultation

KEYS = DpoKeys.generate()
SEPARATORS = st.sampled_from([" ", "-", ".", "/", "\u00a0", "_"])


@given(st.text(max_size=60))
def test_subject_key_accepts_or_refuses_any_text(text: str) -> None:
    try:
        key = KEYS.subject_key(text)
    except InvalidInput as e:
        assert e.code == "audit_subject_invalid"
    else:
        assert len(key) == 64


@given(
    st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=1, max_size=16),
    st.lists(st.tuples(st.integers(0, 16), SEPARATORS), max_size=4),
    st.booleans(),
)
def test_identifier_keys_ignore_separators_and_case(
    compact: str, cuts: list[tuple[int, str]], lower: bool
) -> None:
    text = compact
    for at, sep in sorted(cuts, reverse=True):
        text = text[:at] + sep + text[at:]
    if lower:
        text = text.lower()
    assert KEYS.subject_key(text) == KEYS.subject_key(compact)


@given(st.sampled_from(["Müller", "MULLER", "müller", " Müller "]))
def test_name_keys_ignore_case_and_diacritics(name: str) -> None:
    assert normalise_subject(f"{name}|1980-01-02") == normalise_subject("muller|1980-01-02")


@pytest.fixture(scope="module")
def export_bytes(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, NodeKey]:
    tmp = tmp_path_factory.mktemp("prop")
    engine = create_engine(f"sqlite:///{tmp / 'a.db'}")
    migrate(engine)
    key = NodeKey.generate(Country.BE)
    log = SqlAuditLog(engine, key=key, dpo=KEYS, sign_every=5)
    for i in range(12):
        log.append(consultation(i))
    out = tmp / "a.jsonl"
    export_jsonl(log, out)
    engine.dispose()
    return out.read_bytes(), key


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_verifier_never_crashes_on_corruption(
    export_bytes: tuple[bytes, NodeKey], tmp_path: Path, data: st.DataObject
) -> None:
    original, key = export_bytes
    content = bytearray(original)
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        at = data.draw(st.integers(0, max(len(content) - 1, 0)))
        if action == "flip" and content:
            content[at] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del content[at:]
        elif action == "insert":
            content[at:at] = data.draw(st.binary(min_size=1, max_size=20))
        elif content:
            del content[at : at + data.draw(st.integers(1, 200))]
    path = tmp_path / f"c-{os.getpid()}.jsonl"
    path.write_bytes(bytes(content))
    report = verify_file(path, key.public_key)
    if bytes(content) != original:
        assert not report.ok or bytes(content).strip() == original.strip()
