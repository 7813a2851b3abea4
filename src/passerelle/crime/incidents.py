"""Read and validate incident files of each country's format (CSV or Parquet), vectorised.

Each format is a set of column names mapped onto the canonical columns
(docs/crime.md): ``incident_id``, ``occurred_on`` (date; or ``occurred_at``
date-time), ``period_end`` (optional: the last possible day when only a period is
known), ``latitude``/``longitude`` (WGS 84) or ``municipality_code`` (placed at
the municipality's centre, see ``data/municipalities.csv``), ``offence_code``.
Every bad row is reported with its line (CSV: the file line, header = 1;
Parquet: the row number from 1) and the reason; none is dropped silently.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from passerelle.crime import iccs
from passerelle.exc import InvalidInput

CANONICAL = ("incident_id", "occurred_on", "latitude", "longitude", "offence_code")
# format -> {their column: canonical column}
FORMATS: dict[str, dict[str, str]] = {
    "canonical": {},
    "nl": {
        "registratienummer": "incident_id",
        "pleegdatum": "occurred_on",
        "pleegdatum_eind": "period_end",
        "gemeentecode": "municipality_code",
        "maatschappelijke_klasse": "offence_code",
        "breedtegraad": "latitude",
        "lengtegraad": "longitude",
    },
    "be": {
        "pv_nummer": "incident_id",
        "datum_feiten": "occurred_on",
        "datum_feiten_eind": "period_end",
        "nis_code": "municipality_code",
        "criminele_figuur": "offence_code",
    },
    "de": {
        "vorgangsnummer": "incident_id",
        "tatzeit_beginn": "occurred_on",
        "tatzeit_ende": "period_end",
        "gemeindeschluessel": "municipality_code",
        "pks_schluessel": "offence_code",
        "breite": "latitude",
        "laenge": "longitude",
    },
    "policeuk": {"crime_id": "incident_id", "month": "occurred_on", "crime_type": "offence_code"},
}
FORMAT_COUNTRY = {"nl": "NL", "be": "BE", "de": "DE", "policeuk": "GB"}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m")


@dataclass(frozen=True)
class BadIncident:
    line: int
    reason: str
    column: str | None = None


@dataclass
class ParsedIncidents:
    frame: pl.DataFrame  # canonical columns + country, iccs, line
    rejected: list[BadIncident] = field(default_factory=list)
    unmapped: int = 0  # rows whose national code has no ICCS class


@functools.cache
def municipalities() -> dict[tuple[str, str], tuple[float, float]]:
    text = resources.files("passerelle.crime").joinpath("data", "municipalities.csv")
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    return {(r["country"], r["code"]): (float(r["latitude"]), float(r["longitude"])) for r in rows}


def _read(path: Path, fmt: str | None) -> tuple[pl.DataFrame, int]:
    kind = fmt or ("parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv")
    try:
        if kind == "parquet":
            df = pl.read_parquet(path)
            df = df.with_columns(pl.all().cast(pl.String))
            return df, 1
        df = pl.read_csv(
            path, infer_schema_length=0, encoding="utf8-lossy", truncate_ragged_lines=True
        )
        return df, 2
    except (OSError, pl.exceptions.PolarsError) as e:
        raise InvalidInput(
            f"cannot read {path.name}: {type(e).__name__}", code="crime_unreadable_file"
        ) from None


def _date(col: str) -> pl.Expr:
    s = pl.col(col).str.strip_chars()
    parsed = [s.str.slice(0, 10).str.strptime(pl.Date, f, strict=False) for f in DATE_FORMATS[:3]]
    parsed.append((s + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    return pl.coalesce(parsed)


def parse_incidents(
    path: Path,
    *,
    source_format: str = "canonical",
    country: str | None = None,
    fmt: str | None = None,
) -> ParsedIncidents:
    """Validate a file; good rows as a canonical frame, bad rows with line and reason."""
    if source_format not in FORMATS:
        raise InvalidInput(
            f"unknown incident format {source_format!r}; expected one of {', '.join(FORMATS)}",
            code="crime_unknown_format",
        )
    df, first_line = _read(path, fmt)
    df = df.rename({c: c.strip().lower() for c in df.columns})
    rename = {k: v for k, v in FORMATS[source_format].items() if k in df.columns}
    df = df.rename(rename)
    country = (country or FORMAT_COUNTRY.get(source_format) or "").upper() or None
    if "country" not in df.columns:
        if country is None:
            raise InvalidInput("give --country or a country column", code="crime_missing_columns")
        df = df.with_columns(pl.lit(country).alias("country"))
    if "occurred_on" not in df.columns and "occurred_at" in df.columns:
        df = df.with_columns(pl.col("occurred_at").alias("occurred_on"))
    has_xy = "latitude" in df.columns and "longitude" in df.columns
    missing = [c for c in ("incident_id", "occurred_on", "offence_code") if c not in df.columns]
    if missing or not (has_xy or "municipality_code" in df.columns):
        need = missing or ["latitude/longitude or municipality_code"]
        raise InvalidInput(
            f"{path.name}: missing column(s) {', '.join(need)}",
            code="crime_missing_columns",
            columns=", ".join(need),
        )
    for c in ("latitude", "longitude", "municipality_code", "period_end", "occurred_at"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    df = df.with_row_index("line", offset=first_line)
    lookup = municipalities()
    muni = pl.DataFrame(
        {
            "country": [k[0] for k in lookup],
            "municipality_code": [k[1] for k in lookup],
            "m_lat": [v[0] for v in lookup.values()],
            "m_lon": [v[1] for v in lookup.values()],
        }
    )
    maps = iccs.mappings()
    codes = pl.DataFrame(
        {
            "country": [k[0] for k in maps],
            "offence_code": [k[1] for k in maps],
            "iccs": [m.iccs_code for m in maps.values()],
            "mapped": [True] * len(maps),
        },
        schema={
            "country": pl.String,
            "offence_code": pl.String,
            "iccs": pl.String,
            "mapped": pl.Boolean,
        },
    )
    df = (
        df.with_columns(
            pl.col("incident_id", "offence_code", "country", "municipality_code").str.strip_chars(),
            _date("occurred_on").alias("day"),
            _date("period_end").alias("end_day"),
            pl.col("latitude").str.strip_chars().cast(pl.Float64, strict=False).alias("plat"),
            pl.col("longitude").str.strip_chars().cast(pl.Float64, strict=False).alias("plon"),
        )
        .with_columns(pl.col("country").str.to_uppercase())
        .join(muni, on=["country", "municipality_code"], how="left")
        .join(codes, on=["country", "offence_code"], how="left")
        .with_columns(
            pl.coalesce("plat", "m_lat").alias("lat"), pl.coalesce("plon", "m_lon").alias("lon")
        )
    )
    if source_format == "policeuk":
        # a month only: the period runs to the month's last day
        df = df.with_columns(pl.col("day").dt.month_end().alias("end_day"))
    dup = pl.col("incident_id").is_duplicated() & (
        pl.col("line") != pl.col("line").min().over("incident_id")
    )
    coord_given = pl.col("latitude").is_not_null() & (pl.col("latitude").str.strip_chars() != "")
    reason = (
        pl.when(pl.col("incident_id").is_null() | (pl.col("incident_id") == ""))
        .then(pl.lit("incident_id: empty"))
        .when(pl.col("day").is_null())
        .then(pl.lit("occurred_on: not a date (YYYY-MM-DD, DD.MM.YYYY, DD/MM/YYYY or YYYY-MM)"))
        .when(
            pl.col("period_end").is_not_null()
            & (pl.col("period_end") != "")
            & pl.col("end_day").is_null()
        )
        .then(pl.lit("period_end: not a date"))
        .when(pl.col("end_day").is_not_null() & (pl.col("end_day") < pl.col("day")))
        .then(pl.lit("period_end: before occurred_on"))
        .when(pl.col("offence_code").is_null() | (pl.col("offence_code") == ""))
        .then(pl.lit("offence_code: empty"))
        .when(coord_given & (pl.col("plat").is_null() | pl.col("plon").is_null()))
        .then(pl.lit("latitude/longitude: not numbers"))
        .when(pl.col("lat").is_null())
        .then(pl.lit("place: no coordinates and no known municipality_code"))
        .when(~pl.col("lat").is_between(-90, 90) | ~pl.col("lon").is_between(-180, 180))
        .then(pl.lit("latitude/longitude: out of range"))
        .when(dup)
        .then(pl.lit("incident_id: duplicate of an earlier line"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("reason")
    )
    df = df.with_columns(reason).sort("line")
    bad = df.filter(pl.col("reason").is_not_null()).select("line", "reason")
    good = df.filter(pl.col("reason").is_null())
    rejected = [BadIncident(int(line), str(r), str(r).split(":")[0]) for line, r in bad.iter_rows()]
    frame = good.select(
        "line",
        "country",
        "incident_id",
        pl.col("day").alias("occurred_on"),
        pl.col("end_day").alias("period_end"),
        pl.col("lat").alias("latitude"),
        pl.col("lon").alias("longitude"),
        pl.col("municipality_code"),
        pl.col("offence_code"),
        pl.col("iccs"),
    )
    unmapped = int(good.filter(pl.col("mapped").is_null()).height)
    return ParsedIncidents(frame, rejected, unmapped)


def report_dict(p: ParsedIncidents, *, loaded: int, source: str, seconds: float) -> dict[str, Any]:
    return {
        "source": source,
        "loaded": loaded,
        "rejected": len(p.rejected),
        "unmapped_codes": p.unmapped,
        "iccs_version": iccs.version(),
        "seconds": round(seconds, 3),
        "errors": [{"line": b.line, "column": b.column, "reason": b.reason} for b in p.rejected],
    }
