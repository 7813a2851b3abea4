"""``passerelle request``: follow-up requests on hit/no-hit references, on a running node."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from passerelle.cli.common import console
from passerelle.cli.remote import call_node, echo_json

app = typer.Typer(help="Follow-up requests: ask for the record behind a hit/no-hit reference.")

Node = Annotated[str, typer.Option("--node", help="Node URL, e.g. http://127.0.0.1:8401")]
Token = Annotated[str, typer.Option("--token", help="Bearer token (passerelle token ...)")]
Json = Annotated[bool, typer.Option("--json", help="Print the API's answer as JSON.")]
RequestId = Annotated[str, typer.Argument(help="The request id.")]
Incoming = Annotated[
    bool, typer.Option("--incoming", help="The contact point's queue (requests to answer).")
]
BASE = "/api/v1/requests"


def _show(view: dict[str, Any]) -> None:
    rows = [
        ("request", view["request_id"]),
        ("country", view["country"]),
        ("register", view.get("dataset") or "—"),
        ("status", view["status"] + (" (overdue)" if view.get("overdue") else "")),
        ("urgency", view["urgency"]),
        ("purpose", view["purpose"] + (f" · {view['case_ref']}" if view.get("case_ref") else "")),
        ("deadline", view["deadline_at"]),
        ("delivered", "yes" if view.get("delivered") else "no"),
    ]
    if view.get("refusal_reason"):
        rows.append(("refusal", view["refusal_reason"]))
    for key, value in rows:
        console.print(f"[bold]{key:>10}[/]  {value}", highlight=False)
    record = view.get("record") or view.get("register_record") or {}
    for name, value in record.items():
        console.print(f"{name:>22}  {'—' if value is None else value}", highlight=False)


@app.command("send")
def send(
    node: Node,
    token: Token,
    country: Annotated[str, typer.Option(help="The country that gave the hit (BE, NL, LU, DE).")],
    reference: Annotated[str, typer.Option(help="The reference of the hit.")],
    justification: Annotated[str, typer.Option(help="Why you need the record (logged).")],
    purpose: Annotated[str, typer.Option(help="joint_control, joint_post, investigation, ...")],
    urgency: Annotated[str, typer.Option(help="urgent (8 hours) or normal (7 days).")] = "normal",
    case_ref: Annotated[str | None, typer.Option(help="Case reference (investigations).")] = None,
    json: Json = False,
) -> None:
    """Ask the providing country's contact point for the record behind a reference."""
    body = {
        "country": country,
        "reference": reference,
        "justification": justification,
        "urgency": urgency,
        "purpose": purpose,
        "case_ref": case_ref,
    }
    view = call_node(node, token, "POST", BASE, body, as_json=json)
    if json:
        echo_json(view)
    else:
        typer.echo(view["request_id"])  # alone on stdout, for scripts
        console.print(f"pending · answer due {view['deadline_at']}", highlight=False)


@app.command("list")
def list_requests(
    node: Node,
    token: Token,
    incoming: Incoming = False,
    all_: Annotated[
        bool, typer.Option("--all", help="With --incoming: answered ones too.")
    ] = False,
    json: Json = False,
) -> None:
    """My requests (officer), or with --incoming the queue to answer (contact point)."""
    path = f"{BASE}/incoming?status={'all' if all_ else 'pending'}" if incoming else BASE
    data = call_node(node, token, "GET", path, as_json=json)
    if json:
        echo_json(data)
        return
    table = Table()
    table.add_column("request", no_wrap=True, min_width=32)
    for name in ("country", "register", "urgency", "deadline (UTC)", "status"):
        table.add_column(name)
    for r in data["requests"]:
        status = r["status"] + (" OVERDUE" if r["overdue"] else "")
        table.add_row(
            r["request_id"],
            r["country"],
            r["dataset"] or "—",
            r["urgency"],
            r["deadline_at"],
            status,
        )
    console.print(table)


@app.command("show")
def show(
    node: Node,
    token: Token,
    request_id: RequestId,
    incoming: Incoming = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ask the partner for the answer if still pending.")
    ] = False,
    json: Json = False,
) -> None:
    """One request with its answer (officer), or with --incoming with the record (contact point)."""
    if incoming:
        path = f"{BASE}/incoming/{request_id}"
    else:
        path = f"{BASE}/{request_id}" + ("?refresh=true" if refresh else "")
    view = call_node(node, token, "GET", path, as_json=json)
    echo_json(view) if json else _show(view)


@app.command("grant")
def grant(
    node: Node,
    token: Token,
    request_id: RequestId,
    fields: Annotated[str, typer.Option(help="Comma-separated fields of the record to disclose.")],
    json: Json = False,
) -> None:
    """Grant fields of the record to the requesting officer (contact point)."""
    body = {"fields": [f.strip() for f in fields.split(",") if f.strip()]}
    view = call_node(node, token, "POST", f"{BASE}/incoming/{request_id}/grant", body, as_json=json)
    echo_json(view) if json else _show(view)


@app.command("refuse")
def refuse(
    node: Node,
    token: Token,
    request_id: RequestId,
    reason: Annotated[str, typer.Option(help="Why (the requesting officer reads it).")],
    json: Json = False,
) -> None:
    """Refuse a request, with the reason (contact point)."""
    path = f"{BASE}/incoming/{request_id}/refuse"
    view = call_node(node, token, "POST", path, {"reason": reason}, as_json=json)
    echo_json(view) if json else _show(view)
