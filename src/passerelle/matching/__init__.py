"""The matching engine: persons, vehicles and documents, each match explained.

Public interface (used by the checks service and the federation endpoints)::

    find_person_matches(registers, dataset, PersonQuery(...), limit=20, min_score=0.5)
    find_vehicle_matches(registers, dataset, plate=..., plate_country=..., vin=...)
    find_document_matches(registers, document_number=..., document_type=..., issuing_country=...)

Each returns ``list[Match]`` sorted by score, best first.
"""

from passerelle.matching.documents import find_document_matches
from passerelle.matching.person import PersonQuery, find_person_matches
from passerelle.matching.result import Match
from passerelle.matching.vehicles import find_vehicle_matches

__all__ = [
    "Match",
    "PersonQuery",
    "find_document_matches",
    "find_person_matches",
    "find_vehicle_matches",
]
