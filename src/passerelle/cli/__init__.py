"""The `passerelle` command line (Typer)."""

from __future__ import annotations

import typer

from passerelle.cli import demo, node, registers, tools

app = typer.Typer(
    name="passerelle",
    help="Passerelle: police information exchange across the Benelux and the Euregio Meuse-Rhine.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("demo")(demo.demo)
app.command("token")(tools.token)
app.command("synth")(tools.synth)
app.add_typer(node.app, name="node")
app.add_typer(registers.app, name="registers")
