"""Licence plates of the four countries: normalise, parse, format.

* BE: current ``1-ABC-234`` (first digit 1–9, since 2010), legacy ``ABC-123``
  (1973–2008) and ``123-ABC`` (2008–2010).
* NL: RDW sidecodes 1–14 (e.g. 7 ``99-XXX-9``, 9 ``XX-999-X``, 11 ``XXX-99-X``).
  From sidecode 4 on the RDW issues no vowels and no C or Q; we check exactly
  that and not the finer reserved series (e.g. V for vans, M/W for mopeds).
* LU: ``AB 1234`` and the older numeric ``1234`` / ``12345``.
* DE: district code + 1–2 letters + 1–4 digits (at most 8 in all), optional
  ``E`` (electric) or ``H`` (historic) suffix. District codes come from the
  table below (the Aachen region and its surroundings); the letter pairs the
  authorities never issue (HJ, KZ, NS, SA, SS) are refused.

Compact German plates can be ambiguous ("DNA1": DN-A 1 or D-NA 1); a parsed
plate remembers its display form when the input had separators, and otherwise
the longest known district code wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput

DE_DISTRICTS: dict[str, str] = {
    "AC": "Aachen (StädteRegion)", "MON": "Monschau", "DN": "Düren", "JÜL": "Jülich",
    "HS": "Heinsberg", "GK": "Geilenkirchen", "ERK": "Erkelenz", "EU": "Euskirchen",
    "SLE": "Schleiden", "K": "Köln", "D": "Düsseldorf", "BM": "Rhein-Erft-Kreis (Bergheim)",
    "GL": "Rheinisch-Bergischer Kreis", "NE": "Rhein-Kreis Neuss", "GV": "Grevenbroich",
    "MG": "Mönchengladbach", "VIE": "Viersen", "KR": "Krefeld", "KK": "Kempen-Krefeld",
    "WES": "Wesel", "KLE": "Kleve", "GEL": "Geldern", "BN": "Bonn", "SU": "Rhein-Sieg-Kreis",
    "AW": "Ahrweiler", "DAU": "Vulkaneifel (Daun)", "BIT": "Eifelkreis Bitburg-Prüm",
    "PRÜ": "Prüm", "TR": "Trier", "LEV": "Leverkusen", "SG": "Solingen", "W": "Wuppertal",
    "DU": "Duisburg", "E": "Essen",
}  # fmt: skip
_DE_FORBIDDEN_LETTERS = frozenset({"HJ", "KZ", "NS", "SA", "SS"})
NL_LETTERS = "BDFGHJKLMNPRSTVWXZ"  # consonants without C and Q

# NL sidecode -> group pattern ("L" letters, "D" digits), in display order.
NL_SIDECODES: dict[int, tuple[str, ...]] = {
    1: ("LL", "DD", "DD"), 2: ("DD", "DD", "LL"), 3: ("DD", "LL", "DD"),
    4: ("LL", "DD", "LL"), 5: ("LL", "LL", "DD"), 6: ("DD", "LL", "LL"),
    7: ("DD", "LLL", "D"), 8: ("D", "LLL", "DD"), 9: ("LL", "DDD", "L"),
    10: ("L", "DDD", "LL"), 11: ("LLL", "DD", "L"), 12: ("L", "DD", "LLL"),
    13: ("D", "LL", "DDD"), 14: ("DDD", "LL", "D"),
}  # fmt: skip
_NL_MASKS = {"".join(groups): code for code, groups in NL_SIDECODES.items()}

_BE_FORMS: tuple[tuple[re.Pattern[str], tuple[int, ...]], ...] = (
    (re.compile(r"[1-9][A-Z]{3}\d{3}"), (1, 3, 3)),
    (re.compile(r"[A-Z]{3}\d{3}"), (3, 3)),
    (re.compile(r"\d{3}[A-Z]{3}"), (3, 3)),
)
_LU_LETTERS = re.compile(r"[A-Z]{2}\d{4}")
_LU_NUMERIC = re.compile(r"[1-9]\d{3,4}")
_DE_TAIL = re.compile(r"([A-Z]{1,2})([1-9]\d{0,3})([EH]?)")
_STRIP = re.compile(r"[\s\-.·_]+")


@dataclass(frozen=True)
class Plate:
    """A plate as registered: country and compact text. ``display`` is cosmetic."""

    country: Country
    text: str
    display: str = field(default="", compare=False, hash=False)

    def __str__(self) -> str:
        return format_plate(self)


def normalise_plate(text: str) -> str:
    """Uppercase, without spaces, dashes, dots (idempotent)."""
    return _STRIP.sub("", text).upper()


def _fail(country: Country, reason: str) -> InvalidInput:
    return InvalidInput(
        f"not a valid {country.value} plate: {reason}",
        code="invalid_plate",
        country=country.value,
        reason=reason,
    )


def _mask(text: str) -> str:
    return "".join("D" if ch.isdigit() else "L" for ch in text)


def nl_sidecode(text: str) -> int | None:
    """The RDW sidecode of a compact Dutch plate, or ``None``."""
    if len(text) != 6 or not text.isascii() or not text.isalnum():
        return None
    code = _NL_MASKS.get(_mask(text))
    if code is None:
        return None
    if code >= 4 and any(ch.isalpha() and ch not in NL_LETTERS for ch in text):
        return None
    return code


def _split_de(text: str) -> tuple[str, str, str, str] | None:
    """Split a compact German plate into (district, letters, digits, suffix)."""
    for n in (3, 2, 1):
        district = text[:n]
        if district not in DE_DISTRICTS:
            continue
        m = _DE_TAIL.fullmatch(text[n:])
        if m and len(district) + len(m.group(1)) + len(m.group(2)) <= 8:
            return district, m.group(1), m.group(2), m.group(3)
    return None


def _split_groups(text: str, sizes: tuple[int, ...]) -> list[str]:
    out, pos = [], 0
    for size in sizes:
        out.append(text[pos : pos + size])
        pos += size
    return out


def _parse_de(raw: str, text: str) -> Plate:
    parts = _split_de(text)
    head = re.match(r"\s*([A-ZÄÖÜ]{1,3})\s*[-\s]\s*", raw.upper())
    if head and head.group(1) in DE_DISTRICTS:
        m = _DE_TAIL.fullmatch(text[len(head.group(1)) :])
        if m and len(head.group(1)) + len(m.group(1)) + len(m.group(2)) <= 8:
            parts = (head.group(1), m.group(1), m.group(2), m.group(3))
    if parts is None:
        raise _fail(Country.DE, "expected a known district code, 1-2 letters and 1-4 digits")
    district, letters, digits, suffix = parts
    if letters in _DE_FORBIDDEN_LETTERS:
        raise _fail(Country.DE, "letter combination never issued")
    return Plate(Country.DE, text, f"{district}-{letters} {digits}{suffix}")


def parse_plate(country: Country, text: str) -> Plate:
    """Validate ``text`` as a plate of ``country``; raise ``InvalidInput`` otherwise."""
    country = Country(country)
    compact = normalise_plate(text)
    if not compact:
        raise _fail(country, "empty")
    if country == Country.DE:
        return _parse_de(text, compact)
    if not compact.isascii() or not compact.isalnum():
        raise _fail(country, "letters and digits only")
    if country == Country.BE:
        for pattern, _ in _BE_FORMS:
            if pattern.fullmatch(compact):
                return Plate(country, compact)
        raise _fail(country, "expected 1-ABC-234, ABC-123 or 123-ABC")
    if country == Country.NL:
        if nl_sidecode(compact) is None:
            raise _fail(country, "no RDW sidecode matches")
        return Plate(country, compact)
    if _LU_LETTERS.fullmatch(compact) or _LU_NUMERIC.fullmatch(compact):
        return Plate(country, compact)
    raise _fail(country, "expected AB 1234 or a 4-5 digit number")


def format_plate(plate: Plate) -> str:
    """Display form with the national separators."""
    text, country = plate.text, plate.country
    if plate.display:
        return plate.display
    if country == Country.BE:
        for pattern, be_sizes in _BE_FORMS:
            if pattern.fullmatch(text):
                return "-".join(_split_groups(text, be_sizes))
    elif country == Country.NL:
        code = nl_sidecode(text)
        if code is not None:
            sizes = tuple(len(g) for g in NL_SIDECODES[code])
            return "-".join(_split_groups(text, sizes))
    elif country == Country.LU:
        if _LU_LETTERS.fullmatch(text):
            return f"{text[:2]} {text[2:]}"
    elif country == Country.DE:
        parts = _split_de(text)
        if parts is not None:
            return f"{parts[0]}-{parts[1]} {parts[2]}{parts[3]}"
    return text
