"""Plates as a camera reads them: canonical text, country given or inferred.

``normalise_read(text, country_hint)`` turns an OCR string into the canonical
``A-Z0-9`` form the matcher indexes (separators dropped, lower case raised,
German umlauts folded: ``JÜL`` → ``JUL``), and tells the plate's country: the
camera's hint when it gave one (ISO ``BE`` or the vehicle sign ``B``, ``NL``,
``L``, ``D``, ``F``), otherwise the one country whose plate syntax fits.

Syntax per country (the registered formats are validated by
``passerelle.domain.plates``; here we also know how they look on the road):

* BE ``1ABC234`` (current), ``ABC123`` and ``123ABC`` (legacy);
* NL the RDW sidecodes 1–14 (4–14 current, 1–3 legacy);
* LU ``AB1234`` (current) and ``1234``/``12345`` (legacy);
* DE district + 1–2 letters + 1–4 digits (+ ``E``/``H``): a district of the
  region counts as a current format, any other 1–3 letters as the weakest sign
  (the German shape fits a great many texts);
* FR SIV ``AB123CD`` (since 2009) and FNI ``1234AB56`` (legacy).

When several countries fit, the current formats win over the legacy ones;
if that still leaves more than one country, it stays unknown (``None``).
The weakest shapes (a German district from outside the region, the old
French FNI) are recognised but never decide a country on their own: one
missing character turns ``1ABC234`` into ``1ABC34``, which has the FNI shape,
and the matcher would then call a Belgian hit a wrong country. A
read that fits no format is still *valid* for matching (it may be a misread);
it is refused (``valid=False`` with a ``reason``) only when it cannot be a
plate at all: empty, too short or long, or with characters no plate carries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from passerelle.domain.plates import DE_DISTRICTS, nl_sidecode, normalise_plate
from passerelle.matching.keys import confusion_key

MIN_LENGTH = 2
MAX_LENGTH = 10
COUNTRY_SIGNS: dict[str, str] = {
    "B": "BE", "BEL": "BE", "NL": "NL", "NLD": "NL", "L": "LU", "LUX": "LU",
    "D": "DE", "DEU": "DE", "F": "FR", "FRA": "FR",
}  # fmt: skip
CURRENT, LEGACY, OUTSIDE = 3, 2, 1
_FOLD = str.maketrans({"Ä": "A", "Ö": "O", "Ü": "U", "ä": "A", "ö": "O", "ü": "U"})
_SEPARATORS = re.compile(r"[\s\-.·_/:|]+")
_CANONICAL = re.compile(r"[A-Z0-9]+", re.ASCII)
_DE_REGIONAL = frozenset(d.translate(_FOLD) for d in DE_DISTRICTS)
_FR_LETTER = "[A-HJ-NP-TV-Z]"  # SIV: no I, O or U
_FR_NUMBER = r"(?:00[1-9]|0[1-9]\d|[1-9]\d\d)"  # 001-999
_PATTERNS: tuple[tuple[str, str, int, re.Pattern[str]], ...] = (
    ("BE", "be_current", CURRENT, re.compile(r"[1-9][A-Z]{3}\d{3}", re.ASCII)),
    ("BE", "be_legacy", LEGACY, re.compile(r"[A-Z]{3}\d{3}|\d{3}[A-Z]{3}", re.ASCII)),
    ("LU", "lu_current", CURRENT, re.compile(r"[A-Z]{2}\d{4}", re.ASCII)),
    ("LU", "lu_numeric", LEGACY, re.compile(r"[1-9]\d{3,4}", re.ASCII)),
    (
        "FR",
        "fr_siv",
        CURRENT,
        re.compile(rf"{_FR_LETTER}{{2}}{_FR_NUMBER}{_FR_LETTER}{{2}}", re.ASCII),
    ),
    (
        "FR",
        "fr_fni",
        OUTSIDE,
        re.compile(r"[1-9]\d{0,3}[A-Z]{1,3}(?:\d{2}|2A|2B|97[1-6])", re.ASCII),
    ),
)
_DE_TAIL = re.compile(r"([A-Z]{1,2})([1-9]\d{0,3})([EH]?)", re.ASCII)


@dataclass(frozen=True)
class PlateRead:
    """A normalised read. ``plate`` is ``""`` when the text is garbage; ``fmt`` names
    the national format the text fits in its country (``None`` when none fits)."""

    plate: str
    country: str | None
    inferred: bool
    valid: bool
    reason: str | None
    fmt: str | None = None


def canonical(text: str) -> str:
    """Upper case, umlauts folded, separators removed (idempotent)."""
    folded = unicodedata.normalize("NFC", text).translate(_FOLD)
    return _SEPARATORS.sub("", normalise_plate(folded))


def country_code(hint: str | None) -> str | None:
    """ISO alpha-2 country of a camera's hint (``B`` → ``BE``), ``None`` when empty."""
    if hint is None:
        return None
    code = hint.strip().upper()
    if not code:
        return None
    return COUNTRY_SIGNS.get(code, code)


