"""`passerelle match ...`: batch linkage of person lists, MRZ reading."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from passerelle.cli.common import console, handle_errors, print_json
from passerelle.domain.mrz import parse_mrz
from passerelle.matching.linkage import candidate_pairs, link, parse_mapping, prepare, read_table

app = typer.Typer(help="Match persons: link two lists, read an MRZ.", no_args_is_help=True)

MAP_HELP = "COLUMN=FIELD, FIELD a population column (given_names, family_name, birth_date, ...)."


@app.command("link")
@handle_errors
def link_(
    left: Annotated[Path, typer.Argument(help="Left list (CSV with a header row, or Parquet).")],
    right: Annotated[Path, typer.Argument(help="Right list (CSV or Parquet).")],
    out: Annotated[Path, typer.Option(help="Pairs file to write (CSV, or .parquet).")],
    threshold: Annotated[float, typer.Option(min=0.0, max=1.0, help="Minimum score.")] = 0.5,
    map_left: Annotated[list[str] | None, typer.Option(help=MAP_HELP)] = None,
    map_right: Annotated[list[str] | None, typer.Option(help=MAP_HELP)] = None,
    id_left: Annotated[str, typer.Option(help="Record id column of LEFT.")] = "id",
    id_right: Annotated[str, typer.Option(help="Record id column of RIGHT.")] = "id",
    one_to_one: Annotated[
        bool, typer.Option(help="Keep each record in its best pair only (greedy on score).")
    ] = False,
    estimate: Annotated[
        bool,
        typer.Option(
            help="Estimate the weights from the two lists (EM) instead of the fixed ones."
        ),
    ] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Link two lists of persons; write left_id,right_id,score,explanation per pair.

    Empty fields are unknown, never a mismatch; identifiers of different national
    schemes are not compared with each other.
    """
    started = time.perf_counter()
    lhs = prepare(read_table(left), parse_mapping(map_left or []), id_left)
    rhs = prepare(read_table(right), parse_mapping(map_right or []), id_right)
    pairs = candidate_pairs(lhs, rhs)
    rows: list[tuple[str, str, float, str]] = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=json_,
        transient=True,
    ) as bar:
        task = bar.add_task("scoring candidate pairs", total=pairs.height)
        for p in link(
            lhs, rhs, threshold=threshold, one_to_one=one_to_one, pairs=pairs,
            estimate=estimate, progress=lambda n: bar.advance(task, n),
        ):  # fmt: skip
            rows.append((p.left_id, p.right_id, round(p.score, 6), json.dumps(p.explanation)))
    _write(out, rows)
    seconds = round(time.perf_counter() - started, 3)
    summary = {
        "left": len(lhs.ids), "right": len(rhs.ids), "candidate_pairs": pairs.height,
        "pairs": len(rows), "threshold": threshold, "seconds": seconds, "out": str(out),
    }  # fmt: skip
    if json_:
        print_json(summary)
    else:
        console.print(
            f"[green]{len(rows):,} pair(s)[/] ≥ {threshold} from {pairs.height:,} candidate pairs "
            f"({len(lhs.ids):,} × {len(rhs.ids):,} records) in {summary['seconds']:.1f} s → {out}"
        )


def _write(out: Path, rows: list[tuple[str, str, float, str]]) -> None:
    header = ("left_id", "right_id", "score", "explanation")
    if out.suffix.lower() in (".parquet", ".pq"):
        pl.DataFrame(rows, schema=list(header), orient="row").write_parquet(out)
        return
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


@app.command("mrz")
@handle_errors
def mrz(
    text: Annotated[
        str | None, typer.Argument(help="The MRZ lines (quoted); read from stdin when omitted.")
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print the fields as JSON.")] = False,
) -> None:
    """Read an ICAO 9303 machine readable zone (TD1, TD2, TD3) and verify its check digits.

    Exit code 3 when a check digit fails.
    """
    parsed = parse_mrz(text if text is not None else sys.stdin.read())
    fields = {
        "format": parsed.format, "document_code": parsed.document_code,
        "issuing_state": parsed.issuing_state, "document_number": parsed.document_number,
        "family_name": parsed.family_name, "given_names": parsed.given_names,
        "nationality": parsed.nationality,
        "birth_date": str(parsed.birth_date) if parsed.birth_date else None,
        "sex": parsed.sex,
        "expiry_date": parsed.expiry_date.isoformat() if parsed.expiry_date else None,
        "optional_data": parsed.optional_data, "checks": parsed.checks, "valid": parsed.valid,
    }  # fmt: skip
    if json_:
        print_json(fields)
    else:
        table = Table(show_header=False)
        for key, value in fields.items():
            table.add_row(key, str(value))
        console.print(table)
    if not parsed.valid:
        raise typer.Exit(3)
