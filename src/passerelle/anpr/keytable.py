"""A multimap from 64-bit keys to 64-bit values, built for batch look-ups.

Two layers answer a batch of keys:

* a *Bloom filter* (one bit per key) says, with one memory access per key,
  which keys may be present: almost every key of a batch of camera reads is
  absent, and the filter drops it for six NumPy operations;
* a *hash directory* then finds the values of the keys left, in two or three
  memory accesses each. New keys go to a small sorted *delta* that is merged
  in when it grows past an eighth of the rest, so adding an entry to a live
  index costs a sort of the delta, not of everything.

Keys are never removed here: the index marks removed entries dead and drops
their values after look-up, and rebuilds the table when too many are dead.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

MULT = np.uint64(0x9E3779B97F4A7C15)
_BIT = np.uint64(63)
_ONE = np.uint64(1)
MIN_WORDS_LOG2 = 10
DELTA_MIN = 4096


class BloomFilter:
    """Bloom filter over hashed ``uint64`` keys, one bit per key: the top bits of the
    hash pick a word, the next six a bit in it (a test is six NumPy operations)."""

    def __init__(self, capacity: int, bits_per_key: int) -> None:
        words = max(capacity * bits_per_key // 64, 1)
        self.log2 = max(MIN_WORDS_LOG2, int(words - 1).bit_length())
        self.words = np.zeros(1 << self.log2, dtype=np.uint64)
        self.capacity = (1 << self.log2) * 64 // bits_per_key
        self.bits_per_key = bits_per_key
        self.count = 0
        self._word_shift = np.uint64(64 - self.log2)
        self._bit_shift = np.uint64(58 - self.log2)

    def add(self, keys: U64) -> None:
        if len(keys):
            hashed = hash_keys(keys)
            word = (hashed >> self._word_shift).view(np.int64)
            bit = _ONE << ((hashed >> self._bit_shift) & _BIT)
            np.bitwise_or.at(self.words, word, bit)
            self.count += len(keys)

    def contains(self, hashed: U64) -> U64:
        """Non-zero where a key (hashed by ``hash_keys``) may be present (false
        positives possible, no false negatives)."""
        found: U64 = np.take(self.words, (hashed >> self._word_shift).view(np.int64))
        found >>= (hashed >> self._bit_shift) & _BIT
        found &= _ONE
        return found


def hash_keys(keys: U64) -> U64:
    """Multiplicative hash: the filters use its high bits."""
    hashed: U64 = keys * MULT
    return hashed


def _expand(keys: U64, vals: I64, query: U64) -> tuple[I64, I64]:
    """(index into ``query``, value) for every key of the sorted ``keys`` equal to a query."""
    if not len(keys) or not len(query):
        return _EMPTY, _EMPTY
    lo = np.searchsorted(keys, query, side="left")
    hi = np.searchsorted(keys, query, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return _EMPTY, _EMPTY
    qidx = np.repeat(np.arange(len(query), dtype=np.int64), counts)
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    found: I64 = vals[starts + np.arange(total, dtype=np.int64)]
    return qidx, found


_EMPTY = np.zeros(0, np.int64)


class KeyTable:
    """Keys (``uint64``, repeats allowed) to values (``int64``).

    The main part is a hash directory: keys grouped by the top bits of their
    hash, ``directory[b]`` the first of bucket ``b`` (about one key a bucket),
    so a look-up is two or three memory accesses. Keys added later go to a
    small sorted delta, merged in when it grows past an eighth of the main part.
    With ``bloom_bits`` it also keeps a Bloom filter of all its keys.
    """

    def __init__(self, bloom_bits: int = 0) -> None:
        self.bloom_bits = bloom_bits
        self.keys: U64 = np.zeros(0, np.uint64)
        self.vals: I64 = np.zeros(0, np.int64)
        self.directory = np.zeros(2, np.int32)
        self._shift = np.uint64(63)
        self.delta_keys: U64 = np.zeros(0, np.uint64)
        self.delta_vals: I64 = np.zeros(0, np.int64)
        self.bloom = BloomFilter(0, max(bloom_bits, 1))

    def __len__(self) -> int:
        return len(self.keys) + len(self.delta_keys)

    def rebuild(self, keys: U64, vals: I64) -> None:
        """Replace the whole content (hashed once, Bloom filter sized for it)."""
        log2 = max(1, len(keys).bit_length())
        self._shift = np.uint64(64 - log2)
        bucket = (hash_keys(keys) >> self._shift).astype(np.intp)
        order = np.argsort(bucket)  # the order within a bucket does not matter
        self.keys, self.vals = keys[order], vals[order]
        counts = np.bincount(bucket, minlength=1 << log2)
        self.directory = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        self.delta_keys, self.delta_vals = np.zeros(0, np.uint64), np.zeros(0, np.int64)
        if self.bloom_bits:
            self.bloom = BloomFilter(max(len(keys) * 2, 1024), self.bloom_bits)
            self.bloom.add(self.keys)

    def add(self, keys: U64, vals: I64) -> None:
        """Add keys; cheap while the delta stays small."""
        if not len(keys):
            return
        grow = self.bloom_bits and self.bloom.count + len(keys) > self.bloom.capacity
        dk = np.concatenate([self.delta_keys, keys])
        dv = np.concatenate([self.delta_vals, vals])
        if grow or len(dk) > max(DELTA_MIN, len(self.keys) // 8):
            self.rebuild(np.concatenate([self.keys, dk]), np.concatenate([self.vals, dv]))
            return
        if self.bloom_bits:
            self.bloom.add(keys)
        order = np.argsort(dk, kind="stable")
        self.delta_keys, self.delta_vals = dk[order], dv[order]

    def memory_bytes(self) -> int:
        arrays = (self.keys, self.vals, self.directory, self.delta_keys, self.delta_vals,
                  self.bloom.words)  # fmt: skip
        return sum(a.nbytes for a in arrays)

    def may_contain(self, hashed: U64) -> U64:
        """Bloom test of keys hashed by ``hash_keys`` (a table built with ``bloom_bits``)."""
        return self.bloom.contains(hashed)

    def lookup(self, query: U64) -> tuple[I64, I64]:
        """(index into ``query``, value) of every match, main part then delta."""
        qa, va = self._lookup_main(query)
        if not len(self.delta_keys):
            return qa, va
        qb, vb = _expand(self.delta_keys, self.delta_vals, query)
        return np.concatenate([qa, qb]), np.concatenate([va, vb])

    def _lookup_main(self, query: U64) -> tuple[I64, I64]:
        if not len(self.keys) or not len(query):
            return _EMPTY, _EMPTY
        bucket = (hash_keys(query) >> self._shift).astype(np.intp)
        lo = self.directory[bucket].astype(np.int64)
        count = self.directory[bucket + 1] - lo
        active = np.flatnonzero(count > 0)
        found_q, found_v = [_EMPTY], [_EMPTY]
        step = 0
        while len(active):
            at = lo[active] + step
            hit = self.keys[at] == query[active]
            found_q.append(active[hit])
            found_v.append(self.vals[at[hit]])
            step += 1
            active = active[count[active] > step]
        return np.concatenate(found_q), np.concatenate(found_v)
