"""The entries of a hotlist index, one *slot* each, in NumPy columns.

A slot keeps the entry's raw and class keys (``codec``), its length, its
tolerance (maximum confusions, indel allowed) and whether it is alive. Two
``KeyTable``s point back at slots: ``exact`` by class key, ``dels`` by the
class key of each one-character deletion (value ``slot << 4 | position``);
``any_bloom`` holds both kinds of keys, so a read's own key is one test.
Removing an entry only marks its slot dead; when dead slots outnumber the
living (and there are enough of them to matter) the columns and tables are
rebuilt from the living ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from passerelle.anpr import codec
from passerelle.anpr.keytable import BloomFilter, KeyTable

NO_POSITION = 15
COMPACT_MIN_DEAD = 4096
EXACT_BITS_PER_KEY = 32  # ~3 % false positives (one bit a key, room to grow 2x)
ANY_BITS_PER_KEY = 16
COLUMNS = ("raw", "cls", "length", "max_confusions", "indel_ok", "alive", "country_id")
MAX_CHUNKS = 16


def _grow(arr: npt.NDArray[np.generic], need: int) -> npt.NDArray[np.generic]:
    if need <= len(arr):
        return arr
    out = np.zeros(max(need, 2 * len(arr), 1024), dtype=arr.dtype)
    out[: len(arr)] = arr
    return out


class Slots:
    """Columns of the indexed entries and the key tables that find them."""

    def __init__(self) -> None:
        self.n = 0
        self.alive_count = 0
        self.raw = np.zeros(0, np.uint64)
        self.cls = np.zeros(0, np.uint64)
        self.length = np.zeros(0, np.int64)
        self.max_confusions = np.zeros(0, np.int64)
        self.indel_ok = np.zeros(0, np.bool_)
        self.alive = np.zeros(0, np.bool_)
        self.country_id = np.zeros(0, np.int64)
        self.country_ids: dict[str | None, int] = {None: 0}
        self.entry_ids = pl.Series("entry_id", [], dtype=pl.String)  # by slot
        self.countries: list[str | None] = []
        self.by_id: dict[str, int] = {}
        self.exact = KeyTable(bloom_bits=EXACT_BITS_PER_KEY)
        self.dels = KeyTable()
        self.any_bloom = BloomFilter(0, ANY_BITS_PER_KEY)  # class keys and deletions

    def add(
        self,
        ids: Sequence[str],
        enc: codec.Encoded,
        countries: Sequence[str | None],
        max_confusions: npt.NDArray[np.int64],
        indel_ok: npt.NDArray[np.bool_],
    ) -> None:
        """Append entries (ids must not be present: the caller removes them first)."""
        k = len(ids)
        start, end = self.n, self.n + k
        for name in COLUMNS:
            setattr(self, name, _grow(getattr(self, name), end))
        self.raw[start:end] = enc.raw
        self.cls[start:end] = enc.cls
        self.length[start:end] = enc.length
        self.max_confusions[start:end] = max_confusions
        self.indel_ok[start:end] = indel_ok
        self.alive[start:end] = True
        numbers = {c: self.country_number(c) for c in set(countries)}
        self.country_id[start:end] = [numbers[c] for c in countries]
        self.entry_ids.append(pl.Series("entry_id", ids, dtype=pl.String))
        if self.entry_ids.n_chunks() > MAX_CHUNKS:
            self.entry_ids = self.entry_ids.rechunk()
        self.countries.extend(countries)
        self.by_id.update(zip(ids, range(start, end), strict=True))
        self.n, self.alive_count = end, self.alive_count + k
        self._index(np.arange(start, end, dtype=np.int64))

    def country_number(self, country: str | None) -> int:
        """A small number per country code (0 for none), shared with the reads."""
        return self.country_ids.setdefault(country, len(self.country_ids))

    def _index(self, slots: npt.NDArray[np.int64]) -> None:
        self.exact.add(self.cls[slots], (slots << 4) | NO_POSITION)
        keys, vals = self._deletions(slots)
        self.dels.add(keys, vals)
        if self.any_bloom.count + len(slots) + len(keys) > self.any_bloom.capacity:
            self._rebuild_any_bloom()
        else:
            self.any_bloom.add(self.cls[slots])
            self.any_bloom.add(keys)

    def _rebuild_any_bloom(self) -> None:
        tables = (self.exact.keys, self.exact.delta_keys, self.dels.keys, self.dels.delta_keys)
        self.any_bloom = BloomFilter(2 * sum(len(t) for t in tables), ANY_BITS_PER_KEY)
        for t in tables:
            self.any_bloom.add(t)

    def _deletions(
        self, slots: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        keys, vals = [], []
        for j in range(codec.WIDTH):
            sel = slots[self.indel_ok[slots] & (self.length[slots] > j)]
            if len(sel):
                keys.append(codec.delete(self.cls[sel], j))
                vals.append((sel << 4) | j)
        if not keys:
            return np.zeros(0, np.uint64), np.zeros(0, np.int64)
        return np.concatenate(keys), np.concatenate(vals)

    def memory_bytes(self) -> int:
        """Bytes held by the NumPy columns and key tables (not the Python id lists)."""
        columns = sum(int(getattr(self, name).nbytes) for name in COLUMNS)
        tables = self.exact.memory_bytes() + self.dels.memory_bytes()
        return columns + tables + self.any_bloom.words.nbytes

    def remove(self, ids: Sequence[str]) -> None:
        for entry_id in ids:
            slot = self.by_id.pop(entry_id, None)
            if slot is not None:
                self.alive[slot] = False
                self.alive_count -= 1
        dead = self.n - self.alive_count
        if dead >= COMPACT_MIN_DEAD and dead > self.alive_count:
            self.compact()

    def compact(self) -> None:
        """Keep only living slots; rebuild both key tables."""
        keep = np.flatnonzero(self.alive[: self.n])
        for name in COLUMNS:
            setattr(self, name, getattr(self, name)[keep].copy())
        self.countries = [self.countries[i] for i in keep.tolist()]
        self.entry_ids = self.entry_ids.gather(keep).rechunk()
        self.by_id = {entry_id: i for i, entry_id in enumerate(self.entry_ids.to_list())}
        self.n = self.alive_count = len(keep)
        slots = np.arange(self.n, dtype=np.int64)
        self.exact.rebuild(self.cls[slots], (slots << 4) | NO_POSITION)
        self.dels.rebuild(*self._deletions(slots))
        self._rebuild_any_bloom()
