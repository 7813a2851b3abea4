"""`passerelle audit ...`: export, verify (a node's log or an export offline), public key, heads.

Exit codes of ``verify``: 0 intact, 1 broken (first broken position and reason
printed), 2 bad input (unreadable key, missing options).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from passerelle.audit.chain import VerifyReport
from passerelle.cli.common import console, err, handle_errors, print_json, resolve_settings
from passerelle.exc import ConfigError, InvalidInput

if TYPE_CHECKING:
    from passerelle.audit.sql import SqlAuditLog

app = typer.Typer(
    help="The tamper-evident audit log: export, verify, public key.", no_args_is_help=True
)
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="Node TOML file.")]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Demo data directory (with --country).")
]
CountryOpt = Annotated[str | None, typer.Option("--country", help="Node country: BE NL LU DE.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _open(config: Path | None, data_dir: Path | None, country: str | None) -> SqlAuditLog:
    from passerelle.audit.protect import DpoKeys
    from passerelle.audit.sql import SqlAuditLog
    from passerelle.federation.keys import NodeKey
    from passerelle.storage.db import create_engine

    settings = resolve_settings(config, data_dir, country)
    if not settings.key_path.is_file():
        raise ConfigError(f"no node key at {settings.key_path}")
    key = NodeKey.load_or_create(settings.key_path, settings.country)
    engine = create_engine(settings.db_url)
    return SqlAuditLog(engine, key=key, dpo=DpoKeys.load_or_create(settings.data_dir / "keys"))


@contextmanager
def _progress(label: str, total: int | None, quiet: bool) -> Iterator[Callable[[int], None]]:
    if quiet:
        yield lambda _n: None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file, a JWK (JSON) or a base64url raw key."""
    from passerelle.federation.keys import public_key_from_b64url

    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise InvalidInput(
            f"cannot read the public key file {path}", code="audit_key_unreadable"
        ) from None
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if isinstance(key, Ed25519PublicKey):
                return key
            raise ValueError
        if text.startswith("{"):
            return public_key_from_b64url(str(json.loads(text)["x"]))
        return public_key_from_b64url(text)
    except (ValueError, KeyError, TypeError):
        raise InvalidInput(
            f"{path} is not an Ed25519 public key (PEM, JWK or base64url)",
            code="audit_key_unreadable",
        ) from None


def _report(report: VerifyReport, as_json: bool, source: str) -> None:
    if as_json:
        print_json(report.to_dict() | {"source": source})
    elif report.ok:
        console.print(
            f"[green]intact[/]: {source}: {report.entries} entries"
            + (f" ({report.first_position}-{report.last_position})" if report.entries else "")
            + f", {report.signed_heads} signed heads, signed up to {report.signed_up_to}"
            + f" ({report.seconds:.2f} s)",
            highlight=False,
        )
    else:
        first = report.first
        assert first is not None
        where = f"position {first.position}" if first.position is not None else "the file"
        console.print(
            f"[bold red]BROKEN[/] at {where}: {first.reason}: {first.message}", highlight=False
        )
        for other in report.findings:
            if other is not first:
                console.print(f"  also: {other.reason}: {other.message}", highlight=False)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
@handle_errors
def verify(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    country: CountryOpt = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Verify this export offline instead.")
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option("--public-key", help="The node's public key (with --file).")
    ] = None,
    deep: Annotated[
        bool, typer.Option("--deep", help="Also check the search columns against the entries.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the hash chain and signed heads; exit 0 when intact, 1 with where it breaks."""
    if file is not None:
        from passerelle.audit.offline import verify_file

        if public_key is None:
            raise InvalidInput("--file needs --public-key KEYFILE", code="invalid_input")
        key = load_public_key(public_key)
        with _progress("verifying", None, as_json) as step:
            report = verify_file(file, key, progress=step)
        _report(report, as_json, str(file))
        return
    from passerelle.audit.verify import verify_db

    log = _open(config, data_dir, country)
    try:
        with _progress("verifying", log.head()[0], as_json) as step:
            report = verify_db(log, deep=deep, progress=step)
    finally:
        log.engine.dispose()
    _report(report, as_json, f"node {log.node.value}")


@app.command()
@handle_errors
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    country: CountryOpt = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl or csv.")] = (
        ExportFormat.jsonl
    ),
    as_json: JsonOpt = False,
) -> None:
    """Write the log (JSON lines with chain hashes and signed heads, or CSV)."""
    from passerelle.audit.export import export_csv, export_jsonl

    log = _open(config, data_dir, country)
    try:
        writer = export_jsonl if fmt is ExportFormat.jsonl else export_csv
        with _progress("exporting", log.head()[0], as_json) as step:
            summary = writer(log, out, progress=step)
    finally:
        log.engine.dispose()
    if as_json:
        print_json(summary.__dict__)
    else:
        console.print(
            f"wrote {summary.entries} entries and {summary.heads} signed heads to {out}",
            highlight=False,
        )


@app.command("public-key")
@handle_errors
def public_key_cmd(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    country: CountryOpt = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File (default stdout).")] = None,
) -> None:
    """Print the node's public key (PEM), which verifies its log and exports offline."""
    from passerelle.federation.keys import NodeKey

    settings = resolve_settings(config, data_dir, country)
    if not settings.key_path.is_file():
        raise ConfigError(f"no node key at {settings.key_path}")
    pem = NodeKey.load_or_create(settings.key_path, settings.country).public_pem()
    if out is None:
        typer.echo(pem, nl=False)
    else:
        out.write_text(pem, encoding="utf-8")
        err.print(f"wrote the public key of {settings.country.value} to {out}", highlight=False)


@app.command("sign-head")
@handle_errors
def sign_head(
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    country: CountryOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign the current chain head now (recorded as a HEAD_SIGNED entry)."""
    log = _open(config, data_dir, country)
    try:
        head = log.sign_head()
    finally:
        log.engine.dispose()
    data = {
        "position": head.position,
        "hash": head.hash,
        "key_id": head.key_id,
        "signature": head.signature,
        "at": head.at.isoformat(),
    }
    if as_json:
        print_json(data)
    else:
        console.print(f"signed head at position {head.position}: {head.hash}", highlight=False)
