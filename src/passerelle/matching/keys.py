"""Blocking keys: computed once per record at import, stored in indexed columns.

A person query then touches only the records that share a key with it, so a
check over a register of millions reads a few hundred rows at most:

* ``family_cologne`` / ``family_metaphone`` — the particle-merged family name
  ("van den Berg" = "Vandenberg" = ``vandenberg``) as Kölner Phonetik and
  Double Metaphone codes;
* ``core_cologne`` — the family name without its particles ("Berg"), so a
  register that dropped the particles still meets;
* ``given_cologne`` — the first given name, used for swapped given/family
  names and as a fall-back when the family name is misspelt beyond its code;
* ``birth_year`` (already stored) narrows each key to a year and its
  neighbours; the national identifier is looked up exactly.

Plates and document numbers get an OCR-confusion key (``confusion_key``):
every character of a confusable class maps to one representative.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from passerelle.domain.dates import PartialDate
from passerelle.matching.normalise import family_forms, given_tokens
from passerelle.matching.phonetic import cologne, metaphone

PERSON_KEY_COLUMNS = ("family_cologne", "family_metaphone", "core_cologne", "given_cologne")

# OCR confusion classes (DESIGN: 0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G as a minimum; plus L/1? no).
CONFUSION_CLASSES: tuple[str, ...] = ("0ODQ", "1I", "2Z", "5S", "8B", "6G")
_CONFUSION = str.maketrans({ch: cls[0] for cls in CONFUSION_CLASSES for ch in cls})


def confusion_key(compact: str) -> str:
    """Map each OCR-confusable character to its class representative (``B0S`` → ``805``)."""
    return "".join(ch for ch in compact.upper() if ch.isalnum()).translate(_CONFUSION)


def given_key(token: str) -> str:
    """Blocking key of one given name: its Kölner code, led by the initial when that is a
    vowel, H, J or Y (which Kölner Phonetik all writes 0), so Jan and Anna part (j6, a6)
    while Mohammed/Mohamed and Yusuf/Jusuf (Y read as J) still meet."""
    code = cologne(token)
    if not code.startswith("0") or not token:
        return code
    initial = "j" if token[0] == "y" else token[0]
    return initial + code[1:]


def person_row_keys(row: Mapping[str, Any]) -> dict[str, str | None]:
    """The stored blocking keys of one person record (population, wanted, police)."""
    family = str(row.get("family_name") or "")
    forms = family_forms(family, row.get("family_name_prefix") or None) if family else ()
    given = given_tokens(str(row.get("given_names") or ""))
    first = forms[0] if forms else None
    return {
        "family_cologne": (cologne(first.merged) or None) if first else None,
        "family_metaphone": (metaphone(first.merged)[0] or None) if first else None,
        "core_cologne": (cologne(first.core) or None) if first else None,
        "given_cologne": (given_key(given[0]) or None) if given else None,
    }


@dataclass(frozen=True)
class CandidateKeys:
    """What a person query looks up: each set is matched against one stored column."""

    family_cologne: frozenset[str] = field(default_factory=frozenset)
    family_metaphone: frozenset[str] = field(default_factory=frozenset)
    core_cologne: frozenset[str] = field(default_factory=frozenset)
    given_cologne: frozenset[str] = field(default_factory=frozenset)
    # Swapped names: the query's given names looked up as family names and vice versa.
    swapped_family_cologne: frozenset[str] = field(default_factory=frozenset)
    swapped_given_cologne: frozenset[str] = field(default_factory=frozenset)
    national_id: str | None = None
    # Birth dates a record may hold to count as compatible: the query's own and its
    # less precise forms, day and month swapped, year off by one (exact strings), and
    # the query's "YYYY-MM" when the query knows the month but not the day (prefix).
    birth_dates: frozenset[str] = field(default_factory=frozenset)
    birth_month: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.family_cologne or self.given_cologne or self.national_id)

    def to_dict(self) -> dict[str, Any]:
        """Key kinds and counts only (codes can be reversed into names: keep them out)."""
        return {
            name: len(value) if isinstance(value, frozenset) else value is not None
            for name, value in self.__dict__.items()
        }


def compatible_birth_dates(birth: PartialDate | None) -> tuple[frozenset[str], str | None]:
    """The exact birth-date strings and the month prefix a compatible record may have."""
    if birth is None or birth.month is None:
        return frozenset(), None
    y, m = birth.year, birth.month
    if birth.day is None:
        return frozenset({f"{y:04d}"}), f"{y:04d}-{m:02d}"
    d = birth.day
    out = {f"{y:04d}-{m:02d}-{d:02d}", f"{y:04d}-{m:02d}", f"{y:04d}"}
    out |= {f"{y + k:04d}-{m:02d}-{d:02d}" for k in (-1, 1)}
    if d <= 12 and d != m:
        out.add(f"{y:04d}-{d:02d}-{m:02d}")
    return frozenset(out), None


def query_keys(
    family_name: str | None,
    family_name_prefix: str | None,
    given_names: str | None,
    national_id: str | None,
    birth: PartialDate | None = None,
) -> CandidateKeys:
    """The blocking keys of a query, over every ICAO spelling of its names."""
    forms = family_forms(family_name, family_name_prefix) if family_name else ()
    given = given_tokens(given_names or "")
    fam_c = frozenset(c for f in forms if (c := cologne(f.merged)))
    fam_m = frozenset(m for f in forms for m in metaphone(f.merged) if m)
    core_c = frozenset(c for f in forms if (c := cologne(f.core)))
    # The plain Kölner code too: registers loaded before the initial was kept still match.
    given_c = frozenset(c for g in given if len(g) > 1 for c in (given_key(g), cologne(g)) if c)
    # A swapped record stores the query's given name as family name and the other way round.
    given_as_family = family_forms(given_names) if given_names else ()
    swapped_fam = frozenset(c for g in given if len(g) > 1 and (c := cologne(g))) | frozenset(
        c for f in given_as_family for c in (cologne(f.merged), cologne(f.core)) if c
    )
    swapped_given = frozenset(
        c
        for f in forms
        for c in (given_key(f.merged), given_key(f.core), cologne(f.merged), cologne(f.core))
        if c
    )
    dates, month = compatible_birth_dates(birth)
    return CandidateKeys(
        birth_dates=dates,
        birth_month=month,
        family_cologne=fam_c,
        family_metaphone=fam_m,
        core_cologne=core_c | fam_c,
        given_cologne=given_c,
        swapped_family_cologne=swapped_fam,
        swapped_given_cologne=swapped_given,
        national_id=national_id or None,
    )


PERSON_DATASETS = ("population", "wanted_persons", "police_records")


def add_register_keys(dataset: str, row: dict[str, Any]) -> dict[str, Any]:
    """Fill the matching key columns of one register row in place (and return it)."""
    if dataset in PERSON_DATASETS:
        row.update(person_row_keys(row))
    elif dataset in ("vehicles", "stolen_vehicles"):
        plate = row.get("plate")
        row["plate_key"] = confusion_key(str(plate)) if plate else None
    elif dataset == "documents":
        number = row.get("document_number")
        row["number_key"] = confusion_key(str(number)) if number else None
    return row
