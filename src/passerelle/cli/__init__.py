"""The `passerelle` command line (Typer)."""

from __future__ import annotations

import typer

from passerelle.cli import (
    anpr,
    audit,
    check,
    crime,
    demo,
    dpo,
    match,
    node,
    ops_action,
    ops_pursuit,
    patrol,
    policy,
    registers,
    requests,
    retention,
    tools,
)
from passerelle.logs import configure_logging

app = typer.Typer(
    name="passerelle",
    help="Passerelle: police information exchange across the Benelux and the Euregio Meuse-Rhine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show informational log lines."),
) -> None:
    """Passerelle: police information exchange across the Benelux and the Euregio Meuse-Rhine."""
    configure_logging("info" if verbose else "warning", json=False)


app.command("demo")(demo.demo)
app.command("token")(tools.token)
app.command("synth")(tools.synth)
app.add_typer(node.app, name="node")
app.add_typer(audit.app, name="audit")
app.add_typer(registers.app, name="registers")
app.add_typer(retention.app, name="retention")
app.add_typer(dpo.app, name="dpo")
app.add_typer(crime.app, name="crime")
app.add_typer(match.app, name="match")
app.add_typer(patrol.app, name="patrol")
app.add_typer(check.app, name="check")
app.add_typer(policy.app, name="policy")
app.add_typer(requests.app, name="request")
app.add_typer(anpr.app, name="anpr")
app.add_typer(ops_action.app, name="action")
app.add_typer(ops_pursuit.app, name="pursuit")
