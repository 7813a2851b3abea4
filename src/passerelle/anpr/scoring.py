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
from passerelle.anpr.plates_vector import country_hint_expr, fits_format
from passerelle.anpr.slots import Slots

CONFUSION_PENALTY = 0.1
INDEL_PENALTY = 0.2
WRONG_COUNTRY_FACTOR = 0.5
AMBIGUOUS_FACTOR = 0.5
ALERT_SCORE = 0.5
_OUTCOMES: tuple[Outcome, Outcome, Outcome] = ("exact", "fuzzy", "wrong_country")
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


def _read_countries(
    slots: Slots, countries: Sequence[str | None] | pl.Series, rows: npt.NDArray[np.int64]
) -> tuple[pl.Series, npt.NDArray[np.int64]]:
    """The camera countries of ``rows`` (ISO codes) and their numbers in ``slots``
    (0 none, -1 a country no entry has)."""
    known = {c: n for c, n in slots.country_ids.items() if c is not None}
    if not isinstance(countries, pl.Series):  # few distinct values: a dict per value
        values = [countries[i] for i in rows.tolist()]
        code_of = {v: country_code(v) for v in set(values)}
        number_of = {v: 0 if c is None else known.get(c, -1) for v, c in code_of.items()}
        numbers = np.fromiter((number_of[v] for v in values), np.int64, len(values))
        return pl.Series([code_of[v] for v in values], dtype=pl.String), numbers
    raw = countries.cast(pl.String).gather(rows)
    codes = pl.select(country_hint_expr(pl.lit(raw))).to_series()
    numbers = codes.replace_strict(known, default=-1, return_dtype=pl.Int64).to_numpy().copy()
    numbers[codes.is_null().to_numpy()] = 0
    return codes, numbers


def _read_is_plate(
    enc: codec.Encoded, c: Candidates, fuzzy: npt.NDArray[np.bool_], read_countries: pl.Series
) -> npt.NDArray[np.bool_]:
    out = np.zeros(len(c.read), np.bool_)
    rows = np.flatnonzero(fuzzy)
    if len(rows):
        texts = codec.unpack_series(enc.raw[c.read[rows]])
        out[rows] = fits_format(texts, read_countries.gather(rows))
    return out


def scored_frame(
    slots: Slots,
    enc: codec.Encoded,
    c: Candidates,
    countries: Sequence[str | None] | pl.Series,
    min_score: float = 0.0,
) -> pl.DataFrame:
    """The matches of ``c`` as columns (``MATCH_SCHEMA``), ordered by read, best score
    first, each at least ``min_score``."""
    read_codes, read_country = _read_countries(slots, countries, c.read)
    entry_country = slots.country_id[c.slot]
    wrong = (read_country != 0) & (entry_country != 0) & (read_country != entry_country)
    exact = (c.confusions == 0) & (c.indel == 0)
    is_plate = _read_is_plate(enc, c, ~exact & ~wrong, read_codes)
    score = np.maximum(
        0.05, 1.0 - CONFUSION_PENALTY * c.confusions - INDEL_PENALTY * (c.indel != 0)
    )
    score = np.where(wrong, score * WRONG_COUNTRY_FACTOR, score)
    score = np.round(np.where(is_plate, score * AMBIGUOUS_FACTOR, score), 4)
    outcome = np.where(wrong, 2, np.where(exact, 0, 1))
    order = np.lexsort((-score, c.read))  # stable: equal scores keep the entry order
    order = order[score[order] >= min_score]
    return pl.DataFrame(
        {
            "read_idx": c.read[order],
            "entry_id": slots.entry_ids.gather(c.slot[order]),
            "outcome": pl.Series(outcome[order]).replace_strict(_OUTCOME_NAMES),
            "score": score[order],
            "confusions": c.confusions[order],
            "indel": pl.Series(c.indel[order]).replace_strict(_INDEL_NAMES, default=None),
            "read_is_plate": is_plate[order],
        },
        schema=MATCH_SCHEMA,
    )


def matches_of(frame: pl.DataFrame) -> list[Match]:
    """``Match`` objects of a ``scored_frame``."""
    cols = [frame[name].to_list() for name in MATCH_SCHEMA]
    return [_new_match(*row) for row in zip(*cols, strict=True)]


MATCH_SCHEMA = {
    "read_idx": pl.Int64, "entry_id": pl.String, "outcome": pl.String, "score": pl.Float64,
    "confusions": pl.Int64, "indel": pl.String, "read_is_plate": pl.Boolean,
}  # fmt: skip
_OUTCOME_NAMES = dict(enumerate(_OUTCOMES))
_INDEL_NAMES = {-1: "missing", 1: "extra"}
