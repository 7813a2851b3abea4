"""Calling a running node's API from the CLI (``--node URL --token T``)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import typer

from passerelle.cli.common import err, print_json


def call_node(
    node: str,
    token: str,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    as_json: bool,
    timeout_s: float = 30.0,
) -> Any:
    """Send one API request; on an error answer print it and exit non-zero (2 for 4xx)."""
    url = node.rstrip("/") + path
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    try:
        r = httpx.request(method, url, json=body, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as e:
        err.print(f"[bold red]error:[/] cannot reach {node}: {type(e).__name__}", highlight=False)
        raise typer.Exit(1) from None
    try:
        data = r.json()
    except ValueError:
        data = None
    if r.status_code >= 400:
        if as_json and data is not None:
            print_json(data)
        error = data.get("error", {}) if isinstance(data, dict) else {}
        message = error.get("message") or error.get("detail") or r.text[:200]
        code = error.get("code", f"http_{r.status_code}")
        err.print(f"[bold red]error ({code}):[/] {message}", highlight=False)
        raise typer.Exit(2 if r.status_code < 500 else 1)
    return data


def echo_json(data: Any) -> None:
    """The API's answer, unchanged (keys in the server's order)."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
