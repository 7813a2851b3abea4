"""The simulator sends reads to real nodes: HTTP batches with its cameras registered, NATS
JetStream, paced by rate or by the reads' own clock; and writes files for `anpr match`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from passerelle.anpr.simulate import SimConfig, simulate
from passerelle.anpr.simulate_emit import HttpSink, NatsSink, Pacer, emit, wire
from passerelle.auth.roles import Role
from passerelle.cli import app
from passerelle.domain.countries import Country
from passerelle.web.app import create_app
from tests.anpr.ingest_support import ADMIN, Clock, make_ctx
from tests.conftest import LiveServer


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.start = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)

    def sleep(self, s: float) -> None:
        self.t += s

    def clock(self) -> float:
        return self.t

    def now(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.t)


def _frame(seconds: list[float], start: dt.datetime) -> pl.DataFrame:
    at = [start + dt.timedelta(seconds=s) for s in seconds]
    return pl.DataFrame({"read_id": [f"r{i}" for i in range(len(at))], "read_at": at})


def test_pacer_holds_the_rate() -> None:
    ft = FakeTime()
    pacer = Pacer(rate=100, sleep=ft.sleep, clock=ft.clock, now=ft.now)
    sizes = [b.height for b in pacer.batches(_frame([0.0] * 250, ft.start), 50)]
    assert sizes == [50] * 5 and ft.t == pytest.approx(2.5)


def test_pacer_in_real_time_sends_the_past_at_once_and_the_future_when_due() -> None:
    ft = FakeTime()
    reads = _frame([-600, -300, -1, 10, 10.5, 30], ft.start)
    pacer = Pacer(realtime=True, sleep=ft.sleep, clock=ft.clock, now=ft.now)
    sent = []
    for batch in pacer.batches(reads, 100):
        sent.append((round(ft.t, 1), batch["read_id"].to_list()))
    assert sent[0] == (0.0, ["r0", "r1", "r2"])
    assert sent[1][1] == ["r3"] and 10 <= sent[1][0] < 11
    assert sum(len(ids) for _, ids in sent) == 6 and sent[-1][0] >= 30
    fast = FakeTime()
    pacer = Pacer(realtime=True, speedup=10, sleep=fast.sleep, clock=fast.clock, now=fast.now)
    assert sum(b.height for b in pacer.batches(_frame([0, 60, 120], fast.start), 10)) == 3
    assert fast.t == pytest.approx(12, abs=1.1)  # two minutes of traffic in 12 seconds


def test_wire_format_is_what_the_node_parses() -> None:
    from passerelle.anpr.ingest_models import RawRead, parse_raw_read

    sim = simulate(SimConfig(seed=2, hours=0.2, scale=0.01))
    for item in wire(sim.reads.head(50)):
        parsed = parse_raw_read(item)
        assert isinstance(parsed, RawRead), item
        assert parsed.read_at.tzinfo is not None and parsed.camera_id == item["camera_id"]


def test_simulated_reads_reach_a_node_over_http(tmp_path: Path) -> None:
    clock = Clock()
    ctx = make_ctx(tmp_path, Country.BE, clock=clock, cameras=False)
    start = (clock.now - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    sim = simulate(SimConfig(seed=5, start=start, hours=1, scale=0.02, countries=("BE",)))
    own = sim.hotlist.filter((pl.col("owner") == "BE") & pl.col("in_window"))
    hotlist = ctx.anpr.hotlists.create_list(ADMIN, "Simulated", "stolen_vehicle")
    entries = [{**r, "expires_at": r["expires_at"].isoformat()} for r in own.to_dicts()]
    assert not ctx.anpr.hotlists.add_entries(ADMIN, hotlist.hotlist_id, entries).rejected
    assert ctx.idp is not None
    token = ctx.idp.issue("simulator", [Role.ADMIN])
    with LiveServer(create_app(ctx)) as srv:
        sink = HttpSink({"BE": srv.url}, lambda _c: token)
        try:
            sink.register("BE", sim.cameras)
            totals = emit(sim.reads, sink, Pacer(rate=20_000), batch=400)
            again = emit(sim.reads.head(100), sink, Pacer(), batch=100)
        finally:
            sink.close()
    assert len(ctx.anpr.cameras.all()) == len(sim.cameras)
    assert totals["sent"] == sim.reads.height
    assert totals["accepted"] + totals["quarantined"] == sim.reads.height
    assert totals["quarantined"] <= sim.reads.height * 0.02  # garbage remnants only
    assert totals["hits"] > 0  # the wanted vehicles drove past BE cameras
    assert again["duplicates"] == 100 and again["hits"] == 0


@pytest.mark.integration
def test_simulated_reads_reach_a_node_over_nats(
    tmp_path: Path, nats_server: str, nats_names: dict[str, str]
) -> None:
    ctx = make_ctx(tmp_path, Country.NL, clock=Clock(), cameras=False, queue="nats",
                   nats_url=nats_server, nats_stream=nats_names["stream"],
                   nats_subject_prefix=nats_names["prefix"])  # fmt: skip
    start = (ctx.anpr.now() - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    sim = simulate(SimConfig(seed=6, start=start, hours=0.5, scale=0.02, countries=("NL",)))
    from passerelle.anpr.reads_cameras import Camera

    ctx.anpr.cameras.upsert(
        [
            Camera(c.camera_id, c.site, c.country, road=c.road, lat=c.lat, lon=c.lon)
            for c in sim.cameras
        ]
    )

    async def scenario() -> None:
        await ctx.anpr.start()
        consumer = ctx.anpr._nats
        assert consumer is not None
        await asyncio.wait_for(consumer.connected.wait(), 10)
        sink = NatsSink(nats_server, prefix=nats_names["prefix"])
        try:
            totals = await asyncio.to_thread(emit, sim.reads, sink, Pacer(), batch=250)
        finally:
            await asyncio.to_thread(sink.close)
        assert totals["sent"] == sim.reads.height
        deadline = time.monotonic() + 30
        while ctx.anpr.reads.count() + sum(ctx.anpr.reads.quarantine_counts().values()) < (
            sim.reads.height
        ):
            assert time.monotonic() < deadline, "reads not ingested in time"
            await asyncio.sleep(0.05)
        await ctx.anpr.stop()

    asyncio.run(scenario())


def test_cli_writes_files_for_anpr_match(tmp_path: Path) -> None:
    out, truth, hotlist = tmp_path / "reads.parquet", tmp_path / "truth.csv", tmp_path / "hl.csv"
    result = CliRunner().invoke(app, [
        "anpr", "simulate", "--seed", "9", "--hours", "0.5", "--scale", "0.02",
        "--start", "2026-11-23T07:00:00+00:00", "--out", str(out), "--truth", str(truth),
        "--hotlist", str(hotlist), "--json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    reads = pl.read_parquet(out)
    assert reads.height == summary["reads"] > 100
    assert {"read_id", "plate", "timestamp", "plate_country", "camera_id", "lat", "lon"} <= set(
        reads.columns
    )
    assert pl.read_csv(truth).height == reads.height
    assert pl.read_csv(hotlist).height == summary["hotlist"]
    hits = tmp_path / "hits.csv"
    matched = CliRunner().invoke(app, ["anpr", "match", "--hotlist", str(hotlist), "--reads",
                                       str(out), "--out", str(hits), "--json"])  # fmt: skip
    assert matched.exit_code == 0, matched.output
    assert json.loads(matched.output)["hits"] > 0
    clones = CliRunner().invoke(app, ["anpr", "clones", "--reads", str(out), "--json"])
    assert clones.exit_code == 0, clones.output
    assert {c["plate"] for c in json.loads(clones.output)["clones"]} <= set(summary["clones"])
    convoys = CliRunner().invoke(app, ["anpr", "convoys", "--reads", str(out), "--json"])
    assert convoys.exit_code == 0, convoys.output
    assert set(json.loads(convoys.output)) == {"pairs_tested", "convoys", "pairs", "candidates"}
