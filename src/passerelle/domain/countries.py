"""The countries of the Passerelle federation."""

from __future__ import annotations

from enum import StrEnum

from passerelle.exc import InvalidInput


class Country(StrEnum):
    """A participating country, by ISO 3166-1 alpha-2 code."""

    BE = "BE"
    NL = "NL"
    LU = "LU"
    DE = "DE"

    @property
    def default_language(self) -> str:
        return {"BE": "fr", "NL": "nl", "LU": "fr", "DE": "de"}[self.value]


def parse_country(value: str) -> Country:
    """Parse a country code (case-insensitive); raise ``InvalidInput`` when unknown."""
    code = value.strip().upper()
    try:
        return Country(code)
    except ValueError:
        allowed = ", ".join(c.value for c in Country)
        raise InvalidInput(
            f"unknown country code {value!r}; expected one of {allowed}",
            code="unknown_country",
            value=value,
            allowed=allowed,
        ) from None


def parse_countries(value: str) -> list[Country]:
    """Parse a comma-separated list such as ``"BE,NL"``, keeping order, no duplicates."""
    out: list[Country] = []
    for part in value.split(","):
        if part.strip():
            c = parse_country(part)
            if c not in out:
                out.append(c)
    if not out:
        raise InvalidInput("no country given", code="no_country")
    return out
