"""Scores and their explanation; the columnar result; the packed keys."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from passerelle.anpr import codec
from passerelle.anpr.index import ALERT_SCORE, HotlistIndex, IndexEntry, Match, Tolerance
from passerelle.anpr.scoring import plate_score

ENTRIES = [
    IndexEntry("de", "ACR236", "DE"),
    IndexEntry("be", "1ABC234", "BE"),
    IndexEntry("any", "GB123X", None, Tolerance(max_confusions=1)),
]


def test_a_read_that_is_itself_a_plate_scores_lower() -> None:
    index = HotlistIndex.build(ENTRIES)
    got = {m.read_idx: m for m in index.match(["ACR26", "ACR23G", "1A8C234", "1ADC234"],
                                              ["DE", "DE", None, "BE"])}  # fmt: skip
    # AC-R 26 is a car of its own: a lead, not an alert
    assert got[0].read_is_plate and got[0].indel == "missing" and got[0].score < ALERT_SCORE
    # a G where the digit 6 belongs is no plate: a misread, an alert
    assert not got[1].read_is_plate and got[1].score >= ALERT_SCORE
    assert not got[2].read_is_plate and got[2].score == plate_score(1, False) == 0.9
    assert 3 not in got  # B and D are not confusable
    assert got[0].explanation() == {
        "method": "ocr_confusion_index", "outcome": "fuzzy", "score": got[0].score,
        "confusions": 0, "indel": "missing", "read_is_plate": True,
    }  # fmt: skip


def test_min_score_and_wrong_country() -> None:
    index = HotlistIndex.build(ENTRIES)
    reads, countries = ["1ABC234", "1A8C234", "ACR26", "GB123X"], ["NL", "NL", "DE", "BE"]
    every = index.match(reads, countries)
    assert [(m.read_idx, m.outcome, m.score) for m in every] == [
        (0, "wrong_country", 0.5), (1, "wrong_country", 0.45), (2, "fuzzy", 0.4),
        (3, "exact", 1.0),
    ]  # fmt: skip
    alerts = index.match(reads, countries, min_score=ALERT_SCORE)
    assert [m.read_idx for m in alerts] == [0, 3]


def test_match_frame_equals_match_and_takes_series() -> None:
    index = HotlistIndex.build(ENTRIES)
    reads = ["ACR26", "1A8C234", "G8123X", "XXX", "1-abc-234"]
    countries: list[str | None] = [None, "B", None, None, "BE"]
    frame = index.match_frame(pl.Series(reads), pl.Series(countries, dtype=pl.String))
    objects = index.match(reads, countries)
    assert frame.columns == ["read_idx", "entry_id", "outcome", "score", "confusions",
                             "indel", "read_is_plate"]  # fmt: skip
    assert [Match(**row) for row in frame.iter_rows(named=True)] == objects
    assert len(objects) == 4


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=codec.ALPHABET + "a-", max_size=12), max_size=30))
def test_encode_agrees_with_pack(texts: list[str]) -> None:
    enc = codec.encode(texts)
    for i, text in enumerate(texts):
        raw, cls = codec.pack(text)
        assert bool(enc.ok[i]) == (raw != 0)
        if raw:
            assert (int(enc.raw[i]), int(enc.cls[i])) == (raw, cls)
            assert codec.unpack(raw) == text
    assert codec.unpack_series(enc.raw[enc.ok]).to_list() == [
        t for t, ok in zip(texts, enc.ok.tolist(), strict=True) if ok
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=codec.ALPHABET, min_size=2, max_size=10), st.data())
def test_delete_and_confusions(text: str, data: st.DataObject) -> None:
    j = data.draw(st.integers(0, len(text) - 1))
    raw = np.array([codec.pack(text)[0]], dtype=np.uint64)
    assert codec.unpack(int(codec.delete(raw, j)[0])) == text[:j] + text[j + 1 :]
    other = data.draw(st.text(alphabet=codec.ALPHABET, min_size=len(text), max_size=len(text)))
    b = np.array([codec.pack(other)[0]], dtype=np.uint64)
    assert int(codec.confusions(raw, b)[0]) == sum(x != y for x, y in zip(text, other, strict=True))


def test_reads_that_are_not_canonical_are_canonicalised() -> None:
    index = HotlistIndex.build([IndexEntry("jul", "jül-a 12", "D"), *ENTRIES])
    reads: list[str | None] = ["1-abc-234", "JU\u0308L A 12", None, "", "ACR 236", "??"]
    got = index.match(reads, [None] * len(reads))  # type: ignore[arg-type]
    assert [(m.read_idx, m.entry_id, m.outcome) for m in got] == [
        (0, "be", "exact"), (1, "jul", "exact"), (4, "de", "exact"),
    ]  # fmt: skip
    assert index.match(pl.Series(reads, dtype=pl.String), [None] * 6) == got
