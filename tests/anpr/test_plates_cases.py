"""Table-driven cases (tests/anpr/cases.csv): per country format and per OCR confusion."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from passerelle.anpr.index import HotlistIndex, IndexEntry, Tolerance
from passerelle.anpr.plates import normalise_read
from passerelle.matching.keys import CONFUSION_CLASSES

ROWS = list(csv.DictReader((Path(__file__).parent / "cases.csv").open(encoding="utf-8")))
NORMALISE = [r for r in ROWS if r["kind"] == "normalise"]
MATCH = [r for r in ROWS if r["kind"] == "match"]


@pytest.mark.parametrize("case", NORMALISE, ids=[c["case"] for c in NORMALISE])
def test_normalise_case(case: dict[str, str]) -> None:
    read = normalise_read(case["read"], case["read_country"] or None)
    if case["expected"].startswith("garbage:"):
        assert not read.valid and read.plate == ""
        assert read.reason == case["expected"].split(":", 1)[1], case["why"]
        return
    assert read.valid and read.reason is None
    assert read.plate == case["plate"], case["why"]
    assert read.country == (case["country"] or None), case["why"]
    assert read.inferred is (case["inferred"] == "true"), case["why"]
    assert read.fmt == (case["detail"] or None), case["why"]


def _tolerance(case: dict[str, str]) -> Tolerance | None:
    if not case["max_confusions"] and not case["indel"]:
        return None
    return Tolerance(
        max_confusions=int(case["max_confusions"] or 2), indel=case["indel"] != "false"
    )


@pytest.mark.parametrize("case", MATCH, ids=[c["case"] for c in MATCH])
def test_match_case(case: dict[str, str]) -> None:
    entry = IndexEntry("e1", case["entry"], case["entry_country"] or None, _tolerance(case))
    index = HotlistIndex.build([entry])
    matches = index.match([case["read"]], [case["read_country"] or None])
    if case["expected"] == "none":
        assert matches == [], case["why"]
        return
    assert len(matches) == 1, case["why"]
    m = matches[0]
    assert (m.read_idx, m.entry_id, m.outcome) == (0, "e1", case["expected"]), case["why"]
    assert 0.0 <= m.score <= 1.0
    assert (m.score == 1.0) is (case["expected"] == "exact")
    detail = dict(kv.split("=") for kv in case["detail"].split(";") if kv)
    assert m.confusions == int(detail.get("confusions", "0"))
    assert m.indel == detail.get("indel")


def test_every_confusion_and_format_is_covered() -> None:
    names = {c["case"] for c in ROWS}
    pairs = {(a, b) for cls in CONFUSION_CLASSES for a in cls for b in cls if a != b}
    covered = {tuple(n.split("_")[1:3]) for n in names if n.startswith("confusion_")}
    # every class is exercised in both directions (0/O/D/Q by several pairs)
    for cls in CONFUSION_CLASSES:
        assert any(a in cls and b in cls for a, b in covered), cls
    assert len(covered) >= len(CONFUSION_CLASSES) * 2 and covered <= pairs
    for needed in ("be_current", "be_legacy", "be_transitional", "lu_current", "lu_numeric",
                   "de_regional", "fr_siv", "fr_fni", "missing_character", "extra_character",
                   "wrong_country_exact", "wrong_country_fuzzy"):  # fmt: skip
        assert needed in names
    assert {f"nl_sidecode_{i}" for i in range(4, 15)} <= names
