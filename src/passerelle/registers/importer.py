"""Import a register extract: validate every row, load the good ones atomically.

Bad rows are reported with their line number and reason and never written;
good rows are written in one transaction, so an interrupted import leaves the
register as it was. ``strict=True`` refuses the whole file if any row is bad.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from passerelle.domain.countries import Country
from passerelle.domain.names import normalise_name
from passerelle.exc import ImportRejected, InvalidInput, PasserelleError
from passerelle.matching.keys import add_register_keys
from passerelle.registers.port import DATASET_NAMES, LoadMode, RegisterPort, Row
from passerelle.registers.schema import DATASETS, validate_row
from passerelle.registers.sources import RawRow, detect_format, read_file, sha256_of
from passerelle.storage.tables import NATURAL_KEYS

BATCH = 5000
PERSON_DATASETS = ("population", "wanted_persons", "police_records")


@dataclass(frozen=True)
class RejectedRow:
    position: int
    reason: str
    column: str | None = None


@dataclass
class ImportReport:
    dataset: str
    source: str
    loaded: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    seconds: float = 0.0
    committed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "source": self.source,
            "loaded": self.loaded,
            "rejected": len(self.rejected),
            "committed": self.committed,
            "seconds": round(self.seconds, 3),
            "errors": [
                {"line": r.position, "column": r.column, "reason": r.reason} for r in self.rejected
            ],
        }


def columns_of(dataset: str) -> list[str]:
    if dataset not in DATASET_NAMES:
        raise InvalidInput(
            f"unknown dataset {dataset!r}; expected one of {', '.join(DATASET_NAMES)}",
            code="unknown_dataset",
            dataset=dataset,
        )
    return [c.name for c in DATASETS[dataset].columns]


def derive_keys(dataset: str, row: Row) -> Row:
    """Add the search keys the registers are indexed on (and the matching keys)."""
    if dataset in PERSON_DATASETS:
        row["name_key"] = normalise_name(str(row["family_name"])).replace(" ", "")
        bd = row.get("birth_date")
        row["birth_year"] = int(str(bd)[:4]) if bd else None
    return add_register_keys(dataset, row)


class Importer:
    """Validates rows of one dataset and loads them through a register port."""

    def __init__(self, registers: RegisterPort, country: Country) -> None:
        self.registers = registers
        self.country = country

    def _validated(
        self,
        dataset: str,
        rows: Iterable[tuple[int, RawRow]],
        report: ImportReport,
        mode: LoadMode,
        progress: Callable[[int], None] | None,
    ) -> list[list[Row]]:
        keys = NATURAL_KEYS[dataset]
        seen: dict[tuple[str, ...], int] = {}
        good: list[tuple[int, Row]] = []
        for count, (pos, raw) in enumerate(rows, start=1):
            if "__error__" in raw:
                report.rejected.append(RejectedRow(pos, str(raw["__error__"])))
            else:
                try:
                    clean = validate_row(dataset, self.country, raw)
                except InvalidInput as e:
                    column = e.params.get("column")
                    report.rejected.append(
                        RejectedRow(pos, str(e.params.get("reason", e.detail)), column)
                    )
                else:
                    key = tuple(str(clean[k]) for k in keys)
                    if key in seen:
                        report.rejected.append(
                            RejectedRow(pos, f"duplicate of line {seen[key]}", ",".join(keys))
                        )
                    else:
                        seen[key] = pos
                        good.append((pos, derive_keys(dataset, clean)))
            if progress is not None and count % 1000 == 0:
                progress(1000)
        if mode == "append" and seen:
            existing = self.registers.existing_keys(dataset, seen)
            if existing:
                kept = []
                for pos, row in good:
                    if tuple(str(row[k]) for k in keys) in existing:
                        report.rejected.append(
                            RejectedRow(pos, "already in the register", ",".join(keys))
                        )
                    else:
                        kept.append((pos, row))
                good = kept
        report.rejected.sort(key=lambda r: r.position)
        rows_only = [row for _, row in good]
        return [rows_only[i : i + BATCH] for i in range(0, len(rows_only), BATCH)]

    def import_rows(
        self,
        dataset: str,
        rows: Iterable[tuple[int, RawRow]],
        *,
        source: str,
        sha256: str = "",
        mode: LoadMode = "replace",
        strict: bool = False,
        actor: str = "cli",
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        columns_of(dataset)
        started = time.perf_counter()
        report = ImportReport(dataset=dataset, source=source)
        batches = self._validated(dataset, rows, report, mode, progress)
        if strict and report.rejected:
            report.seconds = time.perf_counter() - started
            return report
        total = sum(len(b) for b in batches)
        if total == 0 and report.rejected:
            report.seconds = time.perf_counter() - started
            return report
        meta = {"name": source, "sha256": sha256, "rejected": len(report.rejected), "actor": actor}
        report.loaded = self.registers.load(dataset, iter(batches), mode=mode, source=meta)
        report.committed = True
        report.seconds = time.perf_counter() - started
        return report

    def import_file(
        self,
        dataset: str,
        path: Path,
        *,
        fmt: str | None = None,
        mode: LoadMode = "replace",
        strict: bool = False,
        actor: str = "cli",
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        columns = columns_of(dataset)
        kind = detect_format(path, fmt)
        rows: Iterator[tuple[int, RawRow]] = read_file(path, kind, columns)
        try:
            return self.import_rows(
                dataset,
                rows,
                source=path.name,
                sha256=sha256_of(path),
                mode=mode,
                strict=strict,
                actor=actor,
                progress=progress,
            )
        except PasserelleError:
            raise
        except OSError as e:
            raise ImportRejected(f"cannot read {path.name}: {e}", code="unreadable_file") from None
