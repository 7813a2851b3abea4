"""Vectorised scoring of candidate pairs for batch linkage (``passerelle match link``).

The per-pair comparison of ``person.compare`` plus the address and identifier features
of ``linkfeatures``, computed over whole arrays of candidate pairs at once: each record's
normalised fields are laid out once in NumPy arrays, string similarities come from
rapidfuzz's element-wise ``cpdist``, and levels are chosen with array masks. The rules
are those of ``features.py`` and ``linkfeatures.py``, level for level.

Records whose names have more than one spelling (ICAO variants, several given names)
are not vectorised: a pair involving one is scored by ``linkage.score_pair`` in Python.
The explanation of a kept pair is always built by ``score_pair`` itself, so what a
reader sees is exactly what the single-pair matcher says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.process import cpdist

from passerelle.domain.countries import Country
from passerelle.matching import features as F  # noqa: N812
from passerelle.matching import linkfeatures as L  # noqa: N812
from passerelle.matching.normalise import family_forms
from passerelle.matching.person import PRIOR_LOG2
from passerelle.matching.phonetic import codes

if TYPE_CHECKING:
    from passerelle.matching.linkage import Side

Strs = NDArray[np.object_]
Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]
_SCHEME_BIT = {c.value: 1 << k for k, c in enumerate(Country)}
_STRING_LEVELS = np.array(F._STRING_ORDER, dtype=object)
FEATURES = (
    "family_name", "given_names", "birth_date", "sex", "nationality", "national_id",
    "address_street", "address_number", "address_postcode", "address_city",
)  # fmt: skip


@dataclass(frozen=True)
class Columns:
    """One side's records as arrays; ``simple`` marks records with one spelling per name."""

    simple: Bools
    fam_merged: Strs
    fam_core: Strs
    given: Strs  # the single given-name token ("" when none)
    gaf_merged: Strs  # the given name read as a family name (swapped names)
    gaf_core: Strs
    year: Ints  # -1: unknown
    month: Ints
    day: Ints
    sex: Strs
    nationality: Strs
    nid: Strs
    schemes: Ints
    street: Strs
    number: Strs
    postcode: Strs
    city: Strs


def columns(side: Side) -> Columns:
    n = len(side.persons)
    s = {k: np.full(n, "", dtype=object) for k in ("fm", "fc", "g", "gm", "gc", "sx", "nat")}
    simple = np.ones(n, dtype=bool)
    ymd = np.full((3, n), -1, dtype=np.int64)
    for i, p in enumerate(side.persons):
        if len(p.family) > 1 or len(p.given) > 1 or (p.given and len(p.given[0]) != 1):
            simple[i] = False
            continue
        if p.family:
            s["fm"][i], s["fc"][i] = p.family[0].merged, p.family[0].core
        if p.given:
            token = p.given[0][0]
            s["g"][i] = token
            forms = family_forms(token)
            if len(forms) != 1:
                simple[i] = False
                continue
            s["gm"][i], s["gc"][i] = forms[0].merged, forms[0].core
        if p.birth is not None:
            b = p.birth
            ymd[:, i] = (b.year, -1 if b.month is None else b.month, -1 if b.day is None else b.day)
        s["sx"][i] = (p.sex or "").strip().upper()
        s["nat"][i] = (p.nationality or "").strip().upper()
    nid = _strs([v or "" for v in side.national_ids])
    schemes = np.array(
        [sum(_SCHEME_BIT[c] for c in L.schemes(v)) if v else 0 for v in nid], dtype=np.int64
    )
    a = side.addresses
    return Columns(
        simple, s["fm"], s["fc"], s["g"], s["gm"], s["gc"], ymd[0], ymd[1], ymd[2], s["sx"],
        s["nat"], nid, schemes, _strs([x.street for x in a]), _strs([x.number for x in a]),
        _strs([x.postcode for x in a]), _strs([x.city for x in a]),
    )  # fmt: skip


def _strs(values: list[str]) -> Strs:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _jw(a: Strs, b: Strs) -> Floats:
    if not len(a):
        return np.zeros(0)
    sim = cpdist(list(a), list(b), scorer=JaroWinkler.similarity, dtype=np.float64, workers=1)
    return np.asarray(sim)


def _dl(a: Strs, b: Strs) -> Ints:
    if not len(a):
        return np.zeros(0, dtype=np.int64)
    return np.asarray(
        cpdist(list(a), list(b), scorer=DamerauLevenshtein.distance, workers=1), dtype=np.int64
    )


def _lengths(a: Strs) -> Ints:
    return np.fromiter(map(len, a), dtype=np.int64, count=len(a))


