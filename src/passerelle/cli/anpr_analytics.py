"""`passerelle anpr clones | convoys | journey`: analytics for investigators.

Two ways to run each command:

* on a node (``--config node.toml`` or ``--data-dir`` + ``--country``): the
  node's stored reads within the lawful window, with ``--justification`` and,
  where the law asks for it, ``--legal-ref``; audited like the API;
* on a file of reads (``--reads FILE``, CSV or Parquet, e.g. from ``passerelle
  anpr simulate --out``): for analysts working on an export. ``journey`` needs a
  node (it combines own reads with partners' hits).
"""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.table import Table

from passerelle.anpr.analytics import (
    CANDIDATES,
    AnalysisRequest,
    AnprAnalytics,
    pair_rows,
    rows,
)
from passerelle.anpr.analytics_clones import CloneSettings, detect_clones
from passerelle.anpr.analytics_convoy import ConvoySettings, detect_convoys
from passerelle.auth.roles import Principal, Role
from passerelle.cli.common import console, handle_errors, print_json, resolve_settings
from passerelle.exc import InvalidInput
from passerelle.node.context import NodeContext

Reads = Annotated[Path | None, typer.Option(help="Reads file (CSV/Parquet) instead of a node.")]
Config = Annotated[Path | None, typer.Option(help="Node TOML file.")]
DataDir = Annotated[Path | None, typer.Option(help="Demo data directory (with --country).")]
CountryOpt = Annotated[str | None, typer.Option(help="Node country (with --data-dir).")]
Justification = Annotated[str, typer.Option(help="Why (logged in the audit trail).")]
LegalRefOpt = Annotated[
    str | None, typer.Option(help="Authorisation reference (e.g. procureur du Roi decision).")
]
CaseRef = Annotated[str | None, typer.Option(help="Case reference.")]
Since = Annotated[str | None, typer.Option(help="From (ISO date/time, UTC).")]
Until = Annotated[str | None, typer.Option(help="Until (ISO date/time, UTC).")]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _operator() -> Principal:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal(
        subject=f"cli:{user}",
        name=user,
        roles=frozenset({Role.ANALYST}),
        issuer="cli",
        token_id="",
        expires_at=0,
    )


def _time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput("not an ISO date/time", code="time_invalid", value=value) from None
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)


def load_reads(path: Path) -> pl.DataFrame:
    """A reads file with the columns the analytics need (``timestamp`` or ``read_at``)."""
    if not path.is_file():
        raise InvalidInput("no such file", code="file_not_found", path=str(path))
    if path.suffix.lower() in (".parquet", ".pq"):
        df = pl.read_parquet(path)
    else:
        df = pl.read_csv(path, try_parse_dates=True, infer_schema_length=10_000)
    if "read_at" not in df.columns and "timestamp" in df.columns:
        df = df.rename({"timestamp": "read_at"})
    missing = {"read_id", "plate", "read_at", "lat", "lon", "camera_id"} - set(df.columns)
    if missing:
        raise InvalidInput(
            "the reads file lacks columns",
            code="reads_file_columns",
            missing=", ".join(sorted(missing)),
        )
    if df.schema["read_at"] == pl.String:
        df = df.with_columns(pl.col("read_at").str.to_datetime(time_zone="UTC"))
    elif getattr(df.schema["read_at"], "time_zone", None) is None:
        df = df.with_columns(pl.col("read_at").dt.replace_time_zone("UTC"))
    if "site" not in df.columns:
        df = df.with_columns(site=pl.col("camera_id"))
    plate = pl.col("plate").cast(pl.String).str.to_uppercase().str.replace_all(r"[^A-Z0-9ÄÖÜ]", "")
    return df.with_columns(plate=plate)


def _node(config: Path | None, data_dir: Path | None, country: str | None) -> NodeContext:
    return NodeContext.build(resolve_settings(config, data_dir, country))


def _show(title: str, data: list[dict[str, Any]], columns: list[str]) -> None:
    table = Table(title=title)
    for c in columns:
        table.add_column(c)
    for r in data[:50]:
        table.add_row(*(str(r.get(c, "")) for c in columns))
    console.print(table)


