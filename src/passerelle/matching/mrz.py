"""From a machine readable zone to a person query (an officer scans a document)."""

from __future__ import annotations

from passerelle.domain.mrz import Mrz
from passerelle.matching.person import PersonQuery


def query_from_mrz(mrz: Mrz) -> PersonQuery:
    """The person an MRZ describes, as a query (names as printed: ICAO transliteration)."""
    return PersonQuery(
        given_names=mrz.given_names or None,
        family_name=mrz.family_name or None,
        birth_date=str(mrz.birth_date) if mrz.birth_date else None,
        sex=mrz.sex,
        nationality=mrz.nationality_alpha2,
        document_number=mrz.document_number or None,
    )
