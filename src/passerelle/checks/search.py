"""Search one node's registers for a validated check subject (the matching engine).

Which datasets a kind searches:

- person: population, wanted_persons, police_records (+ documents when a
  document number is given);
- vehicle: vehicles, stolen_vehicles;
- document: documents.

``datasets`` narrows the search (the providing node passes only those its
policy lets the partner see, so a denied dataset is never even read).
"""

from __future__ import annotations

from collections.abc import Iterable

from passerelle.exc import InvalidInput
from passerelle.matching import (
    Match,
    PersonQuery,
    find_document_matches,
    find_person_matches,
    find_vehicle_matches,
)
from passerelle.registers.port import RegisterPort

KIND_DATASETS: dict[str, tuple[str, ...]] = {
    "person": ("population", "wanted_persons", "police_records", "documents"),
    "vehicle": ("vehicles", "stolen_vehicles"),
    "document": ("documents",),
}
PERSON_FIELDS = (
    "given_names",
    "family_name",
    "family_name_prefix",
    "birth_date",
    "sex",
    "nationality",
    "national_id",
    "document_number",
)


def datasets_for(kind: str, subject: dict[str, str]) -> tuple[str, ...]:
    names = KIND_DATASETS[kind]
    if kind == "person" and "document_number" not in subject:
        names = tuple(n for n in names if n != "documents")
    return names


def search(
    registers: RegisterPort,
    kind: str,
    subject: dict[str, str],
    datasets: Iterable[str] | None = None,
    *,
    limit: int = 20,
    min_score: float = 0.5,
) -> dict[str, list[Match]]:
    """Matches per dataset, each list best first."""
    wanted = datasets_for(kind, subject)
    if datasets is not None:
        allowed = set(datasets)
        wanted = tuple(d for d in wanted if d in allowed)
    out: dict[str, list[Match]] = {}
    for dataset in wanted:
        out[dataset] = _search_one(registers, kind, dataset, subject, limit, min_score)
    return out


def _search_one(
    registers: RegisterPort,
    kind: str,
    dataset: str,
    s: dict[str, str],
    limit: int,
    min_score: float,
) -> list[Match]:
    if kind == "person" and dataset != "documents":
        query = PersonQuery(**{k: s.get(k) for k in PERSON_FIELDS})
        try:
            return find_person_matches(registers, dataset, query, limit=limit, min_score=min_score)
        except InvalidInput as e:
            if e.code == "missing_search_key":  # e.g. only a national id of another country
                return []
            raise
    if kind == "vehicle":
        found = find_vehicle_matches(
            registers, dataset, plate=s.get("plate"), plate_country=s.get("plate_country"),
            vin=s.get("vin"),
        )  # fmt: skip
    else:
        found = find_document_matches(
            registers,
            document_number=s["document_number"],
            document_type=s.get("document_type"),
            issuing_country=s.get("issuing_country"),
        )
    return [m for m in found if m.score >= min_score][:limit]
