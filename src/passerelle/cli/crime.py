"""`passerelle crime ...`: near repeat, hotspots, trends, incident import and exports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from passerelle.cli import crime_data
from passerelle.cli.common import console, err, handle_errors, print_json
from passerelle.crime.nearrepeat import NearRepeatResult, NearRepeatSettings, knox_bands
from passerelle.crime.points import read_points

app = typer.Typer(help="Shared crime picture: near repeat, hotspots, trends.", no_args_is_help=True)
app.command("import")(crime_data.import_)
app.command("hotspots")(crime_data.hotspots)
app.command("trends")(crime_data.trends)

SHOWN_ERRORS = 20


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


@app.command("near-repeat")
@handle_errors
def near_repeat(
    file: Annotated[
        Path, typer.Argument(help="x,y,date with no header (the calculator's input) or a CSV.")
    ],
    spatial_bandwidth: Annotated[float, typer.Option(help="Width of a distance band (m).")],
    spatial_bands: Annotated[int, typer.Option(help="Number of distance bands.")],
    temporal_bandwidth: Annotated[int, typer.Option(help="Width of a time band (days).")],
    temporal_bands: Annotated[int, typer.Option(help="Number of time bands.")],
    distance: Annotated[str, typer.Option(help="manhattan or euclidean.")] = "manhattan",
    permutations: Annotated[int, typer.Option(help="Monte Carlo permutations.")] = 99,
    seed: Annotated[int | None, typer.Option(help="Random seed (repeatable runs).")] = None,
    nrc_compatible: Annotated[
        bool, typer.Option("--nrc-compatible", help="Label bands as the calculator does.")
    ] = False,
    date_format: Annotated[
        str | None, typer.Option(help="strptime format of the dates (default: ISO).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the tables as JSON.")] = False,
) -> None:
    """Knox test in the banded form of Ratcliffe's Near Repeat Calculator.

    Rows: same location, the distance bands, the open-ended band; columns: the
    time bands and the open-ended band. A band "a to b" in the calculator's
    labels is the interval [a-1, b), as the calculator computes it.
    """
    settings = NearRepeatSettings(
        spatial_bandwidth=spatial_bandwidth,
        spatial_bands=spatial_bands,
        temporal_bandwidth=temporal_bandwidth,
        temporal_bands=temporal_bands,
        distance=distance,  # type: ignore[arg-type]  # validated in NearRepeatSettings
        permutations=permutations,
        seed=seed,
    )
    points = read_points(file, date_format=date_format)
    for bad in points.rejected[:SHOWN_ERRORS]:
        err.print(f"line {bad.line}: {bad.reason}", highlight=False)
    if len(points.rejected) > SHOWN_ERRORS:
        err.print(f"… and {len(points.rejected) - SHOWN_ERRORS:,} more rejected rows")
    with _bar(json) as bar:
        task = bar.add_task(f"{len(points.days):,} incidents: permutations", total=permutations)
        result = knox_bands(
            points.xy,
            points.days,
            settings,
            nrc_labels=nrc_compatible,
            progress=lambda n: bar.advance(task, n),
        )
    if json:
        out = result.to_dict()
        out["rejected"] = [{"line": b.line, "reason": b.reason} for b in points.rejected]
        print_json(out)
        return
    _print_nr(result)


def _fmt(v: float) -> str:
    return "" if np.isnan(v) else f"{v:.2f}"


def _print_nr(r: NearRepeatResult) -> None:
    for title, cells in (
        ("Observed pairs", r.observed.astype(np.float64)),
        ("Observed over mean expected (Knox ratio)", r.knox_ratio),
        ("p-value", r.p_value),
    ):
        t = Table(title=title)
        t.add_column("distance \\ time")
        for c in r.columns:
            t.add_column(c, justify="right")
        for name, row in zip(r.rows, cells, strict=True):
            vals = [f"{int(v):,}" if title == "Observed pairs" else _fmt(v) for v in row]
            if title == "p-value":
                vals = [f"[bold]{v}[/]" if v and float(v) <= 0.05 else v for v in vals]
            t.add_row(name, *vals)
        console.print(t)
    console.print(
        f"{r.incidents:,} incidents, {r.settings.permutations:,} permutations, "
        f"{r.settings.distance} distance; p ≤ 0.05 in bold."
    )
