"""Synthetic identity documents: numbers in each country's format, valid check digits."""

from __future__ import annotations

import numpy as np
import polars as pl

from passerelle.domain.countries import Country
from passerelle.domain.documents import DE_ALPHABET, NL_LETTERS
from passerelle.synth.idgen import Ints, Strs, ascii_to_str, first_occurrence, icao_digit, zfill
from passerelle.synth.people import REFERENCE_DATE, iso_dates

_UPPER = b"ABCDEFGHIJKLMNPRSTUVWXYZ"
# P(document) per person: (id_card, passport, driving_licence, residence_permit)
RATES = {
    Country.BE: (0.97, 0.20, 0.25, 0.8), Country.NL: (0.55, 0.45, 0.25, 0.8),
    Country.LU: (0.90, 0.30, 0.25, 0.8), Country.DE: (0.90, 0.25, 0.25, 0.8),
}  # fmt: skip
ID_CARD_AGE = {Country.BE: 12, Country.NL: 0, Country.LU: 15, Country.DE: 16}
STATUSES = (("valid", 0.955), ("lost", 0.025), ("stolen", 0.012), ("revoked", 0.008))


def _codes(rng: np.random.Generator, alphabet: bytes | str, n: int, k: int) -> Ints:
    table = np.frombuffer(alphabet.encode() if isinstance(alphabet, str) else alphabet, np.uint8)
    return table[rng.integers(0, len(table), (n, k))].astype(np.int64)


def _numbers(rng: np.random.Generator, country: Country, kind: str, n: int) -> Strs:
    c = country
    if c == Country.BE and kind in ("id_card", "residence_permit"):
        first10 = rng.integers(590_000_000, 620_000_000, n) * 10 + rng.integers(0, 10, n)
        check = first10 % 97
        return zfill(first10 * 100 + np.where(check == 0, 97, check), 12)
    if kind == "driving_licence" and c in (Country.BE, Country.NL):
        return zfill(rng.integers(1_000_000_000, 10_000_000_000, n), 10)
    if c == Country.NL:
        letters = NL_LETTERS.encode()
        parts = [_codes(rng, letters, n, 2), _codes(rng, letters + b"0123456789", n, 6),
                 _codes(rng, b"0123456789", n, 1)]  # fmt: skip
        return ascii_to_str(np.concatenate(parts, axis=1))
    if c == Country.DE:
        if kind == "driving_licence":
            return ascii_to_str(_codes(rng, b"B0123456789" + _UPPER, n, 11))
        lead = b"CFGHJK" if kind == "passport" else b"LMNPRTVWXYZ"
        body = np.concatenate([_codes(rng, lead, n, 1), _codes(rng, DE_ALPHABET, n, 8)], axis=1)
        return ascii_to_str(np.concatenate([body, 48 + icao_digit(body)[:, None]], axis=1))
    if kind == "driving_licence":  # LU
        return ascii_to_str(_codes(rng, b"0123456789", n, 9))
    head, tail = _codes(rng, _UPPER, n, 2), _codes(rng, b"0123456789", n, 6)
    return ascii_to_str(np.concatenate([head, tail], axis=1))


def unique_numbers(rng: np.random.Generator, country: Country, kind: str, n: int) -> Strs:
    out = _numbers(rng, country, kind, n)
    for _ in range(20):
        dup = ~first_occurrence(out)
        if not dup.any():
            return out
        out[dup] = _numbers(rng, country, kind, int(dup.sum()))
    raise RuntimeError("could not draw distinct document numbers")  # pragma: no cover


def documents(
    rng: np.random.Generator, country: Country, population: pl.DataFrame, ages: Ints
) -> pl.DataFrame:
    """About 1.2 documents per person, a few of them lost, stolen or revoked."""
    n = population.height
    own = population["nationality"].to_numpy() == country.value
    id_rate, passport_rate, licence_rate, permit_rate = RATES[country]
    wants = {
        "id_card": own & (ages >= ID_CARD_AGE[country]) & (rng.random(n) < id_rate),
        "passport": own & (rng.random(n) < passport_rate),
        "driving_licence": (ages >= 18) & (rng.random(n) < licence_rate),
        "residence_permit": ~own & (rng.random(n) < permit_rate),
    }
    holders = population["national_id"].to_numpy()
    parts = []
    for kind, mask in wants.items():
        rows = np.flatnonzero(mask)
        parts.append(
            pl.DataFrame(
                {
                    "document_number": unique_numbers(rng, country, kind, len(rows)),
                    "document_type": np.full(len(rows), kind),
                    "holder_national_id": holders[rows].astype(str),
                },
                schema=dict.fromkeys(
                    ("document_number", "document_type", "holder_national_id"), pl.String
                ),
            )
        )
    frame = pl.concat(parts)
    m = frame.height
    names, p = zip(*STATUSES, strict=True)
    status = np.array(names)[rng.choice(len(names), m, p=np.array(p))]
    ref = np.datetime64(REFERENCE_DATE.isoformat(), "D").astype(np.int64)
    reported = iso_dates(ref - rng.integers(0, 3 * 365, m))
    order = rng.permutation(m)
    return frame.with_columns(
        issuing_country=pl.lit(country.value),
        status=pl.Series(status),
        reported_on=pl.Series(np.where(status == "valid", "", reported)),
    )[order]
