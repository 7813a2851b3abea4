"""Table-driven match cases (tests/matching/cases.csv): each variation, expected outcome, why."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from passerelle.matching.person import PreparedPerson, compare

CASES = list(csv.DictReader((Path(__file__).parent / "cases.csv").open(encoding="utf-8")))
THRESHOLD = 0.5


def _person(row: dict[str, str], side: str) -> PreparedPerson:
    def get(name: str) -> str | None:
        return row[f"{side}_{name}"] or None

    return PreparedPerson.from_fields(
        get("given"), get("family"), get("prefix"), get("birth"), get("sex"), get("nat")
    )


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_match_case(case: dict[str, str]) -> None:
    score, explanation = compare(_person(case, "l"), _person(case, "r"))
    assert 0.0 <= score <= 1.0
    levels = {f["feature"]: f["level"] for f in explanation["features"]}
    for expected in filter(None, case["levels"].split(";")):
        feature, level = expected.split("=")
        assert levels[feature] == level, (case["why"], levels)
    if case["expected"] == "match":
        assert score >= THRESHOLD, (case["why"], score, levels)
    else:
        assert score < THRESHOLD, (case["why"], score, levels)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_match_is_symmetric(case: dict[str, str]) -> None:
    left, right = _person(case, "l"), _person(case, "r")
    assert compare(left, right)[0] == pytest.approx(compare(right, left)[0], abs=1e-9)


def test_every_variation_of_the_issue_is_covered() -> None:
    names = {c["case"] for c in CASES}
    for needed in ("particles_nl_be_merged", "umlaut_long", "eszett", "apostrophe", "hyphen",
                   "arabic_translit", "day_month_swapped", "year_off_by_one", "names_swapped",
                   "initials", "hard_negative_same_family_year"):  # fmt: skip
        assert needed in names
