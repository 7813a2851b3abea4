"""Finding the (read, entry) pairs of a batch: probe, look up, verify.

``find_candidates`` runs the three look-ups of ``index`` over chunks of the
batch (chunks keep NumPy's temporaries in cache), gathers the few keys the
Bloom filters let through, looks them up exactly, and verifies every pair on
the raw characters against the entry's tolerance. What it returns is final:
one row per (read, entry), the best alignment when there are several.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from passerelle.anpr import codec
from passerelle.anpr.keytable import MULT, hash_keys
from passerelle.anpr.slots import Slots

I64 = npt.NDArray[np.int64]
CHUNK = 4096


@dataclass(frozen=True)
class Candidates:
    """Verified pairs: ``indel`` is 0, -1 (the read lost a character) or +1 (gained one)."""

    read: I64
    slot: I64
    confusions: I64
    indel: I64


def _probe(slots: Slots, enc: codec.Encoded) -> tuple[I64, I64, I64]:
    """Reads whose class key may be an entry's class key or deletion (one Bloom
    filter for both), and reads (and positions) one of whose deletions may be an
    entry's class key. Reads are taken by length, so each has only its own
    ``length`` deletions: ``(key & LOW[j]) | ((key >> 6) & HIGH[j])``."""
    usable = np.flatnonzero(enc.ok)
    order = usable[np.argsort(enc.length[usable].astype(np.uint8), kind="stable")]
    bounds = np.searchsorted(enc.length[order], np.arange(codec.WIDTH + 2))
    maybe, gained, gained_pos = [], [], []
    six = np.uint64(codec.BITS)
    for length in range(1, codec.WIDTH + 1):
        rows_of_length = order[bounds[length] : bounds[length + 1]]
        low, high = codec.LOW[:length, None], codec.HIGH[:length, None]
        for s in range(0, len(rows_of_length), CHUNK):
            rows = rows_of_length[s : s + CHUNK]
            q = enc.cls[rows]
            maybe.append(rows[np.flatnonzero(slots.any_bloom.contains(hash_keys(q)))])
            if length < 2:
                continue
            d = q[None, :] & low
            d |= (q >> six)[None, :] & high
            d *= MULT  # hashed in place (``hash_keys``)
            hit = slots.exact.may_contain(d.ravel())
            pos, idx = np.divmod(np.flatnonzero(hit), len(rows))
            gained.append(rows[idx])
            gained_pos.append(pos)

    def cat(parts: list[I64]) -> I64:
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    return cat(maybe), cat(gained), cat(gained_pos)


def find_candidates(slots: Slots, enc: codec.Encoded) -> Candidates:
    """Verified (read, entry) pairs, ordered by read then entry slot."""
    if len(enc) >= 1 << 31 or slots.n >= 1 << 27:
        raise ValueError("batch or index too large for the sort key")
    maybe, gained, gained_pos = _probe(slots, enc)
    same = lost = maybe
    reads, found_slots, confs, indels = [], [], [], []
    # same length: class keys equal
    q, v = slots.exact.lookup(enc.cls[same])
    r, sl = same[q], v >> 4
    reads.append(r)
    found_slots.append(sl)
    confs.append(codec.confusions(enc.raw[r], slots.raw[sl]))
    indels.append(np.zeros(len(r), np.int64))
    # the read lost a character: its key is a deletion of the entry's
    q, v = slots.dels.lookup(enc.cls[lost])
    r, sl, pos = lost[q], v >> 4, v & 15
    reads.append(r)
    found_slots.append(sl)
    confs.append(codec.confusions(enc.raw[r], codec.delete(slots.raw[sl], pos)))
    indels.append(np.full(len(r), -1, np.int64))
    # the read gained a character: one of its deletions is the entry's key
    q, v = slots.exact.lookup(codec.delete(enc.cls[gained], gained_pos))
    r, pos, sl = gained[q], gained_pos[q], v >> 4
    reads.append(r)
    found_slots.append(sl)
    confs.append(codec.confusions(codec.delete(enc.raw[r], pos), slots.raw[sl]))
    indels.append(np.ones(len(r), np.int64))

    read = np.concatenate(reads)
    slot = np.concatenate(found_slots)
    conf = np.concatenate(confs)
    indel = np.concatenate(indels)
    keep = slots.alive[slot] & (conf <= slots.max_confusions[slot])
    keep &= (indel == 0) | slots.indel_ok[slot]
    read, slot, conf, indel = read[keep], slot[keep], conf[keep], indel[keep]
    # one sort key: read, entry, then the better alignment (no indel, fewer confusions)
    key = (read << 32) | (slot << 5) | (np.abs(indel) << 4) | conf
    order = np.argsort(key)
    key, read, slot, conf, indel = key[order], read[order], slot[order], conf[order], indel[order]
    pair = key >> 5
    first = np.ones(len(read), np.bool_)
    first[1:] = pair[1:] != pair[:-1]
    return Candidates(read[first], slot[first], conf[first], indel[first])
