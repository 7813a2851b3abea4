"""Synthetic hotlists and camera reads for the matching-kernel benchmark.

Vehicles carry distinct plates in their countries' real formats
(``passerelle.synth.plategen`` for BE/NL/LU/DE, French SIV here), in the mix
of traffic near the BE–NL–DE border. A hotlist is a random subset of the
vehicles. Reads: ``hit_rate`` of them are of hotlisted vehicles (*planted*),
the rest of others; a share of all reads is misread:

* one OCR confusion inside a class (0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G);
* two such confusions;
* one dropped character, one extra character;
* one substitution outside the classes (M/N, U/V, 4/A, ...) — beyond the
  tolerance: counted apart, not in the recall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from passerelle.domain.countries import Country
from passerelle.matching.keys import CONFUSION_CLASSES
from passerelle.synth.plategen import compact_plates, unique_plates

MIX = {"BE": 0.45, "NL": 0.30, "DE": 0.12, "LU": 0.08, "FR": 0.05}
# share of reads per kind of misread (the rest are read exactly)
MISREADS = {"confusion": 0.030, "confusion2": 0.005, "dropped": 0.006, "extra": 0.004,
            "other": 0.005}  # fmt: skip
_OTHER = {"M": "N", "N": "M", "U": "V", "V": "U", "4": "A", "A": "4", "7": "T", "T": "7",
          "H": "N", "3": "8"}  # fmt: skip
_CLASS_OF = {ch: cls for cls in CONFUSION_CLASSES for ch in cls}
_FR_LETTERS = "ABCDEFGHJKLMNPQRSTVWXYZ"
Strs = npt.NDArray[np.str_]


@dataclass(frozen=True)
class Reads:
    plate: Strs  # what the camera read (canonical)
    truth: Strs  # the plate of the vehicle
    country: list[str | None]  # the camera's country hint
    kind: Strs  # exact or the misread kind
    planted: npt.NDArray[np.bool_]  # the vehicle is on the hotlist


def _fr(rng: np.random.Generator, n: int) -> Strs:
    letters = np.array(list(_FR_LETTERS))
    a = letters[rng.integers(0, len(letters), (n, 4))]
    digits = np.char.zfill(rng.integers(1, 1000, n).astype(str), 3)
    return np.array(
        [f"{x[0]}{x[1]}{d}{x[2]}{x[3]}" for x, d in zip(a, digits, strict=True)], dtype="U10"
    )


def vehicles(rng: np.random.Generator, n: int) -> tuple[Strs, Strs]:
    """(plates, countries) of ``n`` vehicles with distinct plates."""
    counts = rng.multinomial(n, list(MIX.values()))
    plates, countries = [], []
    for (code, _), k in zip(MIX.items(), counts, strict=True):
        if code == "FR":
            p = _fr(rng, int(k))
        else:
            years = rng.integers(1998, 2026, int(k))
            p = compact_plates(unique_plates(Country(code), rng, years))
        plates.append(p.astype("U10"))
        countries.append(np.full(int(k), code))
    plate, country = np.concatenate(plates), np.concatenate(countries)
    frame = pl.DataFrame({"p": plate, "c": country}).unique("p", keep="first", maintain_order=True)
    order = rng.permutation(frame.height)
    return frame["p"].to_numpy()[order].astype("U10"), frame["c"].to_numpy()[order].astype("U2")


def misread(rng: np.random.Generator, text: str, kind: str) -> str:
    pos = int(rng.integers(len(text)))
    if kind in ("confusion", "confusion2"):
        slots = [i for i, ch in enumerate(text) if ch in _CLASS_OF]
        if not slots:
            return text
        picks = rng.choice(slots, size=min(len(slots), 1 if kind == "confusion" else 2),
                           replace=False)  # fmt: skip
        out = list(text)
        for i in picks:
            others = _CLASS_OF[text[i]].replace(text[i], "")
            out[i] = others[int(rng.integers(len(others)))]
        return "".join(out)
    if kind == "dropped":
        return text[:pos] + text[pos + 1 :]
    if kind == "extra":
        alphabet = "ABCDEFGHJKLMNPRSTVXZ0123456789"
        return text[:pos] + alphabet[int(rng.integers(len(alphabet)))] + text[pos:]
    if kind == "other":
        slots = [i for i, ch in enumerate(text) if ch in _OTHER]
        if not slots:
            return text
        i = slots[int(rng.integers(len(slots)))]
        return text[:i] + _OTHER[text[i]] + text[i + 1 :]
    return text


def reads(
    rng: np.random.Generator,
    plates: Strs,
    countries: Strs,
    hot: npt.NDArray[np.int64],
    n: int,
    hit_rate: float = 0.01,
    hint_rate: float = 0.6,
) -> Reads:
    """``n`` reads: ``hit_rate`` of hotlisted vehicles (indices ``hot``), the rest not."""
    is_hot = np.zeros(len(plates), np.bool_)
    is_hot[hot] = True
    others = np.flatnonzero(~is_hot)
    planted = rng.random(n) < hit_rate
    vehicle = np.where(planted, hot[rng.integers(0, len(hot), n)],
                       others[rng.integers(0, len(others), n)])  # fmt: skip
    truth = plates[vehicle]
    kinds = np.array(["exact", *MISREADS])
    p = np.array([1 - sum(MISREADS.values()), *MISREADS.values()])
    kind = kinds[rng.choice(len(kinds), n, p=p)]
    read = truth.astype("U11")
    for i in np.flatnonzero(kind != "exact").tolist():
        read[i] = misread(rng, str(truth[i]), str(kind[i]))
    hint = rng.random(n) < hint_rate
    country = [str(c) if h else None for c, h in zip(countries[vehicle], hint, strict=True)]
    return Reads(read, truth, country, kind, planted)
