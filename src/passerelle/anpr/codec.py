"""Plates packed into 64-bit integers, a whole batch at a time.

A canonical plate (``A-Z0-9``, at most ``WIDTH`` characters) becomes two
``uint64`` keys, six bits per character, the first character in the lowest
bits and empty positions zero (so the length is part of the key):

* the *raw* key — each character's own code (``0``–``9`` → 1–10, ``A``–``Z`` →
  11–36);
* the *class* key — each character replaced by its OCR-confusion class
  representative (``passerelle.matching.keys.CONFUSION_CLASSES``: ``0ODQ`` → 0,
  ``8B`` → 8, ...), so two plates that differ only by confusions share it.

Deleting the character at position ``j`` is two masks and a shift
(``delete``), so deletion neighbourhoods of a whole batch cost a few NumPy
operations; ``confusions`` counts the positions where two raw keys differ.
Strings come in as a Polars ``Series`` whose Arrow buffers are read in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from passerelle.matching.keys import CONFUSION_CLASSES, confusion_key

WIDTH = 10
BITS = 6
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

RAW_CODE = np.zeros(256, dtype=np.uint64)
CLASS_CODE = np.zeros(256, dtype=np.uint64)
_REPRESENTATIVE = {ch: cls[0] for cls in CONFUSION_CLASSES for ch in cls}
for _i, _ch in enumerate(ALPHABET):
    RAW_CODE[ord(_ch)] = _i + 1
for _ch in ALPHABET:
    CLASS_CODE[ord(_ch)] = RAW_CODE[ord(_REPRESENTATIVE.get(_ch, _ch))]
RAW_CODE8 = RAW_CODE.astype(np.uint8)
CLASS_CODE8 = CLASS_CODE.astype(np.uint8)
_CANONICAL = np.zeros(256, dtype=np.bool_)
_CANONICAL[[ord(c) for c in ALPHABET]] = True
LOW = np.array([(1 << (BITS * j)) - 1 for j in range(WIDTH + 1)], dtype=np.uint64)
_SHIFT = np.array([BITS * j for j in range(WIDTH + 1)], dtype=np.uint64)
_SEXTET_LOW_BITS = np.uint64(sum(1 << (BITS * j) for j in range(WIDTH)))
_ONE = np.uint64(1)
_SIX = np.uint64(BITS)
HIGH = ~LOW
_PAIR_LOW, _PAIR_HIGH = np.uint64(0x003F003F003F003F), np.uint64(0x3F003F003F003F00)
_QUAD_LOW, _QUAD_HIGH = np.uint64(0x00000FFF00000FFF), np.uint64(0x0FFF00000FFF0000)
_LOW24, _HIGH24 = np.uint64(0xFFFFFF), np.uint64(0xFFFFFF000000)
_LOW6, _NEXT6 = np.uint64(0x3F), np.uint64(0xFC0)
_LOW_BYTES = np.array([(1 << (8 * min(k, 8))) - 1 for k in range(WIDTH + 1)], dtype=np.uint64)
_TAIL_BYTES = np.array([(1 << (8 * max(k - 8, 0))) - 1 for k in range(WIDTH + 1)], dtype=np.uint64)
_TWO = np.uint64(2)


@dataclass(frozen=True)
class Encoded:
    """A batch of plates as keys. ``ok`` is false for rows that cannot match
    (empty, longer than ``WIDTH``, or with characters outside ``A-Z0-9``)."""

    raw: U64
    cls: U64
    length: I64
    ok: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.raw)


def pack(text: str) -> tuple[int, int]:
    """(raw key, class key) of one canonical plate; (0, 0) when it cannot be packed."""
    if not 0 < len(text) <= WIDTH or not all(c in ALPHABET for c in text):
        return 0, 0
    cls = confusion_key(text)
    raw_key = sum(int(RAW_CODE[ord(c)]) << (BITS * j) for j, c in enumerate(text))
    cls_key = sum(int(RAW_CODE[ord(c)]) << (BITS * j) for j, c in enumerate(cls))
    return raw_key, cls_key


def unpack(raw_key: int) -> str:
    """The plate text of a raw key (for tests and explanations)."""
    out = []
    while raw_key:
        out.append(ALPHABET[(raw_key & 63) - 1])
        raw_key >>= BITS
    return "".join(out)


def unpack_series(raw: U64) -> pl.Series:
    """The plate texts of many raw keys at once (built as Arrow buffers)."""
    chars = np.zeros((len(raw), WIDTH), dtype=np.uint8)
    table = np.frombuffer(b"\0" + ALPHABET.encode(), dtype=np.uint8)
    for j in range(WIDTH):
        chars[:, j] = table[((raw >> _SHIFT[j]) & np.uint64(63)).astype(np.intp)]
    filled = chars != 0
    offsets = np.zeros(len(raw) + 1, dtype=np.int64)
    np.cumsum(filled.sum(axis=1), out=offsets[1:])
    data = chars[filled]  # characters are left-aligned: row by row, in order
    arr = pa.LargeStringArray.from_buffers(
        len(raw), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data.tobytes())
    )
    out = pl.Series(arr)
    return out


def _buffers(series: pl.Series) -> tuple[I64, npt.NDArray[np.uint8]]:
    """Offsets and bytes of a string Series, without copying the strings."""
    arr = series.rechunk().cast(pl.Binary).to_arrow()
    bufs = arr.buffers()
    n = len(arr)
    offsets: I64 = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + n + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    if arr.null_count:
        valid = np.asarray(series.is_not_null().to_numpy(), dtype=np.bool_)
        starts = offsets[:-1].copy()
        ends = offsets[1:].copy()
        ends[~valid] = starts[~valid]
        offsets = np.concatenate([starts, ends[-1:]]) if n else offsets
        # a null row spans nothing: rebuild offsets as (start, end) pairs below
        return np.stack([starts, ends]).astype(np.int64), data
    return offsets.astype(np.int64, copy=False), data


def _compress(x: U64) -> U64:
    """Eight bytes of 6-bit codes (one per byte) → 48 bits, six per character."""
    x = (x & _PAIR_LOW) | ((x & _PAIR_HIGH) >> _TWO)
    x = (x & _QUAD_LOW) | ((x & _QUAD_HIGH) >> np.uint64(4))
    out: U64 = (x & _LOW24) | ((x >> np.uint64(8)) & _HIGH24)
    return out


def _tail(y: U64) -> U64:
    """Characters 9 and 10 (two bytes) → bits 48–59."""
    out: U64 = ((y & _LOW6) | ((y >> _TWO) & _NEXT6)) << np.uint64(48)
    return out


def encode(plates: Sequence[str] | pl.Series, chunk: int = 16384) -> Encoded:
    """Pack a batch of canonical plates; other rows get ``ok = False``.

    Each row's first eight bytes are read as one little-endian word (an
    unaligned view of the code buffer), masked to the row's length and
    squeezed to six bits a character, the 9th and 10th likewise.
    """
    series = plates if isinstance(plates, pl.Series) else pl.Series(list(plates), dtype=pl.String)
    offsets, data = _buffers(series)
    if offsets.ndim == 2:
        starts, ends = offsets[0], offsets[1]
    else:
        starts, ends = offsets[:-1], offsets[1:]
    length = (ends - starts).astype(np.int64)
    ok = (length > 0) & (length <= WIDTH)
    bad_bytes = np.flatnonzero(~_CANONICAL[data])
    if len(bad_bytes):
        rows = np.searchsorted(starts, bad_bytes, side="right") - 1
        inside = bad_bytes < ends[rows]
        ok[rows[inside]] = False
    padded = np.zeros(len(data) + 24, dtype=np.uint8)  # room for two words past the end
    padded[: len(data)] = data
    raw8, cls8 = RAW_CODE8[padded], CLASS_CODE8[padded]
    words_raw = np.ndarray((len(padded) - 8,), dtype="<u8", buffer=raw8, strides=(1,))
    words_cls = np.ndarray((len(padded) - 8,), dtype="<u8", buffer=cls8, strides=(1,))
    n = len(starts)
    raw = np.empty(n, dtype=np.uint64)
    cls = np.empty(n, dtype=np.uint64)
    long = bool((length[ok] > 8).any())
    for s in range(0, n, chunk):
        st, ln = starts[s : s + chunk], np.minimum(length[s : s + chunk], WIDTH)
        low = _LOW_BYTES[ln]
        r, c = _compress(words_raw[st] & low), _compress(words_cls[st] & low)
        if long:
            tail_mask = _TAIL_BYTES[ln]
            r |= _tail(words_raw[st + 8] & tail_mask)
            c |= _tail(words_cls[st + 8] & tail_mask)
        raw[s : s + chunk], cls[s : s + chunk] = r, c
    raw[~ok] = 0
    cls[~ok] = 0
    return Encoded(raw, cls, length, ok)


def delete(keys: U64, j: int | npt.NDArray[np.integer]) -> U64:
    """The keys with the character at position ``j`` removed (shorter by one)."""
    jj = np.asarray(j)
    out: U64 = (keys & LOW[jj]) | ((keys >> _SIX) & HIGH[jj])
    return out


def confusions(a: U64, b: U64) -> I64:
    """Number of character positions at which two raw keys differ."""
    x = a ^ b
    x = x | (x >> _ONE)
    x = x | (x >> _TWO)
    x = x | (x >> _TWO)  # bit 6j now holds the OR of bits 6j..6j+5
    out: I64 = np.bitwise_count(x & _SEXTET_LOW_BITS).astype(np.int64)
    return out


def key_length(keys: U64) -> I64:
    """Number of characters in each key."""
    n = np.zeros(len(keys), dtype=np.int64)
    for j in range(WIDTH):
        n += (keys >> _SHIFT[j]) != 0
    return n
