"""Person names: normalisation keys and surname particles (tussenvoegsels).

``normalise_name`` gives the key used for matching: decomposed, diacritics
stripped, case-folded, hyphens and punctuation as single spaces. German
registers may transliterate umlauts (Müller/Mueller), so ``name_keys`` also
returns the transliterated key. Dutch registers store a surname's particles
("van der") apart from the name ("Berg"); Belgian registers often merge them
("Vanderberg", "Vandenberghe"): ``split_particles`` and ``merge_particles``
convert between the forms.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters that NFKD does not decompose into a base letter + mark.
_SPECIAL = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L",
     "đ": "d", "Đ": "D", "ð": "d", "þ": "th", "ı": "i", "ß": "ss", "ẞ": "SS"}
)  # fmt: skip
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "AE", "Ö": "OE", "Ü": "UE"})
_APOSTROPHES = re.compile(r"['’‘`´]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.,;/]+")

# Particles, longest first within each family so that "van der" wins over "van".
PARTICLES: tuple[str, ...] = (
    # Dutch / Flemish
    "van de", "van der", "van den", "van het", "van 't", "van ter", "van ten", "van",
    "in 't", "in de", "in den", "in het", "op de", "op den", "op 't", "op ten", "uit de",
    "uit den", "uit het", "aan de", "aan den", "bij de", "onder de", "over de", "voor de",
    "de la", "de las", "de los", "de", "den", "der", "ter", "ten", "te", "'t", "het",
    # German
    "von und zu", "von der", "von dem", "von den", "von", "vom", "zu", "zum", "zur",
    "auf der", "auf dem", "am", "im",
    # French, Romance
    "d'", "l'", "le", "la", "les", "du", "des", "del", "della", "di", "da", "das", "do", "dos",
)  # fmt: skip

_PARTICLE_WORDS: dict[int, frozenset[str]] = {}
for _p in PARTICLES:
    _n = len(_p.split())
    _PARTICLE_WORDS[_n] = _PARTICLE_WORDS.get(_n, frozenset()) | {_p}
_MAX_WORDS = max(_PARTICLE_WORDS)


def strip_diacritics(text: str) -> str:
    """Remove combining marks after NFKD decomposition (é→e, ü→u, ş→s)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _clean(text: str) -> str:
    text = _APOSTROPHES.sub("", text)
    text = _SEPARATORS.sub(" ", text)
    return " ".join(text.casefold().split())


def normalise_name(text: str) -> str:
    """Matching key: no diacritics, case-folded, hyphens/punctuation as single spaces."""
    once = _clean(strip_diacritics(unicodedata.normalize("NFC", text).casefold()))
    # Case folding can yield letters that decompose further (rare scripts): settle them.
    return once if once.isascii() else _clean(strip_diacritics(once))


def german_key(text: str) -> str:
    """Alternative key with German transliteration (ä→ae, ö→oe, ü→ue, ß→ss)."""
    return normalise_name(unicodedata.normalize("NFC", text).translate(_GERMAN))


def name_keys(text: str) -> tuple[str, ...]:
    """The distinct keys of a name: the plain key, then the transliterated one if different."""
    plain = normalise_name(text)
    german = german_key(text)
    return (plain,) if german == plain else (plain, german)


def split_particles(text: str) -> tuple[str, str]:
    """Split leading particles off a surname: ``"van der Berg"`` → ``("van der", "Berg")``.

    Case and spelling of both parts are kept. A name made only of particles
    (``"Van"``) is returned whole with an empty prefix.
    """
    words = text.split()
    prefix_len = 0
    while prefix_len < len(words) - 1:
        for n in range(min(_MAX_WORDS, len(words) - 1 - prefix_len), 0, -1):
            candidate = " ".join(words[prefix_len : prefix_len + n]).casefold()
            if candidate in _PARTICLE_WORDS.get(n, frozenset()):
                prefix_len += n
                break
        else:
            break
    prefix, rest = " ".join(words[:prefix_len]), " ".join(words[prefix_len:])
    if not prefix and len(words) == 1:
        m = re.fullmatch(r"([dDlL]['’])(\w.*)", text.strip())
        if m:
            return m.group(1), m.group(2)
    return prefix, rest


def merge_particles(prefix: str, name: str) -> str:
    """Belgian merged form: ``("van den", "Berghe")`` → ``"Vandenberghe"``."""
    if not prefix:
        return name
    glued = _APOSTROPHES.sub("", "".join(prefix.split())).lower()
    return glued[:1].upper() + glued[1:] + name[:1].lower() + name[1:]


def join_particles(prefix: str, name: str, *, capitalise: bool = False) -> str:
    """Written form with spaces: ``"van der Berg"`` (NL) or ``"Van der Berg"`` (BE)."""
    if not prefix:
        return name
    if capitalise:
        prefix = prefix[:1].upper() + prefix[1:]
    sep = "" if prefix.endswith(("'", "’")) else " "
    return f"{prefix}{sep}{name}"


@dataclass(frozen=True)
class PersonName:
    """A person's name as a register holds it."""

    given_names: str
    family_name: str
    family_name_prefix: str = ""

    @property
    def full_family_name(self) -> str:
        return join_particles(self.family_name_prefix, self.family_name)

    @property
    def family_key(self) -> str:
        """Surname key with particles glued on, so "van der Berg" ≡ "Vanderberg"."""
        return normalise_name(self.full_family_name).replace(" ", "")

    @property
    def given_keys(self) -> tuple[str, ...]:
        return tuple(normalise_name(self.given_names).split())
