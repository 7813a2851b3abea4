"""Person matching: blocking on stored keys, feature scoring, calibrated score.

``find_person_matches`` asks the register for the few records that share a
blocking key with the query (``RegisterPort.person_candidates``), compares
each on family name, given names, birth date, sex, nationality, national
identifier and document, adds the features' log2 Bayes factors to a prior
and turns the sum into a probability. Swapped given and family names are
tried too and win, with a small penalty, when they fit better.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from passerelle.domain.countries import Country
from passerelle.domain.dates import PartialDate
from passerelle.domain.documents import compact_document_number
from passerelle.domain.identifiers import parse_national_id
from passerelle.exc import InvalidInput
from passerelle.matching.features import (
    NATIONAL_ID_WEIGHTS,
    SWAPPED_NAMES_WEIGHT,
    Feature,
    compare_birth,
    compare_code,
    compare_family,
    compare_given,
)
from passerelle.matching.keys import (
    PERSON_DATASETS,
    PERSON_KEY_COLUMNS,
    CandidateKeys,
    confusion_key,
    query_keys,
)
from passerelle.matching.normalise import FamilyForms, family_forms, given_variants
from passerelle.matching.result import Match

if TYPE_CHECKING:
    from passerelle.registers.port import RegisterPort

# log2 prior odds that a blocked candidate is the person asked for. With it, full
# name + full birth date agreement gives ~0.9999 and exact names alone ~0.33.
PRIOR_LOG2 = -16.0
CANDIDATE_LIMIT = 500
# A person holding the document asked for: about as strong as a national id.
DOCUMENT_WEIGHTS = {"holder": 20.0, "not_holder": -2.0, "not_compared": 0.0}
METHOD = "fellegi_sunter"
_HIDDEN = frozenset(PERSON_KEY_COLUMNS) | {"name_key", "birth_year"}


@dataclass(frozen=True)
class PersonQuery:
    """What an officer knows about a person; every field is optional."""

    given_names: str | None = None
    family_name: str | None = None
    family_name_prefix: str | None = None
    birth_date: str | None = None  # YYYY-MM-DD, YYYY-MM or YYYY
    sex: str | None = None
    nationality: str | None = None
    national_id: str | None = None
    document_number: str | None = None


@dataclass(frozen=True)
class PreparedPerson:
    """A person (query or record) with its names and date parsed once."""

    family: tuple[FamilyForms, ...]
    given: tuple[tuple[str, ...], ...]
    birth: PartialDate | None
    sex: str | None
    nationality: str | None
    national_id: str | None = None
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_fields(
        cls,
        given_names: str | None,
        family_name: str | None,
        family_name_prefix: str | None = None,
        birth_date: str | None = None,
        sex: str | None = None,
        nationality: str | None = None,
        national_id: str | None = None,
    ) -> PreparedPerson:
        birth = _parse_birth(str(birth_date)) if birth_date else None
        notes: dict[str, str] = {}
        if birth_date and birth is None:
            notes["birth_date"] = "invalid"
        return cls(
            family=family_forms(family_name, family_name_prefix) if family_name else (),
            given=given_variants(given_names) if given_names else (),
            birth=birth,
            sex=sex or None,
            nationality=nationality or None,
            national_id=national_id or None,
            notes=notes,
        )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PreparedPerson:
        return cls.from_fields(
            row.get("given_names"), row.get("family_name"), row.get("family_name_prefix"),
            row.get("birth_date"), row.get("sex"), row.get("nationality"), row.get("national_id"),
        )  # fmt: skip


@lru_cache(maxsize=65_536)
def _parse_birth(text: str) -> PartialDate | None:
    try:
        return PartialDate.parse(text)
    except InvalidInput:
        return None


def probability(log2_odds: float) -> float:
    """Posterior probability from log2 odds (numerically safe)."""
    if log2_odds >= 0:
        return 1.0 / (1.0 + math.pow(2.0, -log2_odds))
    z = math.pow(2.0, log2_odds)
    return z / (1.0 + z)


def _names(q: PreparedPerson, r: PreparedPerson, swapped: bool) -> list[Feature]:
    if not swapped:
        return [compare_family(q.family, r.family), compare_given(q.given, r.given)]
    # Crossed reading: the query's given names as a family name (particles and all) and
    # the query's family name as a given name.
    q_given_as_family = tuple(ff for g in q.given for ff in family_forms(" ".join(g)))
    q_family_as_given = tuple((f.merged,) for f in q.family)
    return [
        compare_family(q_given_as_family, r.family),
        compare_given(q_family_as_given, r.given),
    ]


def compare(
    q: PreparedPerson,
    r: PreparedPerson,
    *,
    id_comparable: bool = True,
    extra: Sequence[Feature] = (),
) -> tuple[float, dict[str, Any]]:
    """Score one record against one query: (calibrated score, explanation).

    ``extra`` adds features compared elsewhere (addresses and identifiers in batch linkage).
    """
    straight = _names(q, r, swapped=False)
    names, swapped = straight, False
    if q.family and q.given and r.family and r.given and sum(f.weight for f in straight) < 10:
        crossed = _names(q, r, swapped=True)
        if sum(f.weight for f in crossed) + SWAPPED_NAMES_WEIGHT > sum(f.weight for f in straight):
            names, swapped = crossed, True
    features = [
        *names,
        compare_birth(q.birth, r.birth.__str__() if r.birth else None),
        compare_code("sex", q.sex, r.sex, ignore="X"),
        compare_code("nationality", q.nationality, r.nationality),
        *extra,
    ]
    if q.national_id is not None or "national_id" in q.notes:
        features.append(_national_id(q, r, id_comparable))
    total = PRIOR_LOG2 + sum(f.weight for f in features)
    if swapped:
        total += SWAPPED_NAMES_WEIGHT
    explanation: dict[str, Any] = {
        "method": METHOD,
        "prior_log2_odds": PRIOR_LOG2,
        "log2_odds": round(total, 3),
        "swapped_names": swapped,
        "features": [f.to_dict() for f in features],
    }
    if swapped:
        explanation["swapped_names_weight"] = SWAPPED_NAMES_WEIGHT
    return probability(total), explanation


def _national_id(q: PreparedPerson, r: PreparedPerson, comparable: bool) -> Feature:
    name, method = "national_id", "validated_exact"
    if "national_id" in q.notes or not comparable:
        return Feature(name, "invalid_not_compared", 0.0, method)
    if q.national_id is None or r.national_id is None:
        return Feature(name, "missing", 0.0, method)
    level = "agree" if q.national_id == r.national_id else "disagree"
    return Feature(name, level, NATIONAL_ID_WEIGHTS[level], method)


def prepare_query(query: PersonQuery, country: Country | None) -> PreparedPerson:
    """Parse a query; its national id is validated under ``country``'s scheme."""
    prepared = PreparedPerson.from_fields(
        query.given_names, query.family_name, query.family_name_prefix, query.birth_date,
        query.sex, query.nationality, None,
    )  # fmt: skip
    if query.national_id and country is not None:
        try:
            nid = parse_national_id(country, query.national_id)
        except InvalidInput:
            prepared.notes["national_id"] = "invalid"
        else:
            prepared = PreparedPerson(
                prepared.family, prepared.given, prepared.birth, prepared.sex,
                prepared.nationality, nid, prepared.notes,
            )  # fmt: skip
    return prepared


