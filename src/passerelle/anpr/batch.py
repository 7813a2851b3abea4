"""Matching files of reads against a hotlist file (``passerelle anpr match``).

Inputs are CSV or Parquet. Hotlist: ``entry_id``, ``plate`` and optionally
``plate_country``. Reads: ``read_id``, ``plate``, ``timestamp`` and
optionally ``plate_country``, ``camera_id``, ``lat``, ``lon``. The hits file
has ``read_id, entry_id, outcome, score`` (outcome ``exact``, ``fuzzy`` or
``wrong_country``). Nothing is dropped silently: a read with a garbage
plate, no id, an id seen before or a timestamp that does not parse, and a
hotlist entry with an unusable plate or a repeated id, is *rejected* with a
reason, counted in the summary and, on request, written to a file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from passerelle.anpr.index import HotlistIndex, IndexEntry
from passerelle.anpr.plates_vector import (
    canonical_expr,
    country_hint_expr,
    garbage_reasons,
    infer_countries,
)
from passerelle.exc import InvalidInput

HOTLIST_COLUMNS = ("entry_id", "plate")
READ_COLUMNS = ("read_id", "plate", "timestamp")
HIT_SCHEMA = {"read_id": pl.String, "entry_id": pl.String, "outcome": pl.String,
              "score": pl.Float64}  # fmt: skip
REJECTED_SCHEMA = {"file": pl.String, "row": pl.Int64, "id": pl.String, "reason": pl.String}
CHUNK = 250_000
TIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%dT%H:%M",
)  # ISO 8601, with "T" or a space, with or without offset
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class BatchSummary:
    """What ``match_files`` did: every input row is a hit source, or rejected."""

    reads: int = 0
    hits: int = 0
    seconds: float = 0.0
    hotlist_entries: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    rejected_reads: dict[str, int] = field(default_factory=dict)
    rejected_entries: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reads": self.reads,
            "hits": self.hits,
            "seconds": round(self.seconds, 3),
            "rejected": sum(self.rejected_reads.values()),
            "rejected_reasons": self.rejected_reads,
            "hotlist": {
                "entries": self.hotlist_entries,
                "rejected": sum(self.rejected_entries.values()),
                "rejected_reasons": self.rejected_entries,
            },
            "outcomes": self.outcomes,
        }


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InvalidInput(
            f"{path.name}: unknown file type (use .csv or .parquet)",
            code="anpr_file_format", file=path.name, formats=".csv, .parquet",
        )  # fmt: skip
    return fmt


def read_table(path: Path, columns: tuple[str, ...]) -> pl.DataFrame:
    """A CSV (every column read as text) or Parquet file with ``columns`` present."""
    fmt = file_format(path)
    try:
        if fmt == "csv":
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
        else:
            frame = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as e:
        raise InvalidInput(
            f"{path.name}: cannot be read ({type(e).__name__})",
            code="anpr_file_unreadable", file=path.name,
        ) from None  # fmt: skip
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInput(
            f"{path.name}: missing columns {', '.join(missing)}",
            code="anpr_file_missing_columns", file=path.name, columns=", ".join(missing),
        )  # fmt: skip
    return frame.with_row_index("row", offset=1)


def _text(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.String)
    return pl.col(column).cast(pl.String).str.strip_chars()


def _first_reason(*conditions: tuple[pl.Expr, str | pl.Expr]) -> pl.Expr:
    expr: Any = pl
    for cond, reason in conditions:
        expr = expr.when(cond).then(reason if isinstance(reason, pl.Expr) else pl.lit(reason))
    return expr.otherwise(pl.lit(None, dtype=pl.String))  # type: ignore[no-any-return]


def prepare_reads(frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(usable reads: row, read_id, plate, country) and (rejected: row, id, reason)."""
    out = frame.select(
        "row",
        _text(frame, "read_id").alias("read_id"),
        canonical_expr(_text(frame, "plate")).alias("plate"),
        country_hint_expr(_text(frame, "plate_country")).alias("hint"),
        _parse_time(frame).alias("ts_ok"),
    )
    out = out.with_columns(garbage=garbage_reasons(out["plate"]))
    out = out.with_columns(
        reason=_first_reason(
            (pl.col("read_id").is_null() | (pl.col("read_id") == ""), "missing_read_id"),
            (pl.col("read_id").is_first_distinct().not_(), "duplicate_read_id"),
            (pl.col("garbage").is_not_null(), pl.lit("plate_") + pl.col("garbage")),
            (pl.col("ts_ok").not_(), "bad_timestamp"),
        )
    )
    rejected = out.filter(pl.col("reason").is_not_null()).select(
        "row", pl.col("read_id").alias("id"), "reason"
    )
    usable = out.filter(pl.col("reason").is_null())
    inferred = infer_countries(usable["plate"])
    usable = usable.with_columns(country=pl.coalesce(pl.col("hint"), inferred))
    return usable.select("row", "read_id", "plate", "country"), rejected


