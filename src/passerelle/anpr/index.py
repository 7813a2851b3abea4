"""The hotlist index: OCR-tolerant plate matching for batches of camera reads.

Each hotlist entry is stored under its OCR-class key (``codec``: every
confusable character replaced by its class representative, so ``8B`` and
``0ODQ`` collapse) and, when the entry allows one missing or extra
character, under the class key of each one-character deletion. A read then
needs ``2 + length`` look-ups, whatever the size of the hotlist:

* its class key among the entries' class keys — the exact plate or one read
  with confusions only;
* its class key among the entries' deletions — the read *lost* a character;
* each of its own deletions among the entries' class keys — the read *gained*
  a character.

A Bloom filter answers these for a whole batch with a few NumPy operations
per read; only the few keys it lets through are looked up and verified: the
raw characters are compared (confusions are counted, never guessed) against
the entry's ``Tolerance``. The outcome is ``exact`` (same text, same or
unknown country), ``fuzzy`` (confusions and/or one indel) or
``wrong_country`` (read and entry both name a country, and not the same).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from passerelle.anpr import codec
from passerelle.anpr.candidates import find_candidates
from passerelle.anpr.index_types import IndexEntry, Match, Outcome, Tolerance
from passerelle.anpr.plates import country_code
from passerelle.anpr.plates_vector import canonical_expr
from passerelle.anpr.scoring import (
    ALERT_SCORE,
    MATCH_SCHEMA,
    matches_of,
    plate_score,
    scored_frame,
)
from passerelle.anpr.slots import Slots
from passerelle.exc import InvalidInput

__all__ = [
    "ALERT_SCORE", "MATCH_SCHEMA", "HotlistIndex", "IndexEntry", "Match", "Outcome", "Tolerance",
    "plate_score",
]  # fmt: skip
log = logging.getLogger(__name__)


class HotlistIndex:
    """Active hotlist entries, matched against batches of reads; safe to change while
    another thread matches (one lock; ``add``/``remove`` touch only what changed)."""

    def __init__(
        self,
        default: Tolerance | None = None,
        by_length: Mapping[int, Tolerance] | None = None,
    ) -> None:
        self.default = default or Tolerance()
        self.by_length = dict(by_length or {})
        self.slots = Slots()
        self.rejected: dict[str, str] = {}
        self._lock = threading.RLock()

    @classmethod
    def build(
        cls,
        entries: Iterable[IndexEntry],
        *,
        default: Tolerance | None = None,
        by_length: Mapping[int, Tolerance] | None = None,
    ) -> HotlistIndex:
        """An index of ``entries``; the tolerance of an entry is its own, else the one
        for its plate length in ``by_length``, else ``default``."""
        index = cls(default, by_length)
        index.add(entries)
        return index

    def tolerance_for(self, entry: IndexEntry, length: int) -> Tolerance:
        return entry.tolerance or self.by_length.get(length, self.default)

    def __len__(self) -> int:
        return self.slots.alive_count

    def memory_bytes(self) -> int:
        """Approximate memory of the index's arrays."""
        return self.slots.memory_bytes()

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.slots.by_id

    def add(self, entries: Iterable[IndexEntry]) -> None:
        """Add or replace entries (by ``entry_id``). Unusable plates are not indexed
        and listed in ``rejected`` (entry id → reason)."""
        batch = list({e.entry_id: e for e in entries}.values())  # the last one of an id wins
        if not batch:
            return
        enc = codec.encode([e.plate for e in batch])
        if not bool(enc.ok.all()):
            enc = _repair([e.plate for e in batch], enc)
        usable = enc.ok & (enc.length >= 2)
        for i in np.flatnonzero(~usable).tolist():
            self.rejected[batch[i].entry_id] = "unusable_plate"
        if not usable.all():
            log.warning("hotlist index: %d entries with unusable plates", int((~usable).sum()))
            self.remove(batch[i].entry_id for i in np.flatnonzero(~usable).tolist())
            keep = np.flatnonzero(usable)
            batch = [batch[i] for i in keep.tolist()]
            enc = codec.Encoded(enc.raw[keep], enc.cls[keep], enc.length[keep], enc.ok[keep])
        if not batch:
            return
        max_conf, indel_ok = self._tolerances(batch, enc.length)
        ids = [e.entry_id for e in batch]
        for entry_id in ids:
            self.rejected.pop(entry_id, None)
        codes = {c: country_code(c) for c in {e.country for e in batch}}
        countries = [codes[e.country] for e in batch]
        with self._lock:
            self.slots.remove(ids)
            self.slots.add(ids, enc, countries, max_conf, indel_ok)

    def _tolerances(
        self, batch: Sequence[IndexEntry], length: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Per entry: maximum confusions and whether an indel is allowed."""
        table = [self.by_length.get(n, self.default) for n in range(codec.WIDTH + 1)]
        max_conf = np.array([t.max_confusions for t in table], np.int64)[length]
        indel_ok = np.array([t.indel and n >= t.min_length_for_indel for n, t in
                             enumerate(table)], np.bool_)[length]  # fmt: skip
        for i, e in enumerate(batch):
            if e.tolerance is not None:
                t = e.tolerance
                max_conf[i] = t.max_confusions
                indel_ok[i] = t.indel and int(length[i]) >= t.min_length_for_indel
        return max_conf, indel_ok

    def remove(self, entry_ids: Iterable[str]) -> None:
        """Remove entries (unknown ids are ignored)."""
        with self._lock:
            self.slots.remove(list(entry_ids))

    def match(
        self,
        plates: Sequence[str] | pl.Series,
        countries: Sequence[str | None] | pl.Series,
        *,
        min_score: float = 0.0,
    ) -> list[Match]:
        """Every (read, entry) within the entry's tolerance, by read then best score.

        ``plates`` are canonical plates (``normalise_read``); other texts are
        canonicalised first. ``countries[i]`` is read ``i``'s country or ``None``.
        ``min_score`` drops the weaker matches (``ALERT_SCORE``: see ``scoring``).
        """
        return matches_of(self.match_frame(plates, countries, min_score=min_score))

    def match_frame(
        self,
        plates: Sequence[str] | pl.Series,
        countries: Sequence[str | None] | pl.Series,
        *,
        min_score: float = 0.0,
    ) -> pl.DataFrame:
        """``match`` as a DataFrame (``MATCH_SCHEMA``): no Python object per match, for
        batches with many of them."""
        n = len(plates)
        if len(countries) != n:
            raise InvalidInput("plates and countries differ in length", code="anpr_batch_mismatch")
        if n == 0:
            return pl.DataFrame(schema=MATCH_SCHEMA)
        enc = codec.encode(plates)
        if not bool(enc.ok.all()):
            enc = _repair(plates, enc)
        with self._lock:
            if self.slots.alive_count == 0:
                return pl.DataFrame(schema=MATCH_SCHEMA)
            cands = find_candidates(self.slots, enc)
            return scored_frame(self.slots, enc, cands, countries, min_score)


def _repair(plates: Sequence[str] | pl.Series, enc: codec.Encoded) -> codec.Encoded:
    """Canonicalise the rows the fast path could not pack (separators, lower case)."""
    bad = np.flatnonzero(~enc.ok)
    if isinstance(plates, pl.Series):
        texts = plates.cast(pl.String).gather(bad)
    else:
        texts = pl.Series([v if isinstance(v, str) else None for v in (plates[i] for i in
                           bad.tolist())], dtype=pl.String)  # fmt: skip
    fixed = codec.encode(pl.select(canonical_expr(pl.lit(texts))).to_series())
    raw, cls, length, ok = enc.raw.copy(), enc.cls.copy(), enc.length.copy(), enc.ok.copy()
    raw[bad], cls[bad], length[bad], ok[bad] = fixed.raw, fixed.cls, fixed.length, fixed.ok
    return codec.Encoded(raw, cls, length, ok)
