"""`passerelle retention ...`: apply the node's retention rules, or show what they would do."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from passerelle.cli.common import console, handle_errors, print_json, resolve_settings
from passerelle.node.context import NodeContext
from passerelle.retention.engine import RetentionReport
from passerelle.retention.rules import RetentionRule

app = typer.Typer(
    help="Retention of personal data (docs/data-protection.md).", no_args_is_help=True
)

STATUS_TEXT = {
    "deleted": "deleted",
    "would_delete": "would delete",
    "not_applicable": "not applicable",
}


def _table(report: RetentionReport) -> Table:
    title = "Retention dry run (nothing deleted)" if report.dry_run else "Retention run"
    t = Table(title=title)
    for name in ("rule", "table", "period", "cut-off (UTC)", "status", "rows", "oldest", "newest"):
        t.add_column(name, justify="right" if name == "rows" else "left")
    for o in report.outcomes:
        t.add_row(
            o.rule,
            o.table,
            o.period,
            o.cutoff.strftime("%Y-%m-%d %H:%M:%S"),
            STATUS_TEXT[o.status] + (f" ({o.reason})" if o.reason else ""),
            str(o.count) if o.status != "not_applicable" else "—",
            o.oldest.strftime("%Y-%m-%d %H:%M:%S") if o.oldest else "—",
            o.newest.strftime("%Y-%m-%d %H:%M:%S") if o.newest else "—",
        )
    return t


@app.command("run")
@handle_errors
def run(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would go; write nothing.")
    ] = False,
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Demo data directory.")] = None,
    country: Annotated[str | None, typer.Option(help="Node country (with --data-dir).")] = None,
    config: Annotated[Path | None, typer.Option(help="Node TOML file.")] = None,
) -> None:
    """Apply every retention rule of the node (bounded batches, one audit entry per rule).

    Rules whose table does not exist on this node are reported as not applicable.
    """
    settings = resolve_settings(config, data_dir, country)
    ctx = NodeContext.build(settings)
    try:
        service = ctx.retention
        if dry_run:
            report = service.dry_run()
        elif json:
            report = service.run(trigger="cli")
        else:
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console, transient=True) as bar:
                tasks: dict[str, TaskID] = {}

                def progress(rule: RetentionRule, done: int, total: int) -> None:
                    if rule.name not in tasks:
                        tasks[rule.name] = bar.add_task(rule.name, total=max(total, 1))
                    bar.update(tasks[rule.name], completed=done, total=max(total, done, 1))

                report = service.run(trigger="cli", progress=progress)
    finally:
        ctx.engine.dispose()
    if json:
        print_json(report.to_dict())
        return
    console.print(_table(report))
    verb = "would delete" if report.dry_run else "deleted"
    console.print(f"{verb} {report.total} row(s) under {report.applied} applicable rule(s)")


@app.command("rules")
@handle_errors
def rules(
    json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Demo data directory.")] = None,
    country: Annotated[str | None, typer.Option(help="Node country (with --data-dir).")] = None,
    config: Annotated[Path | None, typer.Option(help="Node TOML file.")] = None,
) -> None:
    """List the retention rules the node applies (defaults, registered, configured)."""
    from passerelle.retention.catalogue import node_rules

    settings = resolve_settings(config, data_dir, country)
    items = node_rules(settings)
    if json:
        print_json(
            [
                {
                    "name": r.name,
                    "dataset": r.dataset,
                    "table": r.table,
                    "timestamp_column": r.timestamp_column,
                    "period": r.period.iso(),
                    "condition": r.condition_text,
                    "jurisdiction": r.jurisdiction.value if r.jurisdiction else None,
                    "legal_basis": r.legal_basis,
                    "source": r.source,
                }
                for r in items
            ]
        )
        return
    t = Table(title=f"Retention rules of the {settings.country.value} node")
    for name in ("rule", "table.column", "period", "condition", "source", "legal basis"):
        t.add_column(name)
    for r in items:
        t.add_row(
            r.name,
            f"{r.table}.{r.timestamp_column}",
            r.period.iso(),
            r.condition_text or "—",
            r.source,
            r.legal_basis,
        )
    console.print(t)