def _de_formats(plate: str) -> list[tuple[str, str, int]]:
    """German candidates: every district split that leaves letters and digits."""
    out: list[tuple[str, str, int]] = []
    for n in (3, 2, 1):
        district, tail = plate[:n], _DE_TAIL.fullmatch(plate[n:])
        if not district.isalpha() or tail is None:
            continue
        if n + len(tail.group(1)) + len(tail.group(2)) > 8:
            continue
        if district in _DE_REGIONAL:
            out.append(("DE", "de_regional", CURRENT))
        else:
            out.append(("DE", "de_other", OUTSIDE))
    return out


def formats(plate: str) -> list[tuple[str, str, int]]:
    """Every (country, format, strength) whose syntax ``plate`` (canonical) fits."""
    out = [(c, name, s) for c, name, s, rx in _PATTERNS if rx.fullmatch(plate)]
    code = nl_sidecode(plate)
    if code is not None:
        out.append(("NL", f"nl_sidecode_{code}", CURRENT if code >= 4 else LEGACY))
    out.extend(f for f in _de_formats(plate) if f not in out)
    return sorted(out, key=lambda f: -f[2])


def infer_country(plate: str) -> str | None:
    """The one country whose strongest format fits ``plate``, else ``None``; only a
    current or legacy format counts (the weak shapes fit too many misreads)."""
    found = formats(plate)
    if not found:
        return None
    best = max(s for _, _, s in found)
    if best < LEGACY:
        return None
    countries = {c for c, _, s in found if s == best}
    return countries.pop() if len(countries) == 1 else None


def _format_in(plate: str, country: str | None) -> str | None:
    if country is None:
        return None
    names = [name for c, name, _ in formats(plate) if c == country]
    return names[0] if names else None


def garbage_reason(plate: str) -> str | None:
    """Why a canonical text cannot be a plate, or ``None``."""
    if not plate:
        return "empty"
    if not _CANONICAL.fullmatch(plate):
        return "bad_characters"
    if len(plate) < MIN_LENGTH:
        return "too_short"
    if len(plate) > MAX_LENGTH:
        return "too_long"
    if len(set(confusion_key(plate))) == 1 and len(plate) > 3:
        return "repeated_character"  # "OOOOOO", "1111111": a smear, not a plate
    return None


def normalise_read(text: str, country_hint: str | None = None) -> PlateRead:
    """Canonical plate and country of one OCR read (never raises)."""
    plate = canonical(text or "")
    hint = country_code(country_hint)
    reason = garbage_reason(plate)
    if reason is not None:
        return PlateRead("", hint, False, False, reason)
    if hint is not None:
        return PlateRead(plate, hint, False, True, None, _format_in(plate, hint))
    country = infer_country(plate)
    return PlateRead(plate, country, country is not None, True, None, _format_in(plate, country))
