"""``passerelle policy show``: validate a treaty policy file and print its decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from passerelle.cli.common import console, handle_errors, print_json
from passerelle.domain.countries import parse_country
from passerelle.policy import load_policy

app = typer.Typer(help="Treaty policies (docs/policy.md).")


@app.command("show")
@handle_errors
def show(
    country: Annotated[str, typer.Option(help="The providing node's country.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="Policy TOML (default: the packaged default).")
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the decisions as JSON.")] = False,
) -> None:
    """Check a policy file (exit 1 naming the bad key) and list what each partner gets."""
    policy = load_policy(file, parse_country(country))
    rows = policy.table()
    if json:
        print_json({"node": policy.node.value, "source": policy.source, "decisions": rows})
        return
    table = Table("partner", "purpose", "dataset", "decision", title=f"{policy.source}")
    for r in rows:
        table.add_row(r["partner"], r["purpose"], r["dataset"], r["decision"])
    console.print(table)
    console.print("Anything not listed: deny.", style="dim")
