"""From verified (read, entry) pairs to scored ``Match``es.

The score starts from the plate: 1.0 for the same text, minus
``CONFUSION_PENALTY`` per OCR confusion and ``INDEL_PENALTY`` for a missing or
extra character. Two facts halve it:

* the read and the entry name different countries (outcome
  ``wrong_country``): the same text on another country's plate is most
  likely another vehicle;
* a fuzzy read is itself a well-formed plate (of the country the camera
  says, or of any country when it says none): ``ACR26`` for the hotlisted
  ``ACR236`` may be a misread, but is just as likely the car ``AC-R 26``. A
  misread usually breaks the format (a letter where a digit belongs), and
  keeps the full score.

So every fuzzy match a camera can explain only by a misread scores at least
0.5 under the default tolerance, and every ambiguous one below: a caller
that wants alerts, not leads, passes ``min_score=0.5``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from passerelle.anpr import codec
from passerelle.anpr.candidates import Candidates
from passerelle.anpr.index_types import Indel, Match, Outcome
from passerelle.anpr.plates import country_code
from passerelle.anpr.plates_vector import fits_format
from passerelle.anpr.slots import Slots

CONFUSION_PENALTY = 0.1
INDEL_PENALTY = 0.2
WRONG_COUNTRY_FACTOR = 0.5
AMBIGUOUS_FACTOR = 0.5
ALERT_SCORE = 0.5
_OUTCOMES: tuple[Outcome, Outcome, Outcome] = ("exact", "fuzzy", "wrong_country")
_INDELS: dict[int, Indel | None] = {0: None, -1: "missing", 1: "extra"}
_object_new = object.__new__


def plate_score(confusions: int, indel: bool) -> float:
    """1.0 for the same text, less for each confusion and for an indel."""
    return round(max(0.05, 1.0 - CONFUSION_PENALTY * confusions - INDEL_PENALTY * indel), 4)


def _new_match(
    i: int, entry_id: str, outcome: Outcome, score: float, conf: int, indel: Indel | None,
    is_plate: bool,
) -> Match:  # fmt: skip
    """``Match(...)`` without the frozen dataclass's per-field ``__setattr__`` (3× faster:
    a batch can have tens of thousands of matches); equal to the constructed one."""
    m = _object_new(Match)
    m.__dict__.update(read_idx=i, entry_id=entry_id, outcome=outcome, score=score,
                      confusions=conf, indel=indel, read_is_plate=is_plate)  # fmt: skip
    return m


def _read_is_plate(
    slots: Slots, enc: codec.Encoded, c: Candidates, fuzzy: npt.NDArray[np.bool_],
    read_countries: list[str | None],
) -> npt.NDArray[np.bool_]:  # fmt: skip
    out = np.zeros(len(c.read), np.bool_)
    rows = np.flatnonzero(fuzzy)
    if len(rows):
        texts = pl.Series(codec.unpack_many(enc.raw[c.read[rows]]), dtype=pl.String)
        out[rows] = fits_format(texts, [read_countries[k] for k in rows.tolist()])
    return out


def scored_matches(
    slots: Slots,
    enc: codec.Encoded,
    c: Candidates,
    countries: Sequence[str | None],
    min_score: float = 0.0,
) -> list[Match]:
    """The matches of ``c``, ordered by read, best score first, at least ``min_score``."""
    read_countries = [country_code(countries[i]) for i in c.read.tolist()]
    known = slots.country_ids
    read_country = np.array([known.get(rc, -1) for rc in read_countries], dtype=np.int64)
    entry_country = slots.country_id[c.slot]
    wrong = (read_country != 0) & (entry_country != 0) & (read_country != entry_country)
    exact = (c.confusions == 0) & (c.indel == 0)
    is_plate = _read_is_plate(slots, enc, c, ~exact & ~wrong, read_countries)
    score = np.maximum(
        0.05, 1.0 - CONFUSION_PENALTY * c.confusions - INDEL_PENALTY * (c.indel != 0)
    )
    score = np.where(wrong, score * WRONG_COUNTRY_FACTOR, score)
    score = np.round(np.where(is_plate, score * AMBIGUOUS_FACTOR, score), 4)
    outcome = np.where(wrong, 2, np.where(exact, 0, 1))
    order = np.lexsort((c.slot, -score, c.read))
    order = order[score[order] >= min_score]
    ids = slots.entry_ids
    return [
        _new_match(i, ids[slot], _OUTCOMES[o], sc, conf, _INDELS[d], p)
        for i, slot, o, sc, conf, d, p in zip(
            c.read[order].tolist(), c.slot[order].tolist(), outcome[order].tolist(),
            score[order].tolist(), c.confusions[order].tolist(), c.indel[order].tolist(),
            is_plate[order].tolist(), strict=True,
        )
    ]  # fmt: skip
