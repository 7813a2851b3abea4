"""Feature comparisons of the person matcher, each a level with a weight.

Weights are log2 Bayes factors (Fellegi–Sunter: ``log2(m / u)``, where ``m``
is the chance of the level among true matches and ``u`` among candidate pairs
that are not the same person). ``missing`` always weighs 0: an empty field is
unknown, never a mismatch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from passerelle.domain.dates import PartialDate
from passerelle.matching.normalise import FamilyForms
from passerelle.matching.phonetic import codes

FAMILY_WEIGHTS = {
    "exact": 9.0, "particles_differ": 6.5, "typo": 6.0, "close": 4.5, "similar": 2.0,
    "phonetic": 1.5, "different": -6.0, "missing": 0.0,
}  # fmt: skip
GIVEN_WEIGHTS = {
    "exact": 6.0, "exact_subset": 5.0, "reordered": 4.5, "first_exact": 4.0, "typo": 4.0,
    "close": 3.0, "initials": 2.0, "similar": 1.0, "phonetic": 1.0, "different": -8.0,
    "missing": 0.0,
}  # fmt: skip
BIRTH_WEIGHTS = {
    "exact": 9.0, "partial_month": 5.0, "partial_year": 2.5, "day_month_swapped": 5.5,
    "year_off_by_one": 5.0, "day_differs": -1.0, "month_differs": -3.0, "same_year": -4.0,
    "different": -8.0, "missing": 0.0, "invalid": 0.0,
}  # fmt: skip
SEX_WEIGHTS = {"agree": 1.0, "disagree": -4.0, "missing": 0.0}
NATIONALITY_WEIGHTS = {"agree": 0.8, "disagree": -1.5, "missing": 0.0}
NATIONAL_ID_WEIGHTS = {
    "agree": 22.0, "disagree": -12.0, "missing": 0.0, "invalid_not_compared": 0.0,
}  # fmt: skip
SWAPPED_NAMES_WEIGHT = -1.0


@dataclass(frozen=True)
class Feature:
    """One compared feature: its level, weight and how it was compared."""

    name: str
    level: str
    weight: float
    method: str
    similarity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "feature": self.name, "level": self.level, "weight": self.weight,
            "method": self.method,
        }  # fmt: skip
        if self.similarity is not None:
            out["similarity"] = round(self.similarity, 3)
        return out


@lru_cache(maxsize=262_144)
def _string_level(a: str, b: str) -> tuple[str, float]:
    """Level of two folded, differing strings: typo, close, similar, phonetic or different."""
    sim = JaroWinkler.similarity(a, b)
    if min(len(a), len(b)) >= 5 and DamerauLevenshtein.distance(a, b) <= 1:
        return "typo", sim
    if sim >= 0.92:
        return "close", sim
    if sim >= 0.85:
        return "similar", sim
    if codes(a) & codes(b):
        return "phonetic", sim
    return "different", sim


_STRING_ORDER = ("typo", "close", "similar", "phonetic", "different")


def compare_family(query: Sequence[FamilyForms], record: Sequence[FamilyForms]) -> Feature:
    return _compare_family(tuple(query), tuple(record))


@lru_cache(maxsize=262_144)  # candidates of one query share names; Feature is immutable
def _compare_family(query: tuple[FamilyForms, ...], record: tuple[FamilyForms, ...]) -> Feature:
    name, method = "family_name", "icao+particles, jaro_winkler, damerau, phonetic"
    if not query or not record:
        return Feature(name, "missing", 0.0, method)
    if any(q.merged == r.merged for q in query for r in record):
        return Feature(name, "exact", FAMILY_WEIGHTS["exact"], method, 1.0)
    if any(q.core == r.core and len(q.core) >= 3 for q in query for r in record):
        return Feature(name, "particles_differ", FAMILY_WEIGHTS["particles_differ"], method, 1.0)
    best: tuple[int, float] = (len(_STRING_ORDER), 0.0)
    for q in query:
        for r in record:
            for a, b in ((q.merged, r.merged), (q.core, r.core)):
                level, sim = _string_level(a, b)
                rank = _STRING_ORDER.index(level)
                if (rank, -sim) < (best[0], -best[1]):
                    best = (rank, sim)
    level = _STRING_ORDER[min(best[0], len(_STRING_ORDER) - 1)]
    return Feature(name, level, FAMILY_WEIGHTS[level], method, best[1])


def _token_sim(a: str, b: str) -> float:
    if len(a) == 1 or len(b) == 1:
        return 0.9 if a[0] == b[0] else 0.0
    return JaroWinkler.similarity(a, b)


def compare_given(query: Sequence[Sequence[str]], record: Sequence[Sequence[str]]) -> Feature:
    """Given names aligned one-to-one (greedy on Jaro-Winkler), over ICAO spellings."""
    return _compare_given(tuple(map(tuple, query)), tuple(map(tuple, record)))


@lru_cache(maxsize=262_144)
def _compare_given(
    query: tuple[tuple[str, ...], ...], record: tuple[tuple[str, ...], ...]
) -> Feature:
    name, method = "given_names", "one_to_one alignment, jaro_winkler, damerau, phonetic"
    if not query or not record or not query[0] or not record[0]:
        return Feature(name, "missing", 0.0, method)
    best: Feature | None = None
    for q in query:
        for r in record:
            f = _given_pair(q, r)
            if best is None or f.weight > best.weight:
                best = f
    assert best is not None
    return best


def _given_pair(q: Sequence[str], r: Sequence[str]) -> Feature:
    name, method = "given_names", "one_to_one alignment, jaro_winkler, damerau, phonetic"
    pairs = sorted(
        ((_token_sim(a, b), i, j) for i, a in enumerate(q) for j, b in enumerate(r)),
        reverse=True,
    )
    used_q: set[int] = set()
    used_r: set[int] = set()
    aligned: list[tuple[float, int, int]] = []
    for sim, i, j in pairs:
        if i not in used_q and j not in used_r:
            used_q.add(i)
            used_r.add(j)
            aligned.append((sim, i, j))
    full = [(i, j) for _, i, j in aligned if len(q[i]) > 1 and len(r[j]) > 1 and q[i] == r[j]]
    if full and len(full) == len(aligned):
        if len(q) == len(r):
            in_order = all(i == j for i, j in full)
            level = "exact" if in_order else "reordered"
        else:
            level = "exact_subset"
        return Feature(name, level, GIVEN_WEIGHTS[level], method, 1.0)
    if full:
        return Feature(name, "first_exact", GIVEN_WEIGHTS["first_exact"], method, 1.0)
    top = aligned[0]
    a, b = q[top[1]], r[top[2]]
    if len(a) == 1 or len(b) == 1:
        level = "initials" if top[0] > 0 else "different"
        return Feature(name, level, GIVEN_WEIGHTS[level], method, top[0])
    level, sim = _string_level(a, b)
    return Feature(name, level, GIVEN_WEIGHTS[level], method, sim)


@lru_cache(maxsize=65_536)
def _record_date(text: str) -> PartialDate | None:
    """A record's birth date, parsed once per distinct value (None when it does not parse)."""
    try:
        return PartialDate.parse(text)
    except Exception:
        return None


