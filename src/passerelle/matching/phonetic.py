"""Phonetic codes for Dutch, French and German names.

Two maintained packages, no home-made algorithm:

* Kölner Phonetik (``cologne-phonetics``): built for German, and it suits
  Dutch and Flemish spellings well (Meyer/Maier/Mayer, Schmidt/Schmitt,
  Janssen/Jansen share a code).
* Double Metaphone (``doublemetaphone``, the C++ original by L. Philips):
  covers French, Dutch and Arabic-origin spellings in its alternate code
  (Mohammed/Mohamed, Philippe/Filip).

Input is folded to ASCII first (``passerelle.matching.normalise.fold``) and
glued (no spaces), so "El Amrani" and "Elamrani" share their codes.
"""

from __future__ import annotations

from functools import lru_cache

import cologne_phonetics
from doublemetaphone import doublemetaphone

MAX_CODE = 24


@lru_cache(maxsize=65536)
def cologne(word: str) -> str:
    """Kölner Phonetik code of a folded word ('' for an empty word)."""
    glued = "".join(ch for ch in word if ch.isalpha())
    if not glued:
        return ""
    return "".join(code for _, code in cologne_phonetics.encode(glued))[:MAX_CODE]


@lru_cache(maxsize=65536)
def metaphone(word: str) -> tuple[str, str]:
    """Double Metaphone primary and alternate codes of a folded word."""
    glued = "".join(ch for ch in word if ch.isalpha())
    if not glued:
        return "", ""
    primary, alternate = doublemetaphone(glued)
    return primary[:MAX_CODE], (alternate or primary)[:MAX_CODE]


@lru_cache(maxsize=65536)
def codes(word: str) -> frozenset[str]:
    """All phonetic codes of a word, tagged by algorithm (``c:``, ``m:``)."""
    out = {f"c:{cologne(word)}"} if cologne(word) else set()
    out |= {f"m:{m}" for m in metaphone(word) if m}
    return frozenset(out)
