"""`passerelle crime import|hotspots|trends`: incidents in a node's store, or from a file."""

from __future__ import annotations

import csv
import datetime as dt
import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from passerelle.cli.common import console, err, handle_errors, print_json, resolve_settings
from passerelle.crime import export, iccs
from passerelle.crime.areas import assign_areas, load_areas
from passerelle.crime.incidents import parse_incidents, report_dict
from passerelle.crime.picture import HotspotSettings, cross_border, hotspot_cells
from passerelle.crime.store import CrimeStore, IncidentFilter
from passerelle.crime.trends import trends as compute_trends
from passerelle.storage.db import create_engine, migrate

EXIT_REJECTED_ROWS = 3
SHOWN_ERRORS = 20

Country = Annotated[str | None, typer.Option(help="Node country (with --data-dir).")]
DataDir = Annotated[Path | None, typer.Option(help="Demo data directory.")]
Config = Annotated[Path | None, typer.Option(help="Node TOML file.")]
Input = Annotated[
    Path | None,
    typer.Option("--input", help="Analyse this incident file instead of a node's store."),
]
SourceFormat = Annotated[
    str, typer.Option(help="canonical, nl, be, de or policeuk (see docs/crime.md).")
]
Iccs = Annotated[str | None, typer.Option("--iccs", help="ICCS class, e.g. 05012 (burglary).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _bar(disable: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=disable,
        transient=True,
    )


def _store(config: Path | None, data_dir: Path | None, country: str | None) -> CrimeStore:
    if data_dir is None and config is None:
        data_dir = Path(".passerelle-demo")
    settings = resolve_settings(config, data_dir, country)
    engine = create_engine(settings.db_url)
    migrate(engine)
    return CrimeStore(engine)


def _incidents(
    input_: Path | None,
    source_format: str,
    f: IncidentFilter,
    config: Path | None,
    data_dir: Path | None,
    country: str | None,
) -> pl.DataFrame:
    if input_ is not None:
        df = parse_incidents(input_, source_format=source_format, country=country).frame
        if f.iccs:
            df = df.filter(pl.col("iccs").str.starts_with(f.iccs))
        if f.since:
            df = df.filter(pl.col("occurred_on") >= f.since)
        if f.until:
            df = df.filter(pl.col("occurred_on") <= f.until)
        return df
    store = _store(config, data_dir, country)
    try:
        return store.frame(f)
    finally:
        store.engine.dispose()


def _filter(iccs_code: str | None, since: str | None, until: str | None) -> IncidentFilter:
    return IncidentFilter(
        iccs=iccs.check_iccs(iccs_code) if iccs_code else None,
        since=dt.date.fromisoformat(since) if since else None,
        until=dt.date.fromisoformat(until) if until else None,
    )


@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="Incident file (CSV with a header, or Parquet).")],
    source_format: SourceFormat = "canonical",
    country: Country = None,
    data_dir: DataDir = None,
    config: Config = None,
    replace: Annotated[bool, typer.Option(help="Replace the country's incidents.")] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Write rejected rows' line and reason here (CSV).")
    ] = None,
    json: Json = False,
) -> None:
    """Validate an incident file and load its valid rows into the node's store (one transaction).

    Exit codes: 0 all rows loaded; 3 valid rows loaded, some rejected (listed);
    1 or 2 nothing loaded.
    """
    t0 = time.perf_counter()
    parsed = parse_incidents(file, source_format=source_format, country=None)
    store = _store(config, data_dir, country)
    try:
        with _bar(json) as bar:
            task = bar.add_task(f"loading {file.name}", total=parsed.frame.height)
            loaded = store.load(
                parsed.frame,
                source_name=file.name,
                source_format=source_format,
                rejected=len(parsed.rejected),
                replace=replace,
                progress=lambda n: bar.advance(task, n),
            )
    finally:
        store.engine.dispose()
    report = report_dict(parsed, loaded=loaded, source=file.name, seconds=time.perf_counter() - t0)
    if rejects is not None:
        with rejects.open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["line", "column", "reason"])
            for b in parsed.rejected:
                w.writerow([b.line, b.column or "", b.reason])
    if json:
        print_json(report)
    else:
        for b in parsed.rejected[:SHOWN_ERRORS]:
            err.print(f"line {b.line}: {b.reason}", highlight=False)
        if len(parsed.rejected) > SHOWN_ERRORS:
            err.print(f"… and {len(parsed.rejected) - SHOWN_ERRORS:,} more (use --rejects FILE)")
        console.print(
            f"[green]loaded[/] {loaded:,} incident(s), {len(parsed.rejected):,} rejected, "
            f"{parsed.unmapped:,} with a code outside the ICCS table {iccs.version()}"
        )
    if parsed.rejected:
        raise typer.Exit(EXIT_REJECTED_ROWS)


