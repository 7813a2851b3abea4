"""``normalise_read`` for a whole column at once (Polars expressions).

The same rules as ``passerelle.anpr.plates`` — canonical text, garbage
reason, camera hint or inferred country — built from the same format table,
so a file of a million reads is normalised in a fraction of a second; the
tests check that both agree on arbitrary text.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from passerelle.anpr import codec
from passerelle.anpr.plates import (
    _DE_REGIONAL,
    _PATTERNS,
    COUNTRY_SIGNS,
    CURRENT,
    LEGACY,
    MAX_LENGTH,
    MIN_LENGTH,
    OUTSIDE,
)
from passerelle.domain.plates import NL_LETTERS, NL_SIDECODES

_SEPARATORS = r"[\s\x1c-\x1f\-.·_/:|]+"  # Python's \s also has \x1c-\x1f
_DE_TAIL = r"[A-Z]{1,2}[1-9][0-9]{0,3}[EH]?"
_DE_REGIONAL_RX = "|".join(sorted(_DE_REGIONAL, key=lambda d: (-len(d), d)))
_REPEAT = np.array(
    [sum(1 << (codec.BITS * j) for j in range(n)) for n in range(codec.WIDTH + 1)],
    dtype=np.uint64,
)


def _ascii(pattern: str) -> str:
    """Python's ``re.ASCII`` for Rust's regex: ``\\d`` is 0-9 only."""
    return pattern.replace("\\d", "[0-9]")


def _nl_regex(code: int) -> str:
    letter = f"[{NL_LETTERS}]" if code >= 4 else "[A-Z]"
    return "".join(letter * len(g) if g[0] == "L" else "[0-9]" * len(g) for g in NL_SIDECODES[code])


def canonical_expr(text: pl.Expr) -> pl.Expr:
    """``plates.canonical`` as an expression (a combining diaeresis is dropped, which
    folds a decomposed umlaut the way NFC + folding does)."""
    return (
        text.fill_null("")
        .str.to_uppercase()
        .str.replace_all("\u0308", "", literal=True)
        .str.replace_many(["Ä", "Ö", "Ü"], ["A", "O", "U"])
        .str.replace_all(_SEPARATORS, "")
    )


def country_hint_expr(hint: pl.Expr) -> pl.Expr:
    """``plates.country_code`` as an expression (``None`` for empty)."""
    code = hint.cast(pl.String).str.strip_chars().str.to_uppercase()
    code = pl.when(code == "").then(None).otherwise(code)
    return code.replace(COUNTRY_SIGNS)


def garbage_reasons(plates: pl.Series) -> pl.Series:
    """``plates.garbage_reason`` of each canonical plate (null when usable)."""
    length = plates.str.len_chars()
    frame = pl.DataFrame({"p": plates, "n": length})
    reason = frame.select(
        pl.when(pl.col("n") == 0).then(pl.lit("empty"))
        .when(~pl.col("p").str.contains(r"^[A-Z0-9]+$")).then(pl.lit("bad_characters"))
        .when(pl.col("n") < MIN_LENGTH).then(pl.lit("too_short"))
        .when(pl.col("n") > MAX_LENGTH).then(pl.lit("too_long"))
        .otherwise(None)
        .alias("reason")
    )["reason"]  # fmt: skip
    enc = codec.encode(plates)
    lengths = np.minimum(enc.length, codec.WIDTH)
    repeated = enc.ok & (enc.length > 3) & (enc.cls == (enc.cls & np.uint64(63)) * _REPEAT[lengths])
    if repeated.any():
        reason = reason.scatter(np.flatnonzero(repeated & reason.is_null().to_numpy()),
                                "repeated_character")  # fmt: skip
    return reason


def _strengths(p: pl.Expr) -> dict[str, pl.Expr]:
    """Best format strength per country (0 when none fits)."""
    by_country: dict[str, list[pl.Expr]] = {}
    for country, _name, strength, rx in _PATTERNS:
        by_country.setdefault(country, []).append(
            pl.when(p.str.contains(f"^(?:{_ascii(rx.pattern)})$")).then(strength).otherwise(0)
        )
    for code in NL_SIDECODES:
        by_country.setdefault("NL", []).append(
            pl.when(p.str.contains(f"^{_nl_regex(code)}$"))
            .then(CURRENT if code >= 4 else LEGACY)
            .otherwise(0)
        )
    body = p.str.len_chars() - p.str.ends_with("E").or_(p.str.ends_with("H")).cast(pl.UInt32)
    short = body <= 8
    by_country["DE"] = [
        pl.when(p.str.contains(f"^(?:{_DE_REGIONAL_RX}){_DE_TAIL}$") & short).then(CURRENT)
        .when(p.str.contains(f"^[A-Z]{{1,3}}{_DE_TAIL}$") & short).then(OUTSIDE)
        .otherwise(0)
    ]  # fmt: skip
    return {c: pl.max_horizontal(exprs) for c, exprs in by_country.items()}


def format_strengths(plates: pl.Series) -> pl.DataFrame:
    """Per country (columns), the best strength of a format each plate fits (0: none)."""
    return pl.DataFrame({"p": plates}).select(**_strengths(pl.col("p")))


def _de_regional_regex() -> str:
    """District of the region + letters + digits, at most 8 before the suffix."""
    d1 = "|".join(d for d in _DE_REGIONAL if len(d) < 3)
    d3 = "|".join(d for d in _DE_REGIONAL if len(d) == 3)
    return (f"(?:{d1})[A-Z]{{1,2}}[1-9][0-9]{{0,3}}[EH]?|(?:{d3})[A-Z][1-9][0-9]{{0,3}}[EH]?"
            f"|(?:{d3})[A-Z]{{2}}[1-9][0-9]{{0,2}}[EH]?")  # fmt: skip


def _well_formed_regexes() -> dict[str | None, str]:
    """Per country, one regex of its current and legacy formats; ``None``: any country."""
    parts: dict[str, list[str]] = {}
    for country, _name, strength, rx in _PATTERNS:
        if strength >= LEGACY:
            parts.setdefault(country, []).append(_ascii(rx.pattern))
    for code in NL_SIDECODES:
        parts.setdefault("NL", []).append(_nl_regex(code))
    parts["DE"] = [_de_regional_regex()]
    out: dict[str | None, str] = {c: f"^(?:{'|'.join(p)})$" for c, p in parts.items()}
    out[None] = f"^(?:{'|'.join(p for ps in parts.values() for p in ps)})$"
    return out


_WELL_FORMED = _well_formed_regexes()


def fits_format(plates: pl.Series, countries: pl.Series) -> npt.NDArray[np.bool_]:
    """Whether each plate is well formed (a current or legacy format) in its country, or
    in any country when the country is null; one regex per plate."""
    out = np.zeros(len(plates), np.bool_)
    frame = pl.DataFrame({"p": plates, "c": countries.cast(pl.String)}).with_row_index("i")
    for (country,), group in frame.partition_by("c", as_dict=True).items():
        regex = _WELL_FORMED.get(country if isinstance(country, str) else None)
        if regex is not None:
            out[group["i"].to_numpy()] = group["p"].str.contains(regex).to_numpy()
    return out


def infer_countries(plates: pl.Series) -> pl.Series:
    """``plates.infer_country`` of each canonical plate (null when none or ambiguous)."""
    p = pl.col("p")
    strengths = _strengths(p)
    frame = pl.DataFrame({"p": plates}).select(**strengths)
    top = frame.select(pl.max_horizontal(pl.all()).alias("top"))["top"]
    frame = frame.with_columns(top=top)
    winners = frame.select(
        pl.sum_horizontal([(pl.col(c) == pl.col("top")).cast(pl.Int32) for c in strengths])
    ).to_series()
    choice = frame.select(
        pl.coalesce([pl.when(pl.col(c) == pl.col("top")).then(pl.lit(c)) for c in strengths])
    ).to_series()
    ok = (winners == 1) & (top >= LEGACY)
    return pl.select(pl.when(pl.lit(ok)).then(pl.lit(choice)).otherwise(None)).to_series()
