"""Plate normalisation: properties (Hypothesis) and the country hint."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from passerelle.anpr.plates import (
    LEGACY,
    canonical,
    country_code,
    formats,
    garbage_reason,
    infer_country,
    normalise_read,
)
from passerelle.anpr.plates_vector import (
    canonical_expr,
    country_hint_expr,
    fits_format,
    garbage_reasons,
    infer_countries,
)
from passerelle.domain.countries import Country
from passerelle.domain.plates import parse_plate

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=16)
PLATEISH = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyzÄÖÜ -.", max_size=12)
REALISH = st.from_regex(
    r"[1-9][A-Z]{3}\d{3}|[A-Z]{2}\d{4}|[A-Z]{2}-\d{3}-[A-Z]|AC-[A-Z]{1,2} [1-9]\d{0,3}E?"
    r"|[A-Z]{3}\d{3}|\d{1,4}[A-Z]{1,3}\d{2}|[A-Z]{2}\d{3}[A-Z]{2}|\d\d[A-Z]{2}\d\d|\d{4,5}",
    fullmatch=True,
)
HINTS = st.sampled_from([None, "", "B", "BE", "nl", "L", "D", "F", "PL"])


@given(TEXT)
def test_canonical_is_idempotent(text: str) -> None:
    assert canonical(canonical(text)) == canonical(text)


@given(st.one_of(TEXT, PLATEISH), HINTS)
def test_normalise_read_is_idempotent(text: str, hint: str | None) -> None:
    first = normalise_read(text, hint)
    again = normalise_read(first.plate, first.country)
    assert again.plate == first.plate
    assert again.country == first.country
    assert again.valid == first.valid


@given(st.one_of(TEXT, PLATEISH), HINTS)
def test_normalise_read_never_raises_and_is_consistent(text: str, hint: str | None) -> None:
    read = normalise_read(text, hint)
    if read.valid:
        assert read.reason is None and 2 <= len(read.plate) <= 10
        assert read.plate.isascii() and read.plate.isalnum()
        assert read.plate.isupper() or read.plate.isdigit()
    else:
        assert read.plate == "" and read.reason is not None
    if country_code(hint):
        assert read.country == country_code(hint) and not read.inferred
    elif read.valid:
        assert read.inferred is (read.country is not None)


@given(PLATEISH)
def test_inferred_country_has_a_fitting_format(text: str) -> None:
    plate = canonical(text)
    if garbage_reason(plate) is None:
        country = infer_country(plate)
        if country is not None:
            assert country in {c for c, _, _ in formats(plate)}


def test_registered_plates_of_every_country_are_recognised() -> None:
    # the formats the domain validates (registers) are those we infer from
    for country, text in [(Country.BE, "1-ABC-234"), (Country.NL, "GB-123-X"),
                          (Country.LU, "AB 1234"), (Country.DE, "AC-AB 123")]:  # fmt: skip
        parsed = parse_plate(country, text)
        assert normalise_read(text).country == country.value
        assert normalise_read(text).plate == parsed.text


def test_country_hints() -> None:
    assert [country_code(h) for h in ("B", "be", " NL ", "L", "D", "F", "", None, "PL")] == [
        "BE", "BE", "NL", "LU", "DE", "FR", None, None, "PL",
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TEXT, PLATEISH, REALISH), min_size=1, max_size=20))
def test_column_normalisation_agrees_with_scalar(texts: list[str]) -> None:
    plates = pl.select(canonical_expr(pl.lit(pl.Series(texts, dtype=pl.String)))).to_series()
    reasons = garbage_reasons(plates).to_list()
    scalar = [canonical(t) for t in texts]
    assert reasons == [garbage_reason(p) for p in scalar]
    # the text of garbage may differ (NFC is not applied to it): only usable plates count
    assert [p if r is None else "" for p, r in zip(plates.to_list(), reasons, strict=True)] == [
        p if r is None else "" for p, r in zip(scalar, reasons, strict=True)
    ]
    inferred = infer_countries(plates).to_list()
    for p, r, country in zip(plates.to_list(), reasons, inferred, strict=True):
        if r is None:  # the country of garbage is not looked at
            assert country == infer_country(p), p


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.one_of(PLATEISH, REALISH), HINTS), min_size=1, max_size=20))
def test_well_formed_agrees_with_scalar(rows: list[tuple[str, str | None]]) -> None:
    plates = [canonical(t) for t, _ in rows]
    hints = [country_code(h) for _, h in rows]
    got = fits_format(pl.Series(plates, dtype=pl.String), pl.Series(hints, dtype=pl.String))
    for plate, hint, fits in zip(plates, hints, got.tolist(), strict=True):
        strengths = [s for c, _, s in formats(plate) if hint is None or c == hint]
        assert fits == (max(strengths, default=0) >= LEGACY), (plate, hint)


def test_column_hints() -> None:
    hints = pl.Series(["B", " nl", "", None, "PL"], dtype=pl.String)
    assert pl.select(country_hint_expr(pl.lit(hints))).to_series().to_list() == [
        "BE", "NL", None, None, "PL",
    ]  # fmt: skip
