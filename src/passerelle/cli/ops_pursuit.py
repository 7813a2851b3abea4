"""``passerelle pursuit``: open a pursuit, report positions, end it, export its timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from passerelle.cli.common import console, err
from passerelle.cli.remote import call_node, echo_json

app = typer.Typer(help="Cross-border pursuits: open, positions, end, timeline, notifications.")

Node = Annotated[str, typer.Option("--node", help="Node URL, e.g. http://127.0.0.1:8401")]
Token = Annotated[str, typer.Option("--token", help="Bearer token (passerelle token ...)")]
Json = Annotated[bool, typer.Option("--json", help="Print the API's answer as JSON.")]
PursuitId = Annotated[str, typer.Option("--pursuit-id", help="The pursuit's id (BE-...).")]
Lat = Annotated[float, typer.Option("--lat", help="Latitude, WGS 84")]
Lon = Annotated[float, typer.Option("--lon", help="Longitude, WGS 84")]
BASE = "/api/v1/pursuits"


def _summary(view: dict[str, Any]) -> str:
    last = view.get("last_position") or {}
    where = f"{last['lat']:.5f}, {last['lon']:.5f}" if last else "no position"
    outcome = f" · {view['outcome']}" if view.get("outcome") else ""
    return f"{view['status']} · in {view.get('country') or '?'} · {where}{outcome}"


@app.command("open")
def open_pursuit(
    node: Node,
    token: Token,
    subject: Annotated[str, typer.Option(help="What is pursued (vehicle, plate, description).")],
    reason: Annotated[str, typer.Option(help="Why it is pursued.")],
    unit: Annotated[list[str] | None, typer.Option(help="A unit's call sign (repeat).")] = None,
    lat: Annotated[float | None, typer.Option(help="Last position: latitude.")] = None,
    lon: Annotated[float | None, typer.Option(help="Last position: longitude.")] = None,
    json: Json = False,
) -> None:
    """Open a pursuit (control room); prints its id."""
    body: dict[str, Any] = {"subject": subject, "reason": reason, "units": unit or []}
    if lat is not None and lon is not None:
        body["position"] = {"lat": lat, "lon": lon}
    view = call_node(node, token, "POST", BASE, body, as_json=json)
    if json:
        echo_json(view)
        return
    typer.echo(view["pursuit_id"])  # alone on stdout, for $(passerelle pursuit open ...)
    err.print(_summary(view), highlight=False)


@app.command("position")
def position(
    node: Node,
    token: Token,
    pursuit_id: PursuitId,
    lat: Lat,
    lon: Lon,
    at: Annotated[
        str | None, typer.Option(help="Time of the fix, ISO 8601 (default: now).")
    ] = None,
    accuracy: Annotated[float | None, typer.Option(help="Accuracy in metres.")] = None,
    json: Json = False,
) -> None:
    """Report a position; says when it crossed a border and whom it notified."""
    body = {"lat": lat, "lon": lon, "at": at, "accuracy_m": accuracy, "source": "manual"}
    answer = call_node(node, token, "POST", f"{BASE}/{pursuit_id}/positions", body, as_json=json)
    if json:
        echo_json(answer)
        return
    pos = answer["position"]
    late = " (late: kept in time order)" if pos["late"] else ""
    typer.echo(f"{pos['seq']} {pos['territory'] or '?'}{late}")
    if answer["crossing"]:
        c = answer["crossing"]
        notified = ", ".join(n["to"] for n in answer["notifications"]) or "nobody (no node)"
        err.print(f"crossed {c['from']} → {c['to']} · notified: {notified}", highlight=False)


@app.command("end")
def end(
    node: Node,
    token: Token,
    pursuit_id: PursuitId,
    outcome: Annotated[
        str, typer.Option(help="arrested, stopped, handed_over, lost, abandoned or other")
    ],
    note: Annotated[str | None, typer.Option(help="A short note.")] = None,
    json: Json = False,
) -> None:
    """End a pursuit with its outcome (control room); the partners notified are told."""
    body = {"outcome": outcome, "note": note}
    view = call_node(node, token, "POST", f"{BASE}/{pursuit_id}/end", body, as_json=json)
    if json:
        echo_json(view)
        return
    typer.echo(view["pursuit_id"])
    err.print(_summary(view), highlight=False)


@app.command("timeline")
def timeline(
    node: Node,
    token: Token,
    pursuit_id: PursuitId,
    format: Annotated[str, typer.Option(help="json, csv, html or pdf")] = "json",
    lang: Annotated[str | None, typer.Option(help="fr, nl, de or en (default: partner's)")] = None,
    output: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
) -> None:
    """The full timeline, for the report the treaty requires (stdout or --output)."""
    query = f"?format={format}" + (f"&lang={lang}" if lang else "")
    url = node.rstrip("/") + f"{BASE}/{pursuit_id}/timeline{query}"
    try:
        r = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    except httpx.HTTPError as e:
        err.print(f"[bold red]error:[/] cannot reach {node}: {type(e).__name__}", highlight=False)
        raise typer.Exit(1) from None
    if r.status_code >= 400:
        call_node(node, token, "GET", f"{BASE}/{pursuit_id}/timeline{query}", as_json=False)
        raise typer.Exit(2)
    if output is not None:
        output.write_bytes(r.content)
        err.print(f"{output} ({len(r.content)} bytes)", highlight=False)
    elif format == "pdf":
        err.print("[bold red]error:[/] a PDF needs --output FILE")
        raise typer.Exit(2)
    else:
        typer.echo(r.text, nl=False)


@app.command("notifications")
def notifications(
    node: Node,
    token: Token,
    waiting: Annotated[bool, typer.Option(help="Only those awaiting acknowledgement")] = False,
    json: Json = False,
) -> None:
    """Partners' notifications received by this node."""
    path = f"{BASE}/notifications" + ("?active_only=true" if waiting else "")
    found = call_node(node, token, "GET", path, as_json=json)
    if json:
        echo_json(found)
        return
    table = Table("notification", "from", "kind", "acknowledged", "escalated", "text")
    for n in found:
        table.add_row(
            n["notification_id"], n["from_country"], n["kind"],
            "yes" if n["acknowledged"] else "NO", "yes" if n["escalated"] else "", n["text"],
        )  # fmt: skip
    console.print(table)


@app.command("ack")
def ack(
    node: Node,
    token: Token,
    notification_id: Annotated[str, typer.Option("--notification-id", help="Its id")],
    json: Json = False,
) -> None:
    """Acknowledge a partner's notification (control room)."""
    path = f"{BASE}/notifications/{notification_id}/ack"
    view = call_node(node, token, "POST", path, as_json=json)
    if json:
        echo_json(view)
        return
    typer.echo(f"{view['notification_id']} acknowledged by {view['acknowledged_by']}")
