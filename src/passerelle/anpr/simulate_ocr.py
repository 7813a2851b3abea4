"""OCR errors of ANPR cameras, for the simulator.

Rates are in the range reported for fixed motorway ANPR: about 94 % of plates
read exactly by day and 90 % at night. Of the misreads, most are one
confused character (0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G and a few more), then a
dropped character, two confusions, an extra character, and a remnant that is
no plate at all (dirt, a tow bar, half a plate). Confidence is drawn per kind,
so exact reads are confident and remnants are not — but the ranges overlap,
as they do on real cameras. Cameras that classify the plate's country get it
right about 96 % of the time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from passerelle.synth.idgen import Strs

CONFUSIONS: dict[str, str] = {
    "0": "OD", "O": "0DQ", "D": "0O", "Q": "O0", "1": "I7", "I": "1L", "2": "Z", "Z": "2",
    "5": "S", "S": "5", "8": "B", "B": "8", "6": "G", "G": "6C", "M": "N", "N": "MH",
    "U": "V", "V": "UY", "4": "A", "A": "4", "7": "1T", "T": "7", "3": "8", "H": "N",
}  # fmt: skip
KINDS = ("exact", "confusion", "confusion2", "dropped", "extra", "remnant")
_ALNUM = "ABCDEFGHJKLMNPRSTVXZ0123456789"


@dataclass(frozen=True)
class OcrRates:
    error_day: float = 0.06
    error_night: float = 0.10
    # shares of the misreads, in the order of KINDS[1:]
    mix: tuple[float, float, float, float, float] = (0.55, 0.12, 0.15, 0.08, 0.10)
    country_accuracy: float = 0.96


def _confuse(rng: np.random.Generator, text: str) -> str:
    spots = [i for i, ch in enumerate(text) if ch in CONFUSIONS]
    if not spots:
        return _drop(rng, text)
    i = spots[int(rng.integers(len(spots)))]
    options = CONFUSIONS[text[i]]
    return text[:i] + options[int(rng.integers(len(options)))] + text[i + 1 :]


def _drop(rng: np.random.Generator, text: str) -> str:
    i = int(rng.integers(len(text)))
    return text[:i] + text[i + 1 :]


def _extra(rng: np.random.Generator, text: str) -> str:
    i = int(rng.integers(len(text) + 1))
    ch = "1" if rng.random() < 0.4 else _ALNUM[int(rng.integers(len(_ALNUM)))]
    return text[:i] + ch + text[i:]


def _remnant(rng: np.random.Generator, text: str) -> str:
    keep = int(rng.integers(1, 4))
    start = int(rng.integers(0, max(1, len(text) - keep)))
    return text[start : start + keep]


def misread(rng: np.random.Generator, text: str, kind: str) -> str:
    if kind == "confusion":
        return _confuse(rng, text)
    if kind == "confusion2":
        return _confuse(rng, _confuse(rng, text))
    if kind == "dropped":
        return _drop(rng, text)
    if kind == "extra":
        return _extra(rng, text)
    if kind == "remnant":
        return _remnant(rng, text)
    return text


def apply_ocr(
    rng: np.random.Generator,
    plates: Strs,
    night: npt.NDArray[np.bool_],
    rates: OcrRates = OcrRates(),
) -> tuple[Strs, Strs, npt.NDArray[np.float64]]:
    """(text as read, kind of error, confidence) for each true compact plate."""
    n = len(plates)
    p_err = np.where(night, rates.error_night, rates.error_day)
    wrong = rng.random(n) < p_err
    mix = np.array(rates.mix) / sum(rates.mix)
    kind = np.full(n, "exact", dtype="U10")
    kind[wrong] = np.array(KINDS[1:])[rng.choice(len(mix), int(wrong.sum()), p=mix)]
    text = plates.astype("U14")
    for i in np.flatnonzero(wrong):
        text[i] = misread(rng, str(plates[i]), str(kind[i]))
    alpha = {"exact": 30.0, "confusion": 9.0, "confusion2": 6.0, "dropped": 6.0,
             "extra": 7.0, "remnant": 2.0}  # fmt: skip
    beta = {"exact": 1.6, "confusion": 2.0, "confusion2": 2.5, "dropped": 3.0,
            "extra": 2.5, "remnant": 5.0}  # fmt: skip
    a = np.vectorize(alpha.__getitem__, otypes=[float])(kind)
    b = np.vectorize(beta.__getitem__, otypes=[float])(kind)
    confidence = np.round(rng.beta(a, b), 3)
    return text, kind, confidence


def read_countries(
    rng: np.random.Generator,
    true_country: Strs,
    camera_reads_country: npt.NDArray[np.bool_],
    rates: OcrRates = OcrRates(),
) -> list[str | None]:
    """The plate country as the camera reports it (``None`` when it does not classify)."""
    n = len(true_country)
    wrong = rng.random(n) > rates.country_accuracy
    others = np.array(["BE", "NL", "LU", "DE", "FR"])
    swapped = others[rng.integers(0, len(others), n)]
    reported = np.where(wrong, swapped, true_country)
    return [str(c) if ok else None for c, ok in zip(reported, camera_reads_country, strict=True)]
