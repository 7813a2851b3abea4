"""The common H3 grid across the border: binning, study area, neighbours, cell shapes.

Cells are H3 v4 string indexes (``"881fa4..."``), at the resolution the analyst
picks (7 ≈ 5 km², 8 ≈ 0.7 km², 9 ≈ 0.1 km²). A study area is the set of cells
with incidents plus ``buffer`` rings around them, so that Gi* sees the empty
cells around a cluster too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import h3
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from passerelle.exc import InvalidInput

MIN_RES, MAX_RES = 4, 11


def check_resolution(res: int) -> int:
    if not MIN_RES <= res <= MAX_RES:
        raise InvalidInput(
            f"H3 resolution must be between {MIN_RES} and {MAX_RES}",
            code="crime_bad_resolution",
            low=MIN_RES,
            high=MAX_RES,
        )
    return res


def cells_of(
    lat: Sequence[float] | NDArray[np.float64], lon: Sequence[float] | NDArray[np.float64], res: int
) -> list[str]:
    """The cell of each point."""
    check_resolution(res)
    return [h3.latlng_to_cell(float(a), float(o), res) for a, o in zip(lat, lon, strict=True)]


@dataclass
class Grid:
    """An ordered set of cells with binary first-ring neighbours (for Gi*)."""

    cells: list[str]
    index: dict[str, int]

    @classmethod
    def of(cls, cells: Iterable[str]) -> Grid:
        ordered = sorted(set(cells))
        return cls(ordered, {c: i for i, c in enumerate(ordered)})

    @classmethod
    def study_area(cls, occupied: Iterable[str], buffer: int = 1) -> Grid:
        """Occupied cells and ``buffer`` rings around each."""
        out: set[str] = set()
        for c in set(occupied):
            out.update(h3.grid_disk(c, buffer) if buffer > 0 else [c])
        return cls.of(out)

    def __len__(self) -> int:
        return len(self.cells)

    def counts(self, cells: Iterable[str]) -> NDArray[np.float64]:
        """Incidents per grid cell (cells outside the grid are ignored)."""
        y = np.zeros(len(self.cells), dtype=np.float64)
        idx = [self.index[c] for c in cells if c in self.index]
        np.add.at(y, np.asarray(idx, dtype=np.int64), 1.0)
        return y

    def neighbours(self, rings: int = 1) -> sparse.csr_matrix:
        """Binary weights without the diagonal: cells within ``rings`` steps, inside the grid."""
        rows: list[int] = []
        cols: list[int] = []
        for i, c in enumerate(self.cells):
            for d in h3.grid_disk(c, rings):
                j = self.index.get(d)
                if j is not None and j != i:
                    rows.append(i)
                    cols.append(j)
        n = len(self.cells)
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_matrix((data, (rows, cols)), shape=(n, n))

    def centres(self) -> NDArray[np.float64]:
        """(n, 2) array of (lat, lon) cell centres."""
        return np.array([h3.cell_to_latlng(c) for c in self.cells], dtype=np.float64).reshape(-1, 2)


def cell_polygon(cell: str) -> list[list[float]]:
    """A closed GeoJSON ring of (lon, lat) for one cell."""
    ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]