def public_record(row: dict[str, Any]) -> dict[str, Any]:
    """The record without the engine's internal key columns."""
    return {k: v for k, v in row.items() if k not in _HIDDEN}


def find_person_matches(
    registers: RegisterPort,
    dataset: str,
    query: PersonQuery,
    *,
    limit: int = 20,
    min_score: float = 0.5,
) -> list[Match]:
    """Records of ``dataset`` that may be the person asked for, best first."""
    if dataset not in PERSON_DATASETS:
        raise InvalidInput(
            f"not a person dataset: {dataset!r}; expected one of {', '.join(PERSON_DATASETS)}",
            code="unknown_dataset",
            dataset=dataset,
        )
    q = prepare_query(query, registers.country)
    keys = query_keys(
        query.family_name, query.family_name_prefix, query.given_names, q.national_id, q.birth
    )
    if keys.empty and not query.document_number:
        raise InvalidInput(
            "give a family name, a given name or a valid national identifier",
            code="missing_search_key",
        )
    holders = _document_holders(registers, query.document_number)
    birth_year = q.birth.year if q.birth else None
    rows = registers.person_candidates(dataset, keys, birth_year, CANDIDATE_LIMIT)
    if holders and dataset != "wanted_persons":
        seen = {r.get("id") for r in rows}
        for holder in sorted(holders):
            extra = registers.person_candidates(dataset, CandidateKeys(national_id=holder), None, 5)
            rows += [r for r in extra if r.get("id") not in seen]
    out: list[Match] = []
    for row in rows:
        score, explanation = compare(q, PreparedPerson.from_row(row))
        if query.document_number:
            score, explanation = _with_document(score, explanation, row, holders)
        if score >= min_score:
            explanation["candidates"] = len(rows)
            out.append(Match(dataset, public_record(row), round(score, 6), explanation))
    out.sort(key=lambda m: -m.score)
    return out[:limit]


def _document_holders(registers: RegisterPort, number: str | None) -> set[str]:
    """National ids of the holders of documents with exactly this number."""
    if not number:
        return set()
    compact = compact_document_number(number)
    if not compact:
        return set()
    return {
        str(d["holder_national_id"])
        for d in registers.document_candidates(confusion_key(compact))
        if d.get("document_number") == compact and d.get("holder_national_id")
    }


def _with_document(
    score: float, explanation: dict[str, Any], row: dict[str, Any], holders: set[str]
) -> tuple[float, dict[str, Any]]:
    """Add the document feature: the record's person holds a document with this number."""
    if not holders or not row.get("national_id"):
        level = "not_compared"
    else:
        level = "holder" if str(row["national_id"]) in holders else "not_holder"
    weight = DOCUMENT_WEIGHTS[level]
    feature = Feature("document_number", level, weight, "documents_register_holder")
    explanation["features"].append(feature.to_dict())
    explanation["log2_odds"] = round(explanation["log2_odds"] + weight, 3)
    return probability(explanation["log2_odds"]), explanation


def log2_odds(score: float) -> float:
    """Inverse of :func:`probability` (for reports)."""
    score = min(max(score, 1e-12), 1 - 1e-12)
    return math.log2(score / (1 - score))
