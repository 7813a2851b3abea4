"""Name normalisation for matching, on top of ``passerelle.domain.names``.

* ``icao_variants``: both ICAO 9303 transliterations of a name (Ä → AE *and*
  A, Ö → OE and O, Ü → UE and U, ß → SS, Å → AA and A, Ø → OE and O, Æ → AE),
  folded to lower-case ASCII without punctuation; apostrophes vanish
  (D'Hondt → dhondt) and hyphens become spaces.
* ``family_forms``: a family name with its particles kept apart *and* merged:
  "van den Berg", "Van den Berg" and "Vandenberg" all give the merged form
  ``vandenberg``; the core ``berg`` lets "Berg" be found as well. Particles
  written glued to the name (Belgian "Vandenberghe") are recognised too.
* ``given_tokens``: the given names as separate folded tokens (initials kept
  as one-letter tokens: "J.P." → ``j``, ``p``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from passerelle.domain.names import PARTICLES, normalise_name, split_particles

_ICAO_LONG = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "AE", "Ö": "OE", "Ü": "UE", "å": "aa", "Å": "AA",
     "ø": "oe", "Ø": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS"}
)  # fmt: skip
# Arabic and Berber particles that ``domain.names`` does not split (El Amrani, Ben Ali).
ARABIC_PARTICLES = frozenset({"el", "al", "ben", "bin", "ibn", "abu", "ait", "ou"})
# Particles that Belgian and other registers glue to the name, longest first.
_GLUED = sorted(
    {p.replace(" ", "").replace("'", "") for p in PARTICLES if len(p.replace(" ", "")) >= 2}
    | (ARABIC_PARTICLES - {"ou"}),
    key=len,
    reverse=True,
)
_GLUED_MIN_REST = 4
CACHE = 262_144  # names repeat: a register of millions has some ten thousand distinct ones


@lru_cache(maxsize=CACHE)
def fold(text: str) -> str:
    """Lower-case ASCII key: diacritics stripped (Ä → A), punctuation as spaces."""
    return normalise_name(text)


@lru_cache(maxsize=CACHE)
def icao_variants(text: str) -> tuple[str, ...]:
    """The folded key under both ICAO transliterations: short (Ä → A) first, then long."""
    short = normalise_name(text)
    long = normalise_name(unicodedata.normalize("NFC", text).translate(_ICAO_LONG))
    return (short,) if long == short else (short, long)


@dataclass(frozen=True)
class FamilyForms:
    """One spelling of a family name, as its merged and core keys."""

    merged: str  # particles glued on, no spaces: "vandenberg"
    core: str  # without leading particles: "berg"
    particles: str  # the particles, glued: "vanden" ("" when none)


def _glued_particles(word: str) -> tuple[str, str]:
    """Split one particle glued to the front of a word: ``vandenberg`` → (``vanden``, ``berg``)."""
    for p in _GLUED:
        if word.startswith(p) and len(word) - len(p) >= _GLUED_MIN_REST:
            return p, word[len(p) :]
    return "", word


@lru_cache(maxsize=CACHE)
def family_forms(family_name: str, prefix: str | None = None) -> tuple[FamilyForms, ...]:
    """Every ICAO spelling of a family name (with its separately stored particles)."""
    out: list[FamilyForms] = []
    written = f"{prefix} {family_name}" if prefix else family_name
    for variant in icao_variants(written):
        if not variant:
            continue
        found, rest = split_particles(variant)
        words = variant.split()
        if not found and len(words) > 1 and words[0] in ARABIC_PARTICLES:
            found, rest = words[0], " ".join(words[1:])
        if found:
            particles, core = found.replace(" ", ""), rest.replace(" ", "")
        else:
            particles, core = _glued_particles(variant.replace(" ", ""))
        forms = FamilyForms(merged=variant.replace(" ", ""), core=core, particles=particles)
        if forms not in out:
            out.append(forms)
    return tuple(out)


@lru_cache(maxsize=CACHE)
def given_tokens(given_names: str) -> tuple[str, ...]:
    """Folded given names, one token per name; the first ICAO spelling (Ä → A)."""
    return tuple(normalise_name(given_names).split())


@lru_cache(maxsize=CACHE)
def given_variants(given_names: str) -> tuple[tuple[str, ...], ...]:
    """Given-name tokens under each ICAO transliteration."""
    return tuple(tuple(v.split()) for v in icao_variants(given_names) if v)
