"""``passerelle check person|vehicle|document``: a check through a running node's API."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from passerelle.cli.common import console
from passerelle.cli.remote import call_node, echo_json

app = typer.Typer(help="Check a person, vehicle or document against own and partner registers.")

Node = Annotated[str, typer.Option("--node", help="Node URL, e.g. http://127.0.0.1:8401")]
Token = Annotated[str, typer.Option("--token", help="Bearer token (passerelle token ...)")]
Purpose = Annotated[
    str, typer.Option("--purpose", help="joint_control, joint_post, investigation, anpr_followup")
]
Justification = Annotated[str, typer.Option("--justification", help="Why (logged).")]
PatrolId = Annotated[str | None, typer.Option("--patrol-id", help="joint_control: patrol id")]
CaseRef = Annotated[str | None, typer.Option("--case-ref", help="investigation: case ref")]
AuthRef = Annotated[str | None, typer.Option("--authorisation-ref", help="Authorisation ref.")]
Countries = Annotated[
    str | None, typer.Option("--countries", help="Sources, e.g. BE,NL (default: all)")
]
Json = Annotated[bool, typer.Option("--json", help="Print the API's answer unchanged.")]
Opt = Annotated[str | None, typer.Option()]
_SUMMARY = ("national_id", "given_names", "family_name_prefix", "family_name", "birth_date",
            "alert_type", "plate", "plate_country", "vin", "make", "model", "document_number",
            "document_type", "status", "category")  # fmt: skip


def _run(kind: str, subject: dict[str, str | None], node: str, token: str, purpose: str,
         justification: str, patrol_id: str | None, case_ref: str | None,
         authorisation_ref: str | None, countries: str | None, as_json: bool) -> None:  # fmt: skip
    body: dict[str, Any] = {
        "subject": {k: v for k, v in subject.items() if v},
        "context": {
            "purpose": purpose,
            "patrol_id": patrol_id,
            "case_ref": case_ref,
            "authorisation_ref": authorisation_ref,
            "justification": justification,
        },
    }
    if countries:
        body["countries"] = [c.strip() for c in countries.split(",") if c.strip()]
    answer = call_node(node, token, "POST", f"/api/v1/checks/{kind}", body, as_json=as_json)
    if as_json:
        echo_json(answer)
    else:
        show(answer)


def show(answer: dict[str, Any]) -> None:
    sources = Table("country", "status", "ms", "results", "reason", title="Sources")
    for s in answer["sources"]:
        colour = {"hit": "bold red", "no_hit": "green"}.get(s["status"], "yellow")
        sources.add_row(s["country"], f"[{colour}]{s['status']}[/]", f"{s['latency_ms']:.0f}",
                        str(len(s["results"])), s.get("reason") or "")  # fmt: skip
    console.print(sources)
    hits = Table("country", "dataset", "score", "record / reference", "warnings", title="Hits")
    for s in answer["sources"]:
        for r in s["results"]:
            if r.get("record"):
                text = " ".join(str(r["record"][k]) for k in _SUMMARY if r["record"].get(k))
            else:
                contact = (r.get("contact_point") or {}).get("name", "")
                text = f"hit/no-hit · reference {r.get('reference')} · {contact}"
            warnings = ", ".join(w["code"] for w in r.get("warnings", []))
            hits.add_row(s["country"], r["dataset"], f"{r['score']:.2f}", text,
                         f"[bold red]{warnings}[/]" if warnings else "")  # fmt: skip
    if hits.row_count:
        console.print(hits)
    console.print(f"check {answer['check_id']} ({answer['purpose']})", style="dim")


@app.command("person")
def person(
    node: Node, token: Token, purpose: Purpose, justification: Justification,
    patrol_id: PatrolId = None, case_ref: CaseRef = None, authorisation_ref: AuthRef = None,
    countries: Countries = None,
    given_names: Opt = None, family_name: Opt = None, family_name_prefix: Opt = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD, YYYY-MM or YYYY")] = None,
    sex: Opt = None, nationality: Opt = None, national_id: Opt = None,
    document_number: Opt = None,
    json: Json = False,
) -> None:  # fmt: skip
    """Check a person (names, birth date, national id, document number)."""
    subject = {"given_names": given_names, "family_name": family_name,
               "family_name_prefix": family_name_prefix, "birth_date": birth_date, "sex": sex,
               "nationality": nationality, "national_id": national_id,
               "document_number": document_number}  # fmt: skip
    _run("person", subject, node, token, purpose, justification, patrol_id, case_ref,
         authorisation_ref, countries, json)  # fmt: skip


@app.command("vehicle")
def vehicle(
    node: Node, token: Token, purpose: Purpose, justification: Justification,
    patrol_id: PatrolId = None, case_ref: CaseRef = None, authorisation_ref: AuthRef = None,
    countries: Countries = None,
    plate: Opt = None, plate_country: Opt = None, vin: Opt = None,
    json: Json = False,
) -> None:  # fmt: skip
    """Check a vehicle by plate (OCR-tolerant) and/or VIN."""
    subject = {"plate": plate, "plate_country": plate_country, "vin": vin}
    _run("vehicle", subject, node, token, purpose, justification, patrol_id, case_ref,
         authorisation_ref, countries, json)  # fmt: skip


@app.command("document")
def document(
    node: Node, token: Token, purpose: Purpose, justification: Justification,
    patrol_id: PatrolId = None, case_ref: CaseRef = None, authorisation_ref: AuthRef = None,
    countries: Countries = None,
    document_number: Opt = None, document_type: Opt = None, issuing_country: Opt = None,
    json: Json = False,
) -> None:  # fmt: skip
    """Check an identity or travel document."""
    subject = {"document_number": document_number, "document_type": document_type,
               "issuing_country": issuing_country}  # fmt: skip
    _run("document", subject, node, token, purpose, justification, patrol_id, case_ref,
         authorisation_ref, countries, json)  # fmt: skip