@handle_errors
def clones(
    reads: Reads = None,
    config: Config = None,
    data_dir: DataDir = None,
    country: CountryOpt = None,
    justification: Justification = "",
    legal_ref: LegalRefOpt = None,
    case_ref: CaseRef = None,
    since: Since = None,
    until: Until = None,
    max_speed: Annotated[float, typer.Option(help="Highest plausible speed (km/h).")] = 200.0,
    min_confidence: Annotated[float, typer.Option(help="Leave out reads below this.")] = 0.8,
    json: Json = False,
) -> None:
    """Cloned plates: one plate at two places too far apart for the time between them."""
    settings = CloneSettings(max_speed_kmh=max_speed, min_confidence=min_confidence)
    if reads is not None:
        found = detect_clones(load_reads(reads), settings)
        result: dict[str, Any] = {"clones": rows(found)}
    else:
        ctx = _node(config, data_dir, country)
        try:
            request = AnalysisRequest(
                justification, _time(since), _time(until), legal_ref, case_ref
            )
            result = AnprAnalytics(ctx).clones(_operator(), request, settings)
        finally:
            ctx.engine.dispose()
    if json:
        print_json(result)
        return
    _show(
        f"{len(result['clones'])} suspected cloned plate(s)",
        result["clones"],
        ["plate", "transitions", "max_speed_kmh", "first_site", "second_site", "minutes"],
    )


@handle_errors
def convoys(
    reads: Reads = None,
    config: Config = None,
    data_dir: DataDir = None,
    country: CountryOpt = None,
    justification: Justification = "",
    legal_ref: LegalRefOpt = None,
    case_ref: CaseRef = None,
    since: Since = None,
    until: Until = None,
    window: Annotated[float, typer.Option(help="Seconds apart at one camera.")] = 90.0,
    min_occasions: Annotated[int, typer.Option(help="Separate journeys together.")] = 2,
    min_sites: Annotated[int, typer.Option(help="Distinct sites together.")] = 3,
    fdr: Annotated[float, typer.Option(help="False-discovery rate (Benjamini-Hochberg).")] = 0.05,
    json: Json = False,
) -> None:
    """Convoys: vehicles seen together at several sites, more often than traffic explains."""
    settings = ConvoySettings(
        window_s=window, min_occasions=min_occasions, min_sites=min_sites, fdr=fdr
    )
    if reads is not None:
        groups, pairs = detect_convoys(load_reads(reads), settings)
        result: dict[str, Any] = {
            "pairs_tested": int(pairs["tested"][0]) if pairs.height else 0,
            "convoys": [{"plates": g} for g in groups],
            "pairs": pair_rows(pairs.filter(pl.col("convoy"))),
            "candidates": pair_rows(pairs.filter(~pl.col("convoy")).head(CANDIDATES)),
        }
    else:
        ctx = _node(config, data_dir, country)
        try:
            request = AnalysisRequest(
                justification, _time(since), _time(until), legal_ref, case_ref
            )
            result = AnprAnalytics(ctx).convoys(_operator(), request, settings)
        finally:
            ctx.engine.dispose()
    if json:
        print_json(result)
        return
    columns = ["plate_a", "plate_b", "occasions", "sites", "expected", "lift", "p_value"]
    _show(f"{len(result['convoys'])} convoy(s)", result["pairs"], columns)
    if result["candidates"]:
        _show("strongest other pairs (not significant)", result["candidates"][:10], columns)


@handle_errors
def journey(
    plate: Annotated[str, typer.Argument(help="The plate.")],
    config: Config = None,
    data_dir: DataDir = None,
    country: CountryOpt = None,
    justification: Justification = "",
    legal_ref: LegalRefOpt = None,
    case_ref: CaseRef = None,
    since: Since = None,
    until: Until = None,
    geojson_out: Annotated[
        Path | None, typer.Option("--geojson", help="Write GeoJSON here.")
    ] = None,
    json: Json = False,
) -> None:
    """A vehicle's journey: own reads plus partners' hits on our hotlist entries for it."""
    import json as json_module

    ctx = _node(config, data_dir, country)
    try:
        request = AnalysisRequest(justification, _time(since), _time(until), legal_ref, case_ref)
        result = AnprAnalytics(ctx).journey(_operator(), plate, request)
    finally:
        ctx.engine.dispose()
    if geojson_out is not None:
        geojson_out.write_text(json_module.dumps(result["geojson"]), encoding="utf-8")
    if json:
        print_json({k: v for k, v in result.items() if k != "geojson"})
        return
    _show(
        f"{result['summary']['points']} point(s), {result['summary']['crossings']} crossing(s)",
        result["points"],
        ["at", "source", "country", "site", "km", "minutes", "speed_kmh"],
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the ``passerelle anpr`` sub-app."""
    app.command("clones")(clones)
    app.command("convoys")(convoys)
    app.command("journey")(journey)
