"""``passerelle patrol``: create, start, end and list joint patrols on a running node."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from passerelle.cli.common import console, err
from passerelle.cli.remote import call_node, echo_json

app = typer.Typer(help="Joint patrols (a joint-control check needs an active one).")

Node = Annotated[str, typer.Option("--node", help="Node URL, e.g. http://127.0.0.1:8401")]
Token = Annotated[str, typer.Option("--token", help="Bearer token (passerelle token ...)")]
Json = Annotated[bool, typer.Option("--json", help="Print the API's answer as JSON.")]
Crew = Annotated[str | None, typer.Option("--crew", help="BE:USER,NL:USER (token subjects)")]
PatrolId = Annotated[str | None, typer.Option("--patrol-id", help="The patrol's id.")]
BASE = "/api/v1/ops/patrols"


def _report(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(view)
        return
    typer.echo(view["patrol_id"])  # alone on stdout, for $(passerelle patrol start ...)
    copies = ", ".join(f"{c}: {s}" for c, s in view.get("sync", {}).items()) or "none"
    err.print(
        f"{view['status']} · crew {', '.join(view['crew'])} · partner copies: {copies}",
        highlight=False,
    )


def _create(node: str, token: str, crew: str, start: bool, vehicle: str | None,
            area: str | None, as_json: bool) -> None:  # fmt: skip
    body = {
        "crew": [m.strip() for m in crew.split(",") if m.strip()],
        "vehicle": vehicle,
        "area": area,
        "start": start,
    }
    _report(call_node(node, token, "POST", BASE, body, as_json=as_json), as_json)


@app.command("create")
def create(
    node: Node,
    token: Token,
    crew: Annotated[str, typer.Option("--crew", help="BE:USER,NL:USER (token subjects)")],
    vehicle: Annotated[str | None, typer.Option(help="Call sign or plate.")] = None,
    area: Annotated[str | None, typer.Option(help="Area of operation.")] = None,
    json: Json = False,
) -> None:
    """Register a joint patrol (planned) at this node and its crew's nodes."""
    _create(node, token, crew, False, vehicle, area, json)


@app.command("start")
def start(
    node: Node,
    token: Token,
    patrol_id: PatrolId = None,
    crew: Crew = None,
    vehicle: Annotated[str | None, typer.Option(help="Call sign or plate.")] = None,
    area: Annotated[str | None, typer.Option(help="Area of operation.")] = None,
    json: Json = False,
) -> None:
    """Start a planned patrol, or (without --patrol-id) create and start one with --crew."""
    if patrol_id:
        _report(call_node(node, token, "POST", f"{BASE}/{patrol_id}/start", as_json=json), json)
        return
    if not crew:
        err.print("[bold red]error:[/] give --patrol-id, or --crew to create and start a patrol")
        raise typer.Exit(2)
    _create(node, token, crew, True, vehicle, area, json)


@app.command("end")
def end(
    node: Node,
    token: Token,
    patrol_id: Annotated[str, typer.Option("--patrol-id", help="The patrol's id.")],
    json: Json = False,
) -> None:
    """End a patrol: joint-control checks in its name stop at once."""
    _report(call_node(node, token, "POST", f"{BASE}/{patrol_id}/end", as_json=json), json)


@app.command("list")
def list_patrols(
    node: Node,
    token: Token,
    status: Annotated[str | None, typer.Option(help="planned, active or ended")] = None,
    json: Json = False,
) -> None:
    """Patrols known to the node (its own and partners' copies)."""
    path = BASE + (f"?status={status}" if status else "")
    patrols = call_node(node, token, "GET", path, as_json=json)
    if json:
        echo_json(patrols)
        return
    table = Table("patrol", "status", "origin", "crew", "vehicle", "started", "ended")
    for p in patrols:
        table.add_row(
            p["patrol_id"], p["status"], p["origin_country"], ", ".join(p["crew"]),
            p["vehicle"] or "", (p["started_at"] or "")[:16], (p["ended_at"] or "")[:16],
        )  # fmt: skip
    console.print(table)