@handle_errors
def hotspots(
    input_: Input = None,
    source_format: SourceFormat = "canonical",
    iccs_code: Iccs = None,
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date (inclusive).")] = None,
    resolution: Annotated[int, typer.Option(help="H3 resolution (4-11).")] = 8,
    permutations: Annotated[int, typer.Option(help="Gi* permutations.")] = 999,
    alpha: Annotated[float, typer.Option(help="False-discovery rate.")] = 0.05,
    bandwidth: Annotated[float, typer.Option(help="Kernel density bandwidth (m).")] = 1000.0,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    output: Annotated[
        Path | None, typer.Option(help="Export the cells: .csv, .geojson or .parquet (GeoParquet).")
    ] = None,
    country: Country = None,
    data_dir: DataDir = None,
    config: Config = None,
    json: Json = False,
) -> None:
    """Getis-Ord Gi* hotspots (permutations, FDR) and kernel density on the H3 grid."""
    df = _incidents(
        input_, source_format, _filter(iccs_code, since, until), config, data_dir, country
    )
    s = HotspotSettings(resolution, 1, permutations, alpha, bandwidth, seed)
    with _bar(json) as bar:
        task = bar.add_task(f"{df.height:,} incidents: Gi*", total=None)
        cells = hotspot_cells(df, s, progress=lambda n: bar.advance(task, n))
    straddling = cross_border(df, cells, resolution)
    if output is not None:
        export.write(cells, output)
    hot = cells.filter(pl.col("class") == "hot").sort("z", descending=True)
    if json:
        print_json(
            {
                "incidents": df.height,
                "cells": cells.height,
                "hot": hot.height,
                "cold": cells.filter(pl.col("class") == "cold").height,
                "resolution": resolution,
                "permutations": permutations,
                "alpha": alpha,
                "hotspots": hot.to_dicts(),
                "cross_border": straddling,
            }
        )
        return
    t = Table(title=f"{hot.height} hot cell(s) of {cells.height} (FDR {alpha})")
    for c in ("cell", "count", "z", "q", "density_km2"):
        t.add_column(c, justify="left" if c == "cell" else "right")
    for r in hot.head(20).iter_rows(named=True):
        t.add_row(
            r["cell"], str(r["count"]), f"{r['z']:.2f}", f"{r['q']:.3f}", f"{r['density_km2']:.1f}"
        )
    console.print(t)
    for cl in straddling:
        sides = ", ".join(f"{k}: {v['incidents']}" for k, v in cl["countries"].items())
        console.print(f"cross-border hotspot {cl['cluster']}: {len(cl['cells'])} cells ({sides})")


@handle_errors
def trends(
    input_: Input = None,
    source_format: SourceFormat = "canonical",
    iccs_code: Iccs = None,
    as_of: Annotated[
        str | None, typer.Option(help="Reference day (default: last incident).")
    ] = None,
    level: Annotated[int, typer.Option(help="ICCS level to group by (1-4).")] = 2,
    every: Annotated[str, typer.Option(help="Series step: 1w or 1mo.")] = "1w",
    boundaries: Annotated[
        Path | None, typer.Option(help="GeoJSON polygons: give the changes per area too.")
    ] = None,
    name_property: Annotated[str, typer.Option(help="Property naming each area.")] = "name",
    country: Country = None,
    data_dir: DataDir = None,
    config: Config = None,
    json: Json = False,
) -> None:
    """Counts per ICCS class and country: 28-day and year-to-date change, seasonality."""
    df = _incidents(
        input_, source_format, _filter(iccs_code, None, None), config, data_dir, country
    )
    area = None
    if boundaries is not None:
        names, shapes = load_areas(boundaries, name_property)
        df, area = assign_areas(df, names, shapes), "area"
    out = compute_trends(
        df,
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        level=level,
        every=every,
        area=area,
    )
    if json:
        print_json(out)
        return
    t = Table(title=f"Trends as of {out['as_of']} (ICCS level {level})")
    for c in ("ICCS", "class", "28 days", "vs prev.", "YTD", "vs last year"):
        t.add_column(c)
    for c in out["classes"]:
        d, y = c["total"]["last_28_days"], c["total"]["year_to_date"]
        t.add_row(
            str(c["iccs"]),
            c["label"],
            str(d["current"]),
            f"{d['change_pct']}%" if d["change_pct"] is not None else "–",
            str(y["current"]),
            f"{y['change_pct']}%" if y["change_pct"] is not None else "–",
        )
    console.print(t)
