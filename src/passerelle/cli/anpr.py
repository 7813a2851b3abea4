"""`passerelle anpr ...`: ANPR matching on files, and the commands of the other ANPR
modules (each ``passerelle.cli.anpr_*`` module adds its own with ``register(app)``)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from passerelle.anpr.batch import match_files
from passerelle.cli.common import console, err, handle_errors, print_json

app = typer.Typer(
    help="ANPR: match reads against hotlists, simulate cameras, analyse journeys.",
    no_args_is_help=True,
)


@app.command("match")
@handle_errors
def match(
    hotlist: Annotated[
        Path, typer.Option(help="Hotlist file (.csv or .parquet): entry_id, plate, plate_country.")
    ],
    reads: Annotated[
        Path,
        typer.Option(
            help="Reads file (.csv or .parquet): read_id, plate, timestamp, "
            "optionally plate_country, camera_id, lat, lon."
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            help="Hits file to write (.csv or .parquet): read_id, entry_id, outcome, score."
        ),
    ],
    rejected: Annotated[
        Path | None, typer.Option(help="Also write the rejected rows (file, row, id, reason).")
    ] = None,
    min_score: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Leave out weaker hits (0.5: only those a misread explains better than "
            "another vehicle; see docs/anpr.md).",
        ),
    ] = 0.0,
    json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Match camera reads against a hotlist, tolerating OCR confusions and one indel.

    Rows that cannot be used are rejected with a reason, never dropped.
    """
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=json,
        transient=True,
    ) as bar:
        task = bar.add_task("matching reads", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = match_files(
            hotlist, reads, out, rejected_out=rejected, min_score=min_score, progress=advance
        )
    if json:
        print_json(summary.to_dict())
        return
    table = Table(title="passerelle anpr match")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("reads", f"{summary.reads:,}")
    table.add_row("hotlist entries", f"{summary.hotlist_entries:,}")
    for outcome, n in summary.outcomes.items():
        table.add_row(f"hits: {outcome}", f"{n:,}")
    for reason, n in summary.rejected_reads.items():
        table.add_row(f"rejected reads: {reason}", f"{n:,}")
    for reason, n in summary.rejected_entries.items():
        table.add_row(f"rejected entries: {reason}", f"{n:,}")
    console.print(table)
    console.print(f"{summary.hits:,} hits written to {out} in {summary.seconds:.2f} s")


def _register_others() -> None:
    """Let every ``passerelle.cli.anpr_*`` module add its commands."""
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("anpr_"):
            module = importlib.import_module(f"passerelle.cli.{info.name}")
            register = getattr(module, "register", None)
            if callable(register):
                register(app)


_register_others()