def string_rank(a: Strs, b: Strs) -> tuple[Ints, Floats]:
    """``features._string_level`` over arrays: rank in ``_STRING_ORDER`` and similarity."""
    sim = _jw(a, b)
    typo = (np.minimum(_lengths(a), _lengths(b)) >= 5) & (_dl(a, b) <= 1)
    rank = np.select([typo, sim >= 0.92, sim >= 0.85], [0, 1, 2], default=4).astype(np.int64)
    for k in np.flatnonzero(rank == 4):
        if codes(a[k]) & codes(b[k]):
            rank[k] = 3
    return rank, sim


def _weights(levels: Strs, table: dict[str, float]) -> Floats:
    return np.fromiter(map(table.__getitem__, levels), dtype=np.float64, count=len(levels))


def family(qm: Strs, qc: Strs, rm: Strs, rc: Strs) -> Strs:
    """``features.compare_family`` levels for one spelling on each side."""
    out = np.full(len(qm), "missing", dtype=object)
    known = (qm != "") & (rm != "")
    exact = known & (qm == rm)
    particles = known & ~exact & (qc == rc) & (_lengths(qc) >= 3)
    out[exact], out[particles] = "exact", "particles_differ"
    rest = np.flatnonzero(known & ~exact & ~particles)
    rank_m, sim_m = string_rank(qm[rest], rm[rest])
    rank_c, sim_c = string_rank(qc[rest], rc[rest])
    core_better = (rank_c < rank_m) | ((rank_c == rank_m) & (sim_c > sim_m))
    out[rest] = _STRING_LEVELS[np.where(core_better, rank_c, rank_m)]
    return out


def given(q: Strs, r: Strs) -> Strs:
    """``features.compare_given`` levels for one given-name token on each side."""
    out = np.full(len(q), "missing", dtype=object)
    known = (q != "") & (r != "")
    lq, lr = _lengths(q), _lengths(r)
    initial = known & ((lq == 1) | (lr == 1))
    exact = known & ~initial & (q == r)
    out[exact] = "exact"
    k = np.flatnonzero(initial)
    same = np.fromiter((q[x][0] == r[x][0] for x in k), dtype=bool, count=len(k))
    out[k] = np.where(same, "initials", "different")
    rest = np.flatnonzero(known & ~initial & ~exact)
    out[rest] = _STRING_LEVELS[string_rank(q[rest], r[rest])[0]]
    return out


def birth(q: Columns, r: Columns, i: Ints, j: Ints) -> Strs:
    """``features.compare_birth`` levels."""
    qy, qm, qd = q.year[i], q.month[i], q.day[i]
    ry, rm, rd = r.year[j], r.month[j], r.day[j]
    both_m, both_d = (qm >= 0) & (rm >= 0), (qd >= 0) & (rd >= 0)
    same_y = qy == ry
    conditions = [
        (qy < 0) | (ry < 0),
        same_y & ~both_m,
        same_y & (qm == rm) & ~both_d,
        same_y & (qm == rm) & (qd == rd),
        same_y & (qm == rm),
        same_y & both_d & (qd == rm) & (qm == rd),
        same_y & (qd >= 0) & (qd == rd),
        same_y,
        (np.abs(qy - ry) == 1) & (qm == rm) & (qd == rd) & (qm > 0),
    ]
    choices = [
        "missing", "partial_year", "partial_month", "exact", "day_differs",
        "day_month_swapped", "month_differs", "same_year", "year_off_by_one",
    ]  # fmt: skip
    return np.select(conditions, np.array(choices, dtype=object), default="different")


def _code(q: Strs, r: Strs, ignore: str) -> Strs:
    missing = (q == "") | (r == "") | (q == ignore) | (r == ignore)
    return np.where(missing, "missing", np.where(q == r, "agree", "disagree"))


def identifier(a: Strs, b: Strs, sa: Ints, sb: Ints) -> Strs:
    """``linkfeatures.compare_identifier`` levels ("missing" where it returns None)."""
    known = (a != "") & (b != "")
    schemed = known & (sa != 0) & (sb != 0)
    plain = known & ~schemed
    k = np.flatnonzero(plain & (a != b) & (_lengths(a) == _lengths(b)))
    typo = np.zeros(len(a), dtype=bool)
    typo[k] = _dl(a[k], b[k]) <= 1
    return np.select(
        [~known, schemed & ((sa & sb) == 0), schemed & (a == b), schemed, a == b, typo],
        np.array(["missing", "different_schemes", "agree", "disagree", "plain_agree",
                  "plain_typo"], dtype=object),
        default="plain_disagree",
    )  # fmt: skip


