"""`passerelle registers ...`: load register extracts, show what a node holds."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from passerelle.cli.common import console, err, handle_errors, print_json, resolve_settings
from passerelle.registers.importer import Importer, ImportReport, columns_of
from passerelle.registers.sql import SqlRegisters
from passerelle.storage.db import create_engine, migrate

app = typer.Typer(help="National register extracts.", no_args_is_help=True)

EXIT_REJECTED_ROWS = 3
SHOWN_ERRORS = 20


def _write_rejects(report: ImportReport, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["line", "column", "reason"])
        for r in report.rejected:
            w.writerow([r.position, r.column or "", r.reason])


@app.command("import")
@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(help="CSV (UTF-8, header row) or Parquet extract.")],
    dataset: Annotated[str, typer.Option(help="population, wanted_persons, vehicles, ...")],
    country: Annotated[str | None, typer.Option(help="Node country (with --data-dir).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Demo data directory.")] = None,
    config: Annotated[Path | None, typer.Option(help="Node TOML file.")] = None,
    append: Annotated[
        bool, typer.Option(help="Add to the dataset instead of replacing it.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Load nothing if any row is invalid.")] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv or parquet (default: by suffix).")
    ] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Write rejected rows' line and reason here (CSV).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Validate a register extract and load its valid rows in one transaction.

    Exit codes: 0 all rows loaded; 3 valid rows loaded, some rejected (listed);
    1 or 2 nothing loaded (unreadable file, missing columns, --strict with bad rows).
    """
    if data_dir is None and config is None:
        data_dir = Path(".passerelle-demo")
    settings = resolve_settings(config, data_dir, country)
    columns_of(dataset)
    engine = create_engine(settings.db_url)
    try:
        migrate(engine)
        importer = Importer(SqlRegisters(engine, settings.country), settings.country)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=console,
            disable=json,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{settings.country}: validating {file.name}", total=None)
            report = importer.import_file(
                dataset,
                file,
                fmt=fmt,
                mode="append" if append else "replace",
                strict=strict,
                progress=lambda n: bar.advance(task, n),
            )
    finally:
        engine.dispose()
    if rejects is not None:
        _write_rejects(report, rejects)
    if json:
        print_json(report.to_dict())
    else:
        _print_report(report, strict)
    if not report.committed:
        raise typer.Exit(1)
    if report.rejected:
        raise typer.Exit(EXIT_REJECTED_ROWS)


def _print_report(report: ImportReport, strict: bool) -> None:
    if report.rejected:
        t = Table(title=f"{len(report.rejected):,} rejected row(s)", show_lines=False)
        t.add_column("line", justify="right")
        t.add_column("column")
        t.add_column("reason")
        for r in report.rejected[:SHOWN_ERRORS]:
            t.add_row(str(r.position), r.column or "", r.reason)
        err.print(t)
        if len(report.rejected) > SHOWN_ERRORS:
            err.print(f"… and {len(report.rejected) - SHOWN_ERRORS:,} more (use --rejects FILE)")
    if report.committed:
        console.print(
            f"[green]loaded[/] {report.loaded:,} row(s) into {report.dataset} "
            f"in {report.seconds:.1f} s"
        )
    elif strict and report.rejected:
        err.print("[red]nothing loaded[/]: --strict and the file has invalid rows")
    else:
        err.print("[red]nothing loaded[/]: no valid rows")


@app.command("counts")
@handle_errors
def counts(
    country: Annotated[str | None, typer.Option(help="Node country (with --data-dir).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Demo data directory.")] = None,
    config: Annotated[Path | None, typer.Option(help="Node TOML file.")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show how many records each register dataset holds."""
    if data_dir is None and config is None:
        data_dir = Path(".passerelle-demo")
    settings = resolve_settings(config, data_dir, country)
    engine = create_engine(settings.db_url)
    try:
        migrate(engine)
        result = SqlRegisters(engine, settings.country).counts()
    finally:
        engine.dispose()
    if json:
        print_json(result)
        return
    t = Table(title=f"Registers of {settings.country}")
    t.add_column("dataset")
    t.add_column("records", justify="right")
    for k, v in result.items():
        t.add_row(k, f"{v:,}")
    console.print(t)
