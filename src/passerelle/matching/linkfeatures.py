"""Features that batch linkage adds to the person comparison: addresses, identifiers.

Identifiers are compared only within one scheme: a value valid under a
national scheme (BE, NL, LU, DE) is compared exactly with a value valid under
the same scheme, never with another scheme's; values that fit no known scheme
(a list's own reference numbers, foreign ids) are compared as plain strings,
where a one-character slip is its own, weaker level.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from passerelle.domain.countries import Country
from passerelle.domain.identifiers import is_valid_national_id
from passerelle.matching.features import Feature
from passerelle.matching.normalise import fold

ID_WEIGHTS = {
    "agree": 22.0, "disagree": -12.0, "plain_agree": 10.0, "plain_typo": 3.0,
    "plain_disagree": -5.0, "different_schemes": 0.0,
}  # fmt: skip
STREET_WEIGHTS = {"exact": 4.0, "close": 2.5, "similar": 0.5, "different": -2.0}
NUMBER_WEIGHTS = {"agree": 2.0, "disagree": -1.5}
POSTCODE_WEIGHTS = {"agree": 4.0, "typo": 1.0, "disagree": -2.0}
CITY_WEIGHTS = {"exact": 4.0, "close": 2.0, "similar": 0.5, "different": -2.0}


@lru_cache(maxsize=200_000)
def schemes(value: str) -> frozenset[str]:
    """The national schemes under which ``value`` is a valid identifier."""
    return frozenset(c.value for c in Country if is_valid_national_id(c, value))


def compare_identifier(a: str | None, b: str | None) -> Feature | None:
    name = "national_id"
    if not a or not b:
        return None
    sa, sb = schemes(a), schemes(b)
    if sa and sb:
        if not sa & sb:
            return Feature(name, "different_schemes", 0.0, "scheme_check")
        level = "agree" if a == b else "disagree"
        return Feature(name, level, ID_WEIGHTS[level], "validated_exact")
    if a == b:
        level = "plain_agree"
    elif len(a) == len(b) and DamerauLevenshtein.distance(a, b) <= 1:
        level = "plain_typo"
    else:
        level = "plain_disagree"
    return Feature(name, level, ID_WEIGHTS[level], "damerau")


def _text_feature(name: str, a: str, b: str, weights: dict[str, float]) -> Feature:
    if a == b:
        return Feature(name, "exact", weights["exact"], "jaro_winkler", 1.0)
    sim = JaroWinkler.similarity(a, b)
    level = "close" if sim >= 0.9 else "similar" if sim >= 0.8 else "different"
    return Feature(name, level, weights[level], "jaro_winkler", sim)


@dataclass(frozen=True)
class Address:
    street: str = ""
    number: str = ""
    postcode: str = ""
    city: str = ""

    @classmethod
    def of(
        cls, street: str | None, number: str | None, postcode: str | None, city: str | None
    ) -> Address:
        return cls(
            fold(street or ""),
            "".join((number or "").split()).lower(),
            "".join((postcode or "").split()).upper(),
            fold(city or ""),
        )


def compare_address(a: Address, b: Address) -> list[Feature]:
    """Street, house number, postcode and town, each only when both sides have it."""
    out: list[Feature] = []
    if a.street and b.street:
        out.append(_text_feature("address_street", a.street, b.street, STREET_WEIGHTS))
    if a.number and b.number:
        level = "agree" if a.number == b.number else "disagree"
        out.append(Feature("address_number", level, NUMBER_WEIGHTS[level], "exact"))
    if a.postcode and b.postcode:
        if a.postcode == b.postcode:
            level = "agree"
        elif DamerauLevenshtein.distance(a.postcode, b.postcode) <= 1:
            level = "typo"
        else:
            level = "disagree"
        out.append(Feature("address_postcode", level, POSTCODE_WEIGHTS[level], "damerau"))
    if a.city and b.city:
        out.append(_text_feature("address_city", a.city, b.city, CITY_WEIGHTS))
    return out