def _parse_time(frame: pl.DataFrame) -> pl.Expr:
    dtype = frame.schema["timestamp"]
    if dtype.is_temporal():
        return pl.col("timestamp").is_not_null()
    text = pl.col("timestamp").cast(pl.String).str.strip_chars().str.replace(" ", "T")
    parsed = [
        text.str.to_datetime(fmt, time_zone="UTC", strict=False, time_unit="us")
        for fmt in TIME_FORMATS
    ]
    return pl.any_horizontal([p.is_not_null() for p in parsed]).fill_null(False)


def load_hotlist(frame: pl.DataFrame) -> tuple[list[IndexEntry], pl.DataFrame]:
    """Index entries of a hotlist file and the rejected rows (row, id, reason)."""
    out = frame.select(
        "row",
        _text(frame, "entry_id").alias("entry_id"),
        canonical_expr(_text(frame, "plate")).alias("plate"),
        country_hint_expr(_text(frame, "plate_country")).alias("country"),
    )
    out = out.with_columns(garbage=garbage_reasons(out["plate"]))
    out = out.with_columns(
        reason=_first_reason(
            (pl.col("entry_id").is_null() | (pl.col("entry_id") == ""), "missing_entry_id"),
            (pl.col("entry_id").is_first_distinct().not_(), "duplicate_entry_id"),
            (pl.col("garbage").is_not_null(), pl.lit("plate_") + pl.col("garbage")),
        )
    )
    rejected = out.filter(pl.col("reason").is_not_null()).select(
        "row", pl.col("entry_id").alias("id"), "reason"
    )
    good = out.filter(pl.col("reason").is_null())
    entries = [
        IndexEntry(e, p, c)
        for e, p, c in zip(good["entry_id"], good["plate"], good["country"], strict=True)
    ]
    return entries, rejected


def write_table(frame: pl.DataFrame, path: Path) -> None:
    if file_format(path) == "csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)


def _counts(rejected: pl.DataFrame) -> dict[str, int]:
    counts = rejected.group_by("reason").len().sort("reason")
    return dict(zip(counts["reason"].to_list(), counts["len"].to_list(), strict=True))


def match_files(
    hotlist: Path,
    reads: Path,
    out: Path,
    *,
    rejected_out: Path | None = None,
    min_score: float = 0.0,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Match ``reads`` against ``hotlist``; write the hits (score at least ``min_score``)
    to ``out``."""
    started = time.perf_counter()
    file_format(out)
    entries, bad_entries = load_hotlist(read_table(hotlist, HOTLIST_COLUMNS))
    frame = read_table(reads, READ_COLUMNS)
    usable, bad_reads = prepare_reads(frame)
    index = HotlistIndex.build(entries)
    summary = BatchSummary(reads=frame.height, hotlist_entries=len(index))
    parts: list[pl.DataFrame] = []
    for start in range(0, usable.height, CHUNK):
        chunk = usable.slice(start, CHUNK)
        found = index.match_frame(chunk["plate"], chunk["country"], min_score=min_score)
        parts.append(
            found.select(
                chunk["read_id"].gather(found["read_idx"]).alias("read_id"),
                "entry_id", "outcome", "score",
            )
        )  # fmt: skip
        if progress is not None:
            progress(min(start + CHUNK, usable.height), usable.height)
    hits = pl.concat(parts) if parts else pl.DataFrame(schema=HIT_SCHEMA)
    write_table(hits, out)
    summary.hits = hits.height
    summary.outcomes = {o: int((hits["outcome"] == o).sum()) for o in
                        ("exact", "fuzzy", "wrong_country")}  # fmt: skip
    summary.rejected_reads = _counts(bad_reads)
    summary.rejected_entries = _counts(bad_entries)
    if rejected_out is not None:
        write_table(pl.concat([
            bad_entries.select(pl.lit(hotlist.name).alias("file"), "row", "id", "reason"),
            bad_reads.select(pl.lit(reads.name).alias("file"), "row", "id", "reason"),
        ]).cast(REJECTED_SCHEMA), rejected_out)  # type: ignore[arg-type]  # fmt: skip
    summary.seconds = time.perf_counter() - started
    return summary