def compare_birth(query: PartialDate | None, record: str | None) -> Feature:
    name, method = "birth_date", "partial_date"
    if query is None or not record:
        return Feature(name, "missing", 0.0, method)
    r = _record_date(record)
    if r is None:  # a register value that no longer parses: not compared
        return Feature(name, "invalid", 0.0, method)
    q = query
    if q.year == r.year:
        if q.month is None or r.month is None:
            level = "partial_year"
        elif q.month == r.month:
            if q.day is None or r.day is None:
                level = "partial_month"
            else:
                level = "exact" if q.day == r.day else "day_differs"
        elif q.day is not None and r.day is not None and (q.day, q.month) == (r.month, r.day):
            level = "day_month_swapped"
        else:
            level = "month_differs" if q.day is not None and q.day == r.day else "same_year"
    elif abs(q.year - r.year) == 1 and (q.month, q.day) == (r.month, r.day) and q.month:
        level = "year_off_by_one"
    else:
        level = "different"
    return Feature(name, level, BIRTH_WEIGHTS[level], method)


def compare_code(name: str, query: str | None, record: str | None, ignore: str = "") -> Feature:
    """Sex or nationality: agree / disagree / missing (``ignore`` counts as missing)."""
    weights = SEX_WEIGHTS if name == "sex" else NATIONALITY_WEIGHTS
    q = (query or "").strip().upper()
    r = (record or "").strip().upper()
    if not q or not r or q == ignore or r == ignore:
        return Feature(name, "missing", 0.0, "exact")
    level = "agree" if q == r else "disagree"
    return Feature(name, level, weights[level], "exact")
