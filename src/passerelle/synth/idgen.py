"""Vectorised identifiers and check digits for the synthetic registers.

Each function mirrors a rule of ``passerelle.domain.identifiers`` or
``documents`` on numpy arrays (the tests check them against those functions
and python-stdnum). Arrays of digits are ``(n, k)`` integer matrices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

Ints = npt.NDArray[np.int64]
Strs = npt.NDArray[np.str_]

_VERHOEFF_D = np.array([
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6], [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
])  # fmt: skip
_VERHOEFF_P = np.array([
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2], [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
])  # fmt: skip
_VERHOEFF_INV = np.array([0, 4, 3, 2, 1, 5, 6, 7, 8, 9])


def digits_of(values: Ints, k: int) -> Ints:
    """``(n, k)`` matrix of the decimal digits of ``values``, most significant first."""
    powers = 10 ** np.arange(k - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers[None, :]) % 10


def ascii_to_str(codes: npt.NDArray[np.integer[Any]]) -> Strs:
    """Rows of ASCII codes → array of strings."""
    k = codes.shape[1]
    raw = np.ascontiguousarray(codes.astype(np.uint8)).view(f"S{k}").ravel()
    return raw.astype(f"U{k}")


def zfill(values: Ints, k: int) -> Strs:
    return ascii_to_str(digits_of(values, k) + 48)


def luhn_digit(digits: Ints) -> Ints:
    """Luhn check digit to append to each row."""
    rev = digits[:, ::-1]
    doubled = rev[:, 0::2] * 2
    total = (doubled // 10 + doubled % 10).sum(axis=1) + rev[:, 1::2].sum(axis=1)
    out: Ints = (10 - total % 10) % 10
    return out


def verhoeff_digit(digits: Ints) -> Ints:
    """Verhoeff check digit to append to each row."""
    c = np.zeros(len(digits), dtype=np.int64)
    for i, col in enumerate(digits[:, ::-1].T):
        c = _VERHOEFF_D[c, _VERHOEFF_P[(i + 1) % 8, col]]
    return _VERHOEFF_INV[c].astype(np.int64)


def mod11_10_digit(digits: Ints) -> Ints:
    """ISO 7064 mod 11,10 check digit (as python-stdnum computes it)."""
    check = np.full(len(digits), 5, dtype=np.int64)
    for col in digits.T:
        check = ((np.where(check == 0, 10, check) * 2) % 11 + col) % 10
    out: Ints = (1 - (np.where(check == 0, 10, check) * 2) % 11) % 10
    return out


def icao_digit(codes: Ints) -> Ints:
    """ICAO 9303 7-3-1 check digit over rows of ASCII codes (digits and A-Z)."""
    values = np.where(codes >= 65, codes - 55, codes - 48)
    weights = np.resize(np.array([7, 3, 1]), codes.shape[1])
    out: Ints = (values * weights).sum(axis=1) % 10
    return out


def rank_within(keys: Ints) -> Ints:
    """For each row, how many earlier rows share its key (0 for the first)."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.r_[0, np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    ranks = np.empty_like(keys)
    ranks[order] = np.arange(len(keys)) - group_start
    return ranks


def first_occurrence(values: Strs) -> npt.NDArray[np.bool_]:
    """True where a value appears for the first time (in array order)."""
    _, index = np.unique(values, return_index=True)
    mask = np.zeros(len(values), dtype=bool)
    mask[index] = True
    return mask


def isin(values: Strs, options: Strs | list[str] | tuple[str, ...]) -> npt.NDArray[np.bool_]:
    """``numpy.isin`` for strings, hashed (numpy compares them pairwise)."""
    allowed = pl.Series("o", list(options), dtype=pl.String)
    mask: npt.NDArray[np.bool_] = pl.Series("v", values).is_in(allowed.implode()).to_numpy()
    return mask


def be_nn(year: Ints, month: Ints, day: Ints, serial: Ints) -> Strs:
    """BE national numbers; ``month``/``day`` 0 when unknown, ``serial`` 1..997."""
    body = (year % 100) * 10_000_000 + month * 100_000 + day * 1000 + serial
    base = body + np.where(year >= 2000, 2_000_000_000, 0)
    return zfill(body * 100 + 97 - base % 97, 11)


def lu_matricule(year: Ints, month: Ints, day: Ints, serial: Ints) -> Strs:
    """LU matricules: YYYYMMDD, 3-digit serial, Luhn digit, Verhoeff digit."""
    body = year * 10_000_000 + month * 100_000 + day * 1000 + serial
    digits = digits_of(body, 11)
    return zfill(body * 100 + luhn_digit(digits) * 10 + verhoeff_digit(digits), 13)


BSN_SPACE = 6_000_000


def nl_bsn(unique: Ints, rng: np.random.Generator) -> Strs:
    """BSNs from distinct ``unique`` values in ``[0, BSN_SPACE)``.

    The first 7 digits come from ``unique`` (first digit 1-6), the 8th is free
    and is chosen so that the 11-test check digit is not 10.
    """
    head = digits_of(1_000_000 + unique, 7)
    partial = (head * np.arange(9, 2, -1)).sum(axis=1)
    free = rng.integers(0, 10, len(unique))
    # The 8th digit has weight 2: exactly one of its values gives check 10.
    free = np.where((partial + 2 * free) % 11 == 10, (free + 1) % 10, free)
    check = (partial + 2 * free) % 11
    return zfill(((1_000_000 + unique) * 10 + free) * 10 + check, 9)


def de_idnr(rng: np.random.Generator, n: int) -> Strs:
    """``n`` random IdNr: 10 digits with exactly one digit twice, then mod 11,10."""
    size = n + n // 8 + 16
    perm = np.argsort(rng.random((size, 10)), axis=1)[:, :9].astype(np.int64)
    dup_col = rng.integers(0, 9, size)
    insert_at = rng.integers(0, 10, size)
    cols = np.arange(10)[None, :]
    src = np.clip(cols - (cols > insert_at[:, None]), 0, 8)
    body = np.take_along_axis(perm, src, axis=1)
    dup = perm[np.arange(size), dup_col]
    body = np.where(cols == insert_at[:, None], dup[:, None], body)
    body = body[body[:, 0] != 0][:n]
    if len(body) < n:  # pragma: no cover - needs ~n/8 leading zeros in a row
        raise RuntimeError("not enough IdNr candidates")
    full = np.concatenate([body, mod11_10_digit(body)[:, None]], axis=1)
    return ascii_to_str(full + 48)
