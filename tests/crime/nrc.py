"""Reader for the Near Repeat Calculator's verbose output (the oracle of the tests)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class NrcCell:
    expected: list[int] = field(default_factory=list)
    observed: int = 0
    p_value: float = 1.0
    mean: float = 0.0


@dataclass
class NrcOutput:
    columns: list[str]
    rows: list[str]
    ratio: list[list[float | None]]
    significance: list[list[float]]
    observed: list[list[int]]
    cells: dict[tuple[int, int], NrcCell]


def _num(s: str) -> float | None:
    s = s.strip()
    return float(s) if s else None


def read_nrc(path: Path) -> NrcOutput:
    lines = list(csv.reader(path.open(encoding="utf-8", errors="replace")))
    tables: dict[str, list[list[str]]] = {}
    cells: dict[tuple[int, int], NrcCell] = {}
    columns: list[str] = []
    i = 0
    current: NrcCell | None = None
    while i < len(lines):
        row = lines[i]
        head = row[0].strip() if row else ""
        if head in (
            "Observed over mean expected frequencies",
            "Statistical significant table",
            "Observed frequencies distribution",
        ):
            columns = [c.strip() for c in lines[i + 1][2:] if c.strip()]
            body = []
            j = i + 3
            while j < len(lines) and len(lines[j]) > 2 and lines[j][0].strip().isdigit():
                body.append(lines[j])
                j += 1
            tables[head] = body
            i = j
            continue
        if head.startswith("Row ") and "Column" in head:
            parts = head.split()
            current = NrcCell()
            cells[(int(parts[1]) - 1, int(parts[3]) - 1)] = current
        elif current is not None and head in ("Expected", ""):
            current.expected += [int(v) for v in row[1:] if v.strip()]
        elif current is not None and head == "Observed":
            current.observed = int(row[1])
        elif current is not None and head == "P value":
            current.p_value = float(row[1])
        elif current is not None and head == "Mean":
            current.mean = float(row[1])
        i += 1
    ncol = len(columns)

    def grid(name: str) -> list[list[float | None]]:
        return [[_num(v) for v in r[2 : 2 + ncol]] for r in tables[name]]

    obs = grid("Observed frequencies distribution")
    sig = grid("Statistical significant table")
    return NrcOutput(
        columns=columns,
        rows=[r[1].strip() for r in tables["Observed frequencies distribution"]],
        ratio=grid("Observed over mean expected frequencies"),
        significance=[[v if v is not None else 1.0 for v in r] for r in sig],
        observed=[[int(v) if v is not None else 0 for v in r] for r in obs],
        cells=cells,
    )
