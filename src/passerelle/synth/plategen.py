"""Synthetic licence plates (display form) and VINs, vectorised.

Formats follow ``passerelle.domain.plates``; the form depends on the year of
first registration (approximately: BE ABC-123 until 2008, 123-ABC 2008–2010,
1-ABC-234 from 2010 and 2-ABC-234 from 2021; NL sidecode 6 before 1991, then
7, 8, 9, 10, 11, 12 and 13 from 2019; LU numeric plates on older cars).
Plates in the BE system follow their holder, so old forms stay on new cars.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from passerelle.domain.countries import Country
from passerelle.domain.plates import NL_SIDECODES
from passerelle.synth.idgen import Ints, Strs, ascii_to_str, first_occurrence, isin, zfill

ALL_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NL_MODERN = b"BDFGHJKLNPRSTVXZ"
DIGITS = b"0123456789"
VIN_CHARS = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # 1980 … 2009, then again from 2010
DE_WEIGHTS = {"AC": 40, "DN": 12, "HS": 12, "EU": 7, "MON": 2, "SLE": 2, "JÜL": 3, "K": 8,
              "D": 3, "BM": 3, "GL": 1, "NE": 2, "MG": 3, "VIE": 2, "WES": 1, "KLE": 1,
              "GK": 1, "ERK": 1}  # fmt: skip
_DE_FORBIDDEN = ("HJ", "KZ", "NS", "SA", "SS")


def _chars(rng: np.random.Generator, alphabet: bytes, n: int, k: int) -> Strs:
    table = np.frombuffer(alphabet, dtype=np.uint8)
    return ascii_to_str(table[rng.integers(0, len(table), (n, k))])


def _num(rng: np.random.Generator, n: int, low: int, high: int, width: int) -> Strs:
    return zfill(rng.integers(low, high, n), width)


def _join(*parts: Strs | str) -> Strs:
    cols = [pl.lit(p) if isinstance(p, str) else pl.Series(f"c{i}", p) for i, p in enumerate(parts)]
    return pl.select(pl.concat_str(cols).alias("x")).to_series().to_numpy().astype(str)


def be_plates(rng: np.random.Generator, years: Ints) -> Strs:
    n = len(years)
    out = np.empty(n, dtype="U9")
    letters, digits = _chars(rng, ALL_LETTERS, n, 3), _num(rng, n, 1, 1000, 3)
    current = _join(np.where(years >= 2021, "2", "1"), "-", letters, "-", digits)
    old = (years < 2008) & (rng.random(n) < 0.7)
    mid = (years >= 2008) & (years < 2010) & (rng.random(n) < 0.7)
    out[:] = current
    out[old] = _join(letters, "-", digits)[old]
    out[mid] = _join(digits, "-", letters)[mid]
    return out


def _nl_code(years: Ints) -> Ints:
    bounds = np.array([1991, 1999, 2005, 2009, 2013, 2015, 2019])
    return np.array([6, 7, 8, 9, 10, 11, 12, 13])[np.searchsorted(bounds, years, side="right")]


def nl_plates(rng: np.random.Generator, years: Ints) -> Strs:
    n = len(years)
    out = np.empty(n, dtype="U8")
    codes = _nl_code(years)
    for code in np.unique(codes):
        rows = np.flatnonzero(codes == code)
        parts: list[Strs | str] = []
        for g in NL_SIDECODES[int(code)]:
            alphabet = NL_MODERN if g[0] == "L" else DIGITS
            parts += [_chars(rng, alphabet, len(rows), len(g)), "-"]
        out[rows] = _join(*parts[:-1])
    return out


def lu_plates(rng: np.random.Generator, years: Ints) -> Strs:
    n = len(years)
    letters = _join(
        _chars(rng, b"ABCDEFGHJKLMNPRSTUVWXYZ", n, 2), " ", _num(rng, n, 1000, 10000, 4)
    )
    numeric = rng.integers(1000, 100000, n).astype("U7")
    use_numeric = (years < 2008) & (rng.random(n) < 0.6)
    return np.where(use_numeric, numeric, letters)


def de_plates(rng: np.random.Generator, years: Ints) -> Strs:
    n = len(years)
    names = np.array(list(DE_WEIGHTS))
    w = np.array(list(DE_WEIGHTS.values()), dtype=float)
    district = names[rng.choice(len(names), n, p=w / w.sum())]
    two = rng.random(n) < 0.8
    letters = np.where(two, _chars(rng, ALL_LETTERS, n, 2), _chars(rng, ALL_LETTERS, n, 1))
    bad = isin(letters, _DE_FORBIDDEN)
    letters[bad] = np.char.add(letters[bad].astype("U1"), "B")
    room = 8 - np.char.str_len(district) - np.char.str_len(letters)
    ndigits = np.minimum(rng.integers(1, 5, n), room)
    number = (10 ** (ndigits - 1) + rng.random(n) * 9 * 10 ** (ndigits - 1)).astype(np.int64)
    suffix = np.where((years >= 2015) & (rng.random(n) < 0.06), "E", "")
    suffix = np.where((years <= 1995) & (rng.random(n) < 0.3), "H", suffix)
    return _join(district, "-", letters, " ", number.astype(str), suffix)


MAKERS = {Country.BE: be_plates, Country.NL: nl_plates, Country.LU: lu_plates,
          Country.DE: de_plates}  # fmt: skip


def compact_plates(plates: Strs) -> Strs:
    """``normalise_plate`` for a whole array."""
    series = pl.Series("p", plates).str.replace_all(r"[\s\-.]", "").str.to_uppercase()
    return series.to_numpy().astype(str)


def unique_plates(country: Country, rng: np.random.Generator, years: Ints) -> Strs:
    """Plates for each vehicle, distinct by compact form (duplicates redrawn)."""
    out = MAKERS[country](rng, years).astype("U12")
    for attempt in range(50):
        dup = ~first_occurrence(compact_plates(out))
        if not dup.any():
            return out
        # After two tries fall back to the roomiest current form (LU numbers run out).
        redraw_years = years[dup] if attempt < 2 else np.full(int(dup.sum()), 2025)
        out[dup] = MAKERS[country](rng, redraw_years)
    raise RuntimeError("could not draw distinct plates")  # pragma: no cover


def vin_year_code(years: Ints) -> Strs:
    table = np.array(list(VIN_YEARS))
    return table[(years - 1980) % 30]


def vins(rng: np.random.Generator, wmi: Strs, years: Ints) -> Strs:
    """ISO 3779 VINs: WMI, 6 VDS characters, model year, plant, 6-digit serial."""
    n = len(wmi)
    return _join(
        wmi,
        _chars(rng, VIN_CHARS, n, 6),
        vin_year_code(years),
        _chars(rng, VIN_CHARS, n, 1),
        _num(rng, n, 0, 1_000_000, 6),
    )
