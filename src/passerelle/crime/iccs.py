"""National offence codes (NL, BE, DE, and police.uk for the test data) mapped to the UNODC ICCS.

The mapping is data shipped with the package (``crime/data``): ``iccs.csv`` the
ICCS classes used (levels 1-4) with their names in English (``label``, the UNODC
text) and in French, Dutch and German (``label_fr``, ``label_nl``, ``label_de``),
``iccs_mapping.csv`` one row per national code
with the ICCS class, the relation (exact / partial / broader / none), a caveat
and a source, and ``iccs_meta.json`` the version and the sources. ICCS codes are
hierarchical by prefix: "05" ⊃ "0501" ⊃ "05012".
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from passerelle.exc import InvalidInput

_LEVEL_LEN = {1: 2, 2: 4, 3: 5, 4: 6}
LANGUAGES = ("en", "fr", "nl", "de")


@dataclass(frozen=True)
class IccsClass:
    code: str
    level: int
    label: str  # English, the UNODC text
    label_fr: str = ""
    label_nl: str = ""
    label_de: str = ""

    def name(self, lang: str | None = None) -> str:
        """The class name in ``lang`` (fr, nl, de, en; English when unknown or missing)."""
        if lang in ("fr", "nl", "de"):
            return str(getattr(self, f"label_{lang}")) or self.label
        return self.label


@dataclass(frozen=True)
class Mapping:
    country: str
    national_code: str
    national_label: str
    iccs_code: str | None
    relation: str
    caveat: str
    source: str


def _read(name: str) -> str:
    return resources.files("passerelle.crime").joinpath("data", name).read_text("utf-8")


@functools.cache
def meta() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_read("iccs_meta.json"))
    return data


def version() -> str:
    return str(meta()["version"])


@functools.cache
def classes() -> dict[str, IccsClass]:
    out: dict[str, IccsClass] = {}
    for r in csv.DictReader(_read("iccs.csv").splitlines()):
        out[r["iccs_code"]] = IccsClass(
            r["iccs_code"],
            int(r["level"]),
            r["label"],
            r.get("label_fr") or "",
            r.get("label_nl") or "",
            r.get("label_de") or "",
        )
    return out


@functools.cache
def mappings() -> dict[tuple[str, str], Mapping]:
    out: dict[tuple[str, str], Mapping] = {}
    for r in csv.DictReader(_read("iccs_mapping.csv").splitlines()):
        m = Mapping(
            country=r["country"],
            national_code=r["national_code"],
            national_label=r["national_label"],
            iccs_code=r["iccs_code"] or None,
            relation=r["relation"],
            caveat=r["caveat"],
            source=r["source"],
        )
        out[(m.country, m.national_code)] = m
    return out


def iccs_of(country: str, national_code: str) -> str | None:
    """The ICCS code of a national code, or None (unknown code or no ICCS class)."""
    m = mappings().get((country, national_code.strip()))
    return m.iccs_code if m else None


def level_of(code: str) -> int:
    for level, n in _LEVEL_LEN.items():
        if len(code) == n:
            return level
    raise InvalidInput(f"not an ICCS code: {code!r}", code="crime_bad_iccs", iccs=code)


def check_iccs(code: str) -> str:
    """Validate an ICCS filter code (must be a class of the shipped table)."""
    code = code.strip()
    if code not in classes():
        raise InvalidInput(f"unknown ICCS class {code!r}", code="crime_bad_iccs", iccs=code)
    return code


def within(iccs_code: str | None, filter_code: str | None) -> bool:
    """Does ``iccs_code`` belong to the class ``filter_code`` (None: everything)?"""
    if filter_code is None:
        return True
    return iccs_code is not None and iccs_code.startswith(filter_code)


UNCLASSIFIED = {
    "en": "unclassified",
    "fr": "non classé",
    "nl": "niet ingedeeld",
    "de": "nicht zugeordnet",
}


def label(code: str | None, lang: str | None = None) -> str:
    """The name of an ICCS class in ``lang`` (English by default); the code if unknown."""
    if code is None:
        return UNCLASSIFIED.get(lang or "en", UNCLASSIFIED["en"])
    c = classes().get(code)
    return c.name(lang) if c else code


def table(lang: str | None = None) -> dict[str, Any]:
    """The whole mapping, for the API and the docs (``name``: the class name in ``lang``)."""
    return {
        "version": version(),
        "meta": meta(),
        "classes": [{**c.__dict__, "name": c.name(lang)} for c in classes().values()],
        "mappings": [m.__dict__ for m in mappings().values()],
    }