def _text(a: Strs, b: Strs) -> Strs:
    out = np.full(len(a), "missing", dtype=object)
    known = (a != "") & (b != "")
    out[known & (a == b)] = "exact"
    k = np.flatnonzero(known & (a != b))
    sim = _jw(a[k], b[k])
    out[k] = np.select([sim >= 0.9, sim >= 0.8], ["close", "similar"], default="different")
    return out


def _postcode(a: Strs, b: Strs) -> Strs:
    out = np.full(len(a), "missing", dtype=object)
    known = (a != "") & (b != "")
    out[known & (a == b)] = "agree"
    k = np.flatnonzero(known & (a != b))
    out[k] = np.where(_dl(a[k], b[k]) <= 1, "typo", "disagree")
    return out


WEIGHTS: dict[str, dict[str, float]] = {
    "family_name": F.FAMILY_WEIGHTS, "given_names": F.GIVEN_WEIGHTS,
    "birth_date": F.BIRTH_WEIGHTS, "sex": F.SEX_WEIGHTS, "nationality": F.NATIONALITY_WEIGHTS,
    "national_id": {**L.ID_WEIGHTS, "missing": 0.0},
    "address_street": {**L.STREET_WEIGHTS, "missing": 0.0},
    "address_number": {**L.NUMBER_WEIGHTS, "missing": 0.0},
    "address_postcode": {**L.POSTCODE_WEIGHTS, "missing": 0.0},
    "address_city": {**L.CITY_WEIGHTS, "missing": 0.0},
}  # fmt: skip


@dataclass(frozen=True)
class Scored:
    """Per-pair levels (feature -> level array, "missing" where not compared) and scores."""

    levels: dict[str, Strs]
    swapped: Bools
    log2_odds: Floats


def score_pairs(q: Columns, r: Columns, i: Ints, j: Ints) -> Scored:
    """Levels and log2 odds of the pairs (``i[k]``, ``j[k]``); both records must be simple."""
    fam = family(q.fam_merged[i], q.fam_core[i], r.fam_merged[j], r.fam_core[j])
    giv = given(q.given[i], r.given[j])
    straight = _weights(fam, F.FAMILY_WEIGHTS) + _weights(giv, F.GIVEN_WEIGHTS)
    all_names = (q.fam_merged[i] != "") & (q.given[i] != "")
    all_names &= (r.fam_merged[j] != "") & (r.given[j] != "")
    k = np.flatnonzero(all_names & (straight < 10))
    x_fam = family(q.gaf_merged[i[k]], q.gaf_core[i[k]], r.fam_merged[j[k]], r.fam_core[j[k]])
    x_giv = given(q.fam_merged[i[k]], r.given[j[k]])
    crossed = _weights(x_fam, F.FAMILY_WEIGHTS) + _weights(x_giv, F.GIVEN_WEIGHTS)
    swap = crossed + F.SWAPPED_NAMES_WEIGHT > straight[k]
    swapped = np.zeros(len(i), dtype=bool)
    swapped[k[swap]] = True
    fam[k[swap]], giv[k[swap]] = x_fam[swap], x_giv[swap]
    levels = {
        "family_name": fam, "given_names": giv, "birth_date": birth(q, r, i, j),
        "sex": _code(q.sex[i], r.sex[j], "X"), "nationality": _code(q.nationality[i],
        r.nationality[j], ""), "national_id": identifier(q.nid[i], r.nid[j], q.schemes[i],
        r.schemes[j]), "address_street": _text(q.street[i], r.street[j]),
        "address_number": _code(q.number[i], r.number[j], ""),
        "address_postcode": _postcode(q.postcode[i], r.postcode[j]),
        "address_city": _text(q.city[i], r.city[j]),
    }  # fmt: skip
    total = sum((_weights(levels[f], WEIGHTS[f]) for f in FEATURES), np.zeros(len(i)))
    total += PRIOR_LOG2 + np.where(swapped, F.SWAPPED_NAMES_WEIGHT, 0.0)
    return Scored(levels, swapped, total)


def level_dicts(scored: Scored) -> list[dict[str, str]]:
    """The pairs' levels as ``estimate.levels_of`` gives them (missing levels left out)."""
    names = list(FEATURES)
    rows = zip(*(scored.levels[f] for f in names), scored.swapped, strict=True)
    return [
        {**{f: v for f, v in zip(names, row[:-1], strict=True) if v != "missing"},
         "swapped_names": "yes" if row[-1] else "no"}
        for row in rows
    ]  # fmt: skip
