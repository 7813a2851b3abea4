"""The value types of the hotlist index (re-exported by ``passerelle.anpr.index``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from passerelle.anpr.codec import WIDTH
from passerelle.exc import InvalidInput

Outcome = Literal["exact", "fuzzy", "wrong_country"]
Indel = Literal["missing", "extra"]


@dataclass(frozen=True)
class Tolerance:
    """How far a read may be from an entry: confusions (0/O, 8/B...) and one indel,
    the indel only for plates of at least ``min_length_for_indel`` characters."""

    max_confusions: int = 2
    indel: bool = True
    min_length_for_indel: int = 5

    def __post_init__(self) -> None:
        if not 0 <= self.max_confusions <= WIDTH or self.min_length_for_indel < 2:
            raise InvalidInput(
                "tolerance out of range (max_confusions 0-10, min_length_for_indel >= 2)",
                code="anpr_bad_tolerance",
            )


@dataclass(frozen=True)
class IndexEntry:
    """A hotlist entry as the index sees it (``country`` ``None``: any country)."""

    entry_id: str
    plate: str
    country: str | None
    tolerance: Tolerance | None = None


@dataclass(frozen=True)
class Match:
    """One read matching one entry. ``confusions``, ``indel`` and ``read_is_plate`` (the
    read is itself a well-formed plate, so perhaps another vehicle) explain the score."""

    read_idx: int
    entry_id: str
    outcome: Outcome
    score: float
    confusions: int = 0
    indel: Indel | None = None
    read_is_plate: bool = False

    def explanation(self) -> dict[str, object]:
        """The features behind the score, for the officer and the DPO."""
        return {
            "method": "ocr_confusion_index",
            "outcome": self.outcome,
            "score": self.score,
            "confusions": self.confusions,
            "indel": self.indel,
            "read_is_plate": self.read_is_plate,
        }
