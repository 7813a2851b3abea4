"""Identity and travel document numbers.

ICAO 9303 check digits (weights 7-3-1, ``0-9`` as themselves, ``A``=10 … ``Z``=35,
filler ``<``=0) and the national numbering of each document type:

* BE: passport 2 letters + 6 digits; eID card and residence card 12 digits,
  the last two = first ten mod 97 (97 when 0); driving licence 10 digits.
* NL: passport, ID card, residence permit 9 characters: 2 letters, 6 letters
  or digits, 1 digit, never the letter O; driving licence 10 digits.
* LU: 2 letters + 6 letters/digits (an approximation); driving licence 6–9.
* DE: passport, Personalausweis, eAT 9 characters of ``CFGHJKLMNPRTVWXYZ0-9``
  + the ICAO check digit; driving licence 11 letters/digits.

Other issuing countries get the generic ICAO rule: 5–9 letters/digits.
The DE numbers are stored with their check digit (10 characters) because
that is what the MRZ carries.
"""

from __future__ import annotations

import re
from enum import StrEnum

from stdnum.be import eid as be_eid

from passerelle.domain.countries import Country
from passerelle.exc import InvalidInput


class DocumentType(StrEnum):
    PASSPORT = "passport"
    ID_CARD = "id_card"
    DRIVING_LICENCE = "driving_licence"
    RESIDENCE_PERMIT = "residence_permit"


class DocumentStatus(StrEnum):
    VALID = "valid"
    LOST = "lost"
    STOLEN = "stolen"
    REVOKED = "revoked"


_ICAO_WEIGHTS = (7, 3, 1)
DE_ALPHABET = "0123456789CFGHJKLMNPRTVWXYZ"
NL_LETTERS = "ABCDEFGHIJKLMNPQRSTUVWXYZ"  # no O (confusable with 0)


def icao_value(ch: str) -> int:
    """Value of one MRZ character: digits as themselves, A=10..Z=35, '<'=0."""
    if ch == "<":
        return 0
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "A" <= ch <= "Z":
        return ord(ch) - 55
    raise InvalidInput(
        "character not allowed in a machine readable zone", code="invalid_document_number"
    )


def document_check_digit(value: str) -> int:
    """ICAO 9303 check digit of an MRZ field (7-3-1 weights, modulo 10)."""
    total = sum(icao_value(ch) * _ICAO_WEIGHTS[i % 3] for i, ch in enumerate(value.upper()))
    return total % 10


def be_eid_check(first10: str) -> str:
    """The two check digits of a Belgian eID card number."""
    return f"{int(first10) % 97 or 97:02d}"


def _fail(country: str, kind: str, reason: str, detail: str) -> InvalidInput:
    return InvalidInput(
        f"invalid {country} {kind.replace('_', ' ')} number: {detail}",
        code="invalid_document_number",
        country=country,
        document_type=kind,
        reason=reason,
    )


_DE_CHARS = f"[{DE_ALPHABET}]"
_PATTERNS: dict[tuple[str, str], re.Pattern[str]] = {
    ("BE", "passport"): re.compile(r"[A-Z]{2}\d{6}"),
    ("BE", "driving_licence"): re.compile(r"\d{10}"),
    ("NL", "passport"): re.compile(rf"[{NL_LETTERS}]{{2}}[{NL_LETTERS}0-9]{{6}}\d"),
    ("NL", "driving_licence"): re.compile(r"\d{10}"),
    ("LU", "passport"): re.compile(r"[A-Z]{2}[A-Z0-9]{6}"),
    ("LU", "driving_licence"): re.compile(r"[A-Z0-9]{6,9}"),
    ("DE", "passport"): re.compile(rf"[CFGHJK]{_DE_CHARS}{{8}}\d"),
    ("DE", "id_card"): re.compile(rf"[LMNPRTVWXYZ]{_DE_CHARS}{{8}}\d"),
    ("DE", "driving_licence"): re.compile(r"[A-Z0-9]{11}"),
}
_SAME_AS = {
    ("NL", "id_card"): ("NL", "passport"),
    ("NL", "residence_permit"): ("NL", "passport"),
    ("LU", "id_card"): ("LU", "passport"),
    ("LU", "residence_permit"): ("LU", "passport"),
    ("DE", "residence_permit"): ("DE", "id_card"),
}
_GENERIC = re.compile(r"[A-Z0-9]{5,9}")


def compact_document_number(value: str) -> str:
    """Uppercase, without spaces, dashes, dots, slashes or MRZ fillers."""
    return re.sub(r"[\s\-./<]", "", value).upper()


def parse_document_number(
    issuing_country: Country | str, document_type: DocumentType | str, value: str
) -> str:
    """Validate a document number for its issuer and type; return the compact form."""
    country = str(issuing_country).upper()
    try:
        kind = DocumentType(str(document_type))
    except ValueError:
        raise InvalidInput(
            "unknown document type", code="invalid_document_type", value=str(document_type)
        ) from None
    number = compact_document_number(value)
    if not number or not number.isascii() or not number.isalnum():
        raise _fail(country, kind, "format", "letters and digits only")
    if country == "BE" and kind in (DocumentType.ID_CARD, DocumentType.RESIDENCE_PERMIT):
        if not number.isdigit():
            raise _fail(country, kind, "format", "digits only")
        if len(number) != 12:
            raise _fail(country, kind, "length", "12 digits expected")
        if not be_eid.is_valid(number):
            raise _fail(country, kind, "check_digit", "check digits mismatch")
        return number
    key = _SAME_AS.get((country, kind.value), (country, kind.value))
    pattern = _PATTERNS.get(key, _GENERIC)
    if not pattern.fullmatch(number):
        raise _fail(country, kind, "format", f"does not match {pattern.pattern}")
    if (
        country == "DE"
        and kind != DocumentType.DRIVING_LICENCE
        and document_check_digit(number[:9]) != int(number[9])
    ):
        raise _fail(country, kind, "check_digit", "ICAO check digit mismatch")
    return number


def parse_document_type(value: str) -> DocumentType:
    try:
        return DocumentType(value.strip().lower())
    except ValueError:
        raise InvalidInput("unknown document type", code="invalid_document_type") from None


def parse_document_status(value: str) -> DocumentStatus:
    try:
        return DocumentStatus(value.strip().lower())
    except ValueError:
        raise InvalidInput("unknown document status", code="invalid_document_status") from None
