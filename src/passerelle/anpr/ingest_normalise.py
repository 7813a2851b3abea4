"""Normalise the plates of a whole batch at once (the kernel's vector rules).

``normalise_batch`` gives, for each read, what ``anpr.plates.normalise_read``
gives — canonical plate ("" for garbage), country (the camera's hint, else the
one inferred from the syntax) and whether it was inferred — using the Polars
expressions of ``anpr.plates_vector``; small batches use the scalar function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

VECTOR_FROM = 64


@dataclass(frozen=True)
class Normalised:
    plates: list[str]  # "" when the text cannot be a plate
    countries: list[str | None]
    inferred: list[bool]


def normalise_batch(texts: Sequence[str], hints: Sequence[str | None]) -> Normalised:
    if len(texts) < VECTOR_FROM:
        from passerelle.anpr.plates import normalise_read

        reads = [normalise_read(t, h) for t, h in zip(texts, hints, strict=True)]
        return Normalised(
            [r.plate for r in reads], [r.country for r in reads], [r.inferred for r in reads]
        )
    from passerelle.anpr.plates_vector import (
        canonical_expr,
        country_hint_expr,
        garbage_reasons,
        infer_countries,
    )

    frame = pl.DataFrame(
        {"t": list(texts), "h": list(hints)}, schema={"t": pl.String, "h": pl.String}
    )
    out = frame.select(p=canonical_expr(pl.col("t")), h=country_hint_expr(pl.col("h")))
    plates = out["p"]
    garbage = garbage_reasons(plates).is_not_null()
    inferred = infer_countries(plates)
    hint = out["h"]
    country = hint.fill_null(inferred)
    frame = pl.DataFrame({"p": plates, "g": garbage, "c": country, "h": hint, "i": inferred})
    frame = frame.select(
        p=pl.when(pl.col("g")).then(pl.lit("")).otherwise(pl.col("p")),
        c=pl.when(pl.col("g")).then(pl.col("h")).otherwise(pl.col("c")),
        i=~pl.col("g") & pl.col("h").is_null() & pl.col("i").is_not_null(),
    )
    return Normalised(frame["p"].to_list(), frame["c"].to_list(), frame["i"].to_list())
