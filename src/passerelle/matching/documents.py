"""Document matching: number (OCR-tolerant), type and issuing country."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passerelle.domain.documents import compact_document_number, parse_document_number
from passerelle.exc import InvalidInput
from passerelle.matching.confusion import feature, text_outcome
from passerelle.matching.keys import confusion_key
from passerelle.matching.person import probability
from passerelle.matching.result import Match

if TYPE_CHECKING:
    from passerelle.registers.port import RegisterPort

NUMBER_EXACT = 7.0
PER_SUBSTITUTION = -3.5
TYPE = {"agree": 1.0, "unknown": 0.0, "disagree": -3.0}
COUNTRY = {"agree": 2.0, "unknown": 0.0, "disagree": -8.0}


def _level(query: str | None, record: Any) -> str:
    if not query or not record:
        return "unknown"
    return "agree" if str(record).casefold() == query.casefold() else "disagree"


def _query_validity(number: str, document_type: str | None, country: str | None) -> str:
    if not document_type or not country:
        return "not_checked"
    try:
        parse_document_number(country, document_type, number)
    except InvalidInput:
        return "invalid"
    return "valid"


def find_document_matches(
    registers: RegisterPort,
    *,
    document_number: str,
    document_type: str | None,
    issuing_country: str | None,
) -> list[Match]:
    """Documents with this number (or an OCR-confusable reading of it), best first."""
    number = compact_document_number(document_number or "")
    if not number:
        raise InvalidInput("give a document number", code="missing_search_key")
    kind = document_type.strip().lower() if document_type else None
    country = issuing_country.strip().upper() if issuing_country else None
    validity = _query_validity(number, kind, country)
    out: list[Match] = []
    for row in registers.document_candidates(confusion_key(number)):
        level, subs, classes = text_outcome(number, str(row.get("document_number") or ""))
        if level == "different":
            continue
        t_level = _level(kind, row.get("document_type"))
        c_level = _level(country, row.get("issuing_country"))
        n_weight = NUMBER_EXACT + PER_SUBSTITUTION * subs
        total = n_weight + TYPE[t_level] + COUNTRY[c_level]
        outcome = "wrong_country" if c_level == "disagree" else level
        explanation = {
            "method": "identifier_agreement",
            "outcome": outcome,
            "log2_odds": total,
            "query_number_check": validity,
            "features": [
                feature("document_number", level, n_weight, "ocr_confusion_key",
                        substitutions=subs, confusion_classes=classes),
                feature("document_type", t_level, TYPE[t_level], "exact"),
                feature("issuing_country", c_level, COUNTRY[c_level], "exact"),
            ],
        }  # fmt: skip
        record = {k: v for k, v in row.items() if k != "number_key"}
        out.append(Match("documents", record, round(probability(total), 6), explanation))
    order = {"exact": 0, "confusable": 1, "wrong_country": 2}
    out.sort(key=lambda m: (order[m.explanation["outcome"]], -m.score))
    return out
