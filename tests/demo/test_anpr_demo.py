"""The ANPR demo against real BE and NL nodes (uvicorn): hotlists seeded and shared between
them, the simulator's command line understood by `passerelle anpr simulate`, and simulated
reads producing hits at both nodes — some of them hits on the other country's entries."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import typer

from passerelle.anpr.hits_store import HitFilter
from passerelle.anpr.simulate import SimConfig, simulate
from passerelle.anpr.simulate_emit import HttpSink, Pacer, emit
from passerelle.auth.roles import Role
from passerelle.cli import app
from passerelle.demo.anpr import DEMO_SCALE, AnprDemo, demo_token, seed_hotlists
from passerelle.domain.countries import Country
from passerelle.web.app import create_app
from tests.conftest import LiveServer
from tests.web.conftest import make_web_nodes


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"demo: {what} never happened"
        time.sleep(0.05)


def test_simulator_command_of_the_demo_is_valid(tmp_path: Path) -> None:
    demo = AnprDemo([], tmp_path)
    argv = demo.command(["BE", "NL"], dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC))
    assert argv[1:5] == ["-m", "passerelle", "anpr", "simulate"]
    command = typer.main.get_command(app)
    simulate_cmd = command.commands["anpr"].commands["simulate"]  # type: ignore[attr-defined]
    known = {opt for p in simulate_cmd.params for opt in p.opts}
    assert {a for a in argv[5:] if a.startswith("--")} <= known


def test_hotlists_seeded_shared_and_hit_across_the_border(tmp_path: Path) -> None:
    nodes = make_web_nodes(tmp_path / "nodes", Country.BE, Country.NL)
    ctx = {c: nodes.context(c) for c in (Country.BE, Country.NL)}
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    sim = simulate(SimConfig(seed=3, start=start, hours=2, scale=DEMO_SCALE * 4, wanted=120,
                             countries=("BE", "NL")))  # fmt: skip
    demo_nodes = [nodes.nodes[Country.BE], nodes.nodes[Country.NL]]
    with (
        LiveServer(create_app(ctx[Country.NL]), nodes.nodes[Country.NL].port),
        LiveServer(create_app(ctx[Country.BE]), nodes.nodes[Country.BE].port),
    ):
        added = seed_hotlists(demo_nodes, sim.hotlist)
        owned = dict(sim.hotlist.group_by("owner").len().iter_rows())
        assert added == {c: owned[c] for c in ("BE", "NL")}  # every entry of a running node
        assert seed_hotlists(demo_nodes, sim.hotlist) == added  # again: updated, not doubled
        be_entries = sim.hotlist.filter(pl.col("owner") == "BE").height
        _until(lambda: ctx[Country.NL].anpr.hotlists.active_counts().get("BE") == be_entries,
               "BE's entries at NL")  # fmt: skip
        tokens = {c.value: demo_token(n, [Role.ADMIN]) for c, n in nodes.nodes.items()}
        urls = {c.value: n.url for c, n in nodes.nodes.items()}
        sink = HttpSink(urls, tokens.__getitem__)
        try:
            for country in ("BE", "NL"):
                sink.register(country, [c for c in sim.cameras if c.country == country])
            totals = emit(sim.reads, sink, Pacer(), batch=500)
        finally:
            sink.close()
    assert totals["hits"] > 0
    nl_hits, _ = ctx[Country.NL].anpr.hits.store.find(HitFilter(limit=1000))
    assert nl_hits and {h.reporting_country for h in nl_hits} <= {"NL", "BE"}
    assert any(h.owner_country == "BE" for h in nl_hits), "no NL camera hit on a BE entry"
