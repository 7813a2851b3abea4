"""Reading register extracts: CSV (UTF-8) and Parquet, row by row with positions.

Each reader yields ``(position, row)`` where ``position`` is the 1-based line
number of a CSV file (the header is line 1) or the 1-based row number of a
Parquet file. Structural problems (not a CSV, not Parquet, missing columns)
raise ``ImportRejected`` before anything is read into the register.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from passerelle.exc import ImportRejected, InvalidInput

Format = Literal["csv", "parquet"]
RawRow = dict[str, str | None]


def detect_format(path: Path, fmt: str | None = None) -> Format:
    name = (fmt or path.suffix.lstrip(".")).lower()
    if name in ("csv", "txt"):
        return "csv"
    if name in ("parquet", "pq"):
        return "parquet"
    raise InvalidInput(
        f"cannot tell the format of {path.name}; use a .csv or .parquet file or --format",
        code="unknown_format",
        file=path.name,
    )


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_header(columns: Sequence[str], required: Sequence[str], file: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImportRejected(
            f"{file}: missing column(s) {', '.join(missing)}",
            code="missing_columns",
            file=file,
            columns=", ".join(missing),
        )
    dupes = sorted({c for c in columns if list(columns).count(c) > 1})
    if dupes:
        raise ImportRejected(
            f"{file}: duplicate column(s) {', '.join(dupes)}",
            code="duplicate_columns",
            file=file,
            columns=", ".join(dupes),
        )


def read_csv(path: Path, required: Sequence[str]) -> Iterator[tuple[int, RawRow]]:
    try:
        fh = path.open("r", encoding="utf-8-sig", newline="")
    except OSError as e:
        raise ImportRejected(
            f"cannot open {path.name}: {e.strerror}", code="unreadable_file"
        ) from None
    with fh:
        try:
            sample = fh.read(65536)
            fh.seek(0)
            if "\x00" in sample:
                raise ImportRejected(
                    f"{path.name} is not a text CSV file", code="corrupt_file", file=path.name
                )
            reader = csv.reader(fh, strict=True)
            header = next(reader, None)
            if header is None:
                raise ImportRejected(f"{path.name} is empty", code="empty_file", file=path.name)
            header = [h.strip() for h in header]
            check_header(header, required, path.name)
            for record in reader:
                line = reader.line_num
                if not any(v.strip() for v in record):
                    continue
                if len(record) != len(header):
                    yield line, {"__error__": f"{len(record)} fields, expected {len(header)}"}
                    continue
                yield line, dict(zip(header, record, strict=True))
        except UnicodeDecodeError:
            raise ImportRejected(
                f"{path.name} is not UTF-8 text", code="corrupt_file", file=path.name
            ) from None
        except csv.Error as e:
            raise ImportRejected(
                f"{path.name} is not valid CSV: {e}", code="corrupt_file", file=path.name
            ) from None


def read_parquet(path: Path, required: Sequence[str]) -> Iterator[tuple[int, RawRow]]:
    try:
        frame = pl.read_parquet(path)
    except Exception:  # polars raises several types for corrupt input
        raise ImportRejected(
            f"{path.name} is not a readable Parquet file", code="corrupt_file", file=path.name
        ) from None
    yield from frame_rows(frame, required, path.name)


def frame_rows(
    frame: pl.DataFrame, required: Sequence[str], name: str
) -> Iterator[tuple[int, RawRow]]:
    check_header(frame.columns, required, name)
    frame = frame.select(pl.all().cast(pl.String))
    yield from enumerate(frame.iter_rows(named=True), start=1)


def read_file(path: Path, fmt: Format, required: Sequence[str]) -> Iterator[tuple[int, RawRow]]:
    if not path.is_file():
        raise ImportRejected(f"file not found: {path}", code="file_not_found", file=str(path))
    return read_csv(path, required) if fmt == "csv" else read_parquet(path, required)
