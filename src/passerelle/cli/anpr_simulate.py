"""`passerelle anpr simulate`: camera reads on the region's border roads.

Without a destination it only writes files (``--out`` reads, ``--truth``,
``--hotlist``) for ``passerelle anpr match`` and the analytics. With ``--to
CC=URL`` (or ``--data-dir`` of a demo) it registers the cameras and sends each
country's reads to that country's node over HTTP; with ``--nats URL`` to the
JetStream subjects ``passerelle.<cc>.anpr.reads`` instead.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from passerelle.anpr.simulate import SimConfig, Simulation, simulate
from passerelle.anpr.simulate_emit import HttpSink, NatsSink, Pacer, Sink, emit
from passerelle.auth.roles import Role
from passerelle.cli.common import err, handle_errors, print_json
from passerelle.domain.countries import parse_countries, parse_country
from passerelle.exc import ConfigError, InvalidInput


def write_frame(frame: pl.DataFrame, path: Path) -> None:
    if path.suffix.lower() in (".parquet", ".pq"):
        frame.write_parquet(path)
    else:
        frame.write_csv(path)


def _start(value: str | None, hours: float, realtime: bool) -> dt.datetime:
    if value:
        try:
            t = dt.datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput("not an ISO date/time", code="time_invalid", value=value) from None
        return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t.astimezone(dt.UTC)
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    return now if realtime else now - dt.timedelta(hours=hours)


def _sink(
    to: list[str],
    nats: str | None,
    data_dir: Path | None,
    token: str | None,
    countries: list[str],
    *,
    patient: bool = False,
) -> Sink | None:
    urls: dict[str, str] = {}
    for item in to:
        cc, sep, url = item.partition("=")
        if not sep or not url:
            raise InvalidInput("--to takes CC=URL", code="simulator_bad_target", value=item)
        urls[parse_country(cc).value] = url
    tokens: dict[str, tuple[str, float]] = {}

    def bearer(country: str) -> str:
        if token:
            return token
        if data_dir is None:
            raise ConfigError("give --token (or PASSERELLE_TOKEN) or --data-dir of a demo")
        token_, issued = tokens.get(country, ("", 0.0))
        if not token_ or time.monotonic() - issued > 1800:  # short-lived: renewed every 30 min
            from passerelle.demo.anpr import demo_token

            token_ = demo_token(_demo_node(data_dir, country), [Role.ADMIN], 60)
            tokens[country] = (token_, time.monotonic())
        return token_

    if data_dir is not None and not urls:
        urls = {c: _demo_node(data_dir, c).url for c in countries}
    # in real time a node that restarts is waited for (about an hour), not given up on
    http = HttpSink(urls, bearer, retries=500 if patient else 5) if urls else None
    if nats:
        return NatsSink(nats, http=http)
    return http


def _demo_node(data_dir: Path, country: str) -> Any:
    from passerelle.demo.layout import DemoNode
    from passerelle.settings import load_settings

    config = data_dir.resolve() / country / "node.toml"
    if not config.is_file():
        raise ConfigError(f"no demo node for {country} in {data_dir}")
    return DemoNode(parse_country(country), config.parent, load_settings(config).port)


@handle_errors
def simulate_cmd(
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same traffic).")] = 1,
    start: Annotated[
        str | None,
        typer.Option(
            help="First minute (ISO, UTC); default: the last HOURS, or now with --realtime."
        ),
    ] = None,
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 31, help="Hours of traffic.")] = 1.0,
    scale: Annotated[
        float,
        typer.Option(
            min=0.0001,
            max=10,
            help="Share of the roads' real volume (1.0 = about 1.1 million reads a day).",
        ),
    ] = 0.02,
    countries: Annotated[str | None, typer.Option(help="Cameras of these countries only.")] = None,
    wanted: Annotated[int, typer.Option(min=0, help="Hotlisted vehicles on the road.")] = 30,
    clones: Annotated[int, typer.Option(min=0, help="Cloned plates to plant.")] = 4,
    convoys: Annotated[int, typer.Option(min=0, help="Convoys to plant.")] = 2,
    out: Annotated[Path | None, typer.Option(help="Write the reads (CSV or .parquet).")] = None,
    truth: Annotated[Path | None, typer.Option(help="Write the ground truth per read.")] = None,
    hotlist: Annotated[
        Path | None, typer.Option(help="Write the hotlist (CSV or .parquet).")
    ] = None,
    to: Annotated[list[str] | None, typer.Option(help="CC=URL of a node (repeatable).")] = None,
    nats: Annotated[str | None, typer.Option(help="NATS URL: publish to JetStream.")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Demo data dir (URLs and tokens).")] = None,
    token: Annotated[
        str | None, typer.Option(envvar="PASSERELLE_TOKEN", help="Bearer token (role admin).")
    ] = None,
    rate: Annotated[float | None, typer.Option(min=1, help="At most this many reads/s.")] = None,
    realtime: Annotated[
        bool, typer.Option("--realtime", help="Send each read when it happens.")
    ] = False,
    speedup: Annotated[float, typer.Option(min=0.01, help="With --realtime: clock speed.")] = 1.0,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Reads per request.")] = 500,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    json: Annotated[bool, typer.Option("--json", help="Print a summary as JSON.")] = False,
) -> None:
    """Simulate ANPR cameras on the border roads (E25/A2, E314/A76, A79/A4, E40, E42, E411)."""
    chosen = [c.value for c in parse_countries(countries)] if countries else None
    if chosen is None and to:
        chosen = [parse_country(t.partition("=")[0]).value for t in to]
    if chosen is None and data_dir is not None:  # the demo's nodes
        chosen = [c for c in ("BE", "NL", "LU", "DE") if (data_dir / c / "node.toml").is_file()]
    config = SimConfig(
        seed=seed,
        start=_start(start, hours, realtime),
        hours=hours,
        scale=scale,
        countries=tuple(chosen) if chosen else None,
        wanted=wanted,
        clones=clones,
        convoys=convoys,
    )
    sim = simulate(config)
    for frame, path in ((sim.reads, out), (sim.truth, truth), (sim.hotlist, hotlist)):
        if path is not None:
            write_frame(frame, path)
    summary: dict[str, Any] = _summary(sim)
    countries_sent = sorted({c.country for c in sim.cameras})
    sink = _sink(to or [], nats, data_dir, token, countries_sent, patient=realtime)
    if sink is not None:
        try:
            summary["sent"] = _send(sim, sink, Pacer(rate, realtime, speedup), batch, quiet or json)
        finally:
            sink.close()
    if json:
        print_json(summary)
    elif not quiet:
        err.print(
            f"{summary['reads']} reads from {summary['cameras']} cameras, "
            f"{summary['hotlist']} hotlist entries ({summary['wanted_in_window']} on the road), "
            f"{len(sim.clones)} cloned plates, {len(sim.convoys)} convoys"
            + (f"; sent {summary['sent']}" if "sent" in summary else ""),
            highlight=False,
        )


def _summary(sim: Simulation) -> dict[str, Any]:
    c = sim.config
    return {
        "seed": c.seed,
        "start": c.start.isoformat(),
        "hours": c.hours,
        "scale": c.scale,
        "reads": sim.reads.height,
        "cameras": len(sim.cameras),
        "misreads": int((sim.truth["error"] != "exact").sum()),
        "hotlist": sim.hotlist.height,
        "wanted_in_window": int(sim.hotlist["in_window"].sum()),
        "clones": sim.clones,
        "convoys": [list(g) for g in sim.convoys],
    }


def _send(sim: Simulation, sink: Sink, pacer: Pacer, batch: int, quiet: bool) -> dict[str, int]:
    by_country: dict[str, list[Any]] = {}
    for camera in sim.cameras:
        by_country.setdefault(camera.country, []).append(camera)
    for country, cameras in by_country.items():
        sink.register(country, cameras)
    log_every = 60.0 if not quiet and not err.is_terminal else None  # a log file: a line a minute
    state = {"sent": 0, "hits": 0, "at": time.monotonic()}

    def logged(n: int, answer: dict[str, Any]) -> None:
        state["sent"] += n
        state["hits"] += int(answer.get("hits", 0) or 0)
        if log_every is not None and time.monotonic() - state["at"] >= log_every:
            state["at"] = time.monotonic()
            stamp = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
            err.print(f"{stamp} sent {state['sent']} reads, {state['hits']} hits", highlight=False)

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet or not err.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task("sending reads", total=sim.reads.height)

        def progress(n: int, answer: dict[str, Any]) -> None:
            bar.advance(task, n)
            logged(n, answer)

        return emit(sim.reads, sink, pacer, batch=batch, progress=progress)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)
