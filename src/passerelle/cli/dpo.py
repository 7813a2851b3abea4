"""`passerelle dpo ...`: the data protection officer's command-line tools."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from passerelle.auth.roles import Principal, Role
from passerelle.cli.common import console, handle_errors, print_json, resolve_settings
from passerelle.dpo.service import DpoService
from passerelle.node.context import NodeContext

app = typer.Typer(
    help="Data protection officer tools (docs/data-protection.md).", no_args_is_help=True
)

EXIT_UNVERIFIED = 1
EXIT_UNPAIRED = 3


def _operator() -> Principal:
    """The person at the console, as the actor of the DPO_ACCESS entry."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal(
        subject=f"cli:{user}",
        name=user,
        roles=frozenset({Role.DPO}),
        issuer="cli",
        token_id="",
        expires_at=0,
    )


@app.command("pair")
@handle_errors
def pair(
    file: Annotated[Path, typer.Option(help="The partner node's audit export (JSON lines).")],
    json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Demo data directory.")] = None,
    country: Annotated[str | None, typer.Option(help="Node country (with --data-dir).")] = None,
    config: Annotated[Path | None, typer.Option(help="Node TOML file.")] = None,
) -> None:
    """Pair this node's audit entries with a partner's export, exchange by exchange.

    The export is verified with the partner's key from this node's trust store.
    Exit codes: 0 every exchange has both ends; 1 the export does not verify;
    3 some exchanges have only one end (listed).
    """
    settings = resolve_settings(config, data_dir, country)
    ctx = NodeContext.build(settings)
    try:
        report = DpoService(ctx).pair_with_export(_operator(), file)
    finally:
        ctx.engine.dispose()
    if json:
        print_json(report.to_dict())
    else:
        t = Table(title=f"Exchanges between {report.node} and {report.partner}")
        for name in ("exchange", "first entry (UTC)", "here", f"at {report.partner}"):
            t.add_column(name)
        for p in report.paired:
            mark = "" if p["sides_ok"] else " (side mismatch)"
            t.add_row(
                p["exchange_id"],
                p["at"][:19],
                ", ".join(p["kinds"]) + mark,
                ", ".join(p["partner_kinds"]),
            )
        for p in report.only_here:
            t.add_row(p["exchange_id"], p["at"][:19], ", ".join(p["kinds"]), "MISSING")
        for p in report.only_there:
            t.add_row(p["exchange_id"], p["at"][:19], "MISSING", ", ".join(p["kinds"]))
        console.print(t)
        state = "verified" if report.verified else f"NOT VERIFIED ({report.finding})"
        console.print(
            f"export {state}; {len(report.paired)} paired, {len(report.only_here)} only here, "
            f"{len(report.only_there)} only at {report.partner}"
        )
    if not report.verified:
        raise typer.Exit(EXIT_UNVERIFIED)
    if not report.complete:
        raise typer.Exit(EXIT_UNPAIRED)
