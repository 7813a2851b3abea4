"""A node killed with SIGKILL mid-ingest loses no acknowledged read and doubles no hit.

Real NATS JetStream and PostgreSQL: reads are published to the stream (each
publish acknowledged by JetStream), a node process ingests them through its
durable consumer, is killed with SIGKILL while it works, and is started again.
In the end every published read is stored exactly once, every hit exists
exactly once, and the consumer has nothing pending or unacknowledged.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa
import tomli_w

from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings
from passerelle.storage.tables_anpr_hotlists import anpr_hits
from passerelle.storage.tables_anpr_reads import anpr_reads
from tests.anpr.ingest_support import CAMERAS, add_entry, demo_node, read

pytestmark = pytest.mark.integration
READS = 30_000
PER_MESSAGE = 100
HIT_EVERY = 500


def _start(config: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "passerelle", "node", "serve", "--config", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_sigkill_mid_ingest_loses_nothing_and_doubles_nothing(
    tmp_path: Path, pg_url: str, nats_server: str, nats_names: dict[str, str]
) -> None:
    node = demo_node(tmp_path, Country.BE)
    values = {
        **tomllib.loads(node.config.read_text()),
        "database": {"url": pg_url},
        "retention": {"schedule": False},
        "anpr": {
            "queue": "nats",
            "nats_url": nats_server,
            "nats_stream": nats_names["stream"],
            "nats_subject_prefix": nats_names["prefix"],
            "nats_batch": 20,
            # Messages the killed node took but never acknowledged come back after this;
            # the test waits for them (a batch committed just before the kill is acked
            # only on redelivery, so "all reads stored" comes before "nothing pending").
            "nats_ack_wait_s": 10.0,
            "max_age_hours": 24,
        },
    }
    node.config.write_text(tomli_w.dumps(values))
    ctx = NodeContext.build(load_settings(node.config))
    ctx.anpr.cameras.upsert(CAMERAS)
    add_entry(ctx, "1-HIT-000", "BE")
    now = ctx.anpr.now()
    subject = f"{nats_names['prefix']}.be.anpr.reads"
    hit_ids = {f"r-{i}" for i in range(0, READS, HIT_EVERY)}

    async def publish() -> None:
        import nats

        nc = await nats.connect(nats_server)
        js = nc.jetstream()
        from nats.js.api import RetentionPolicy, StreamConfig

        # as the node creates it: a message leaves the stream once acknowledged
        config = StreamConfig(
            name=nats_names["stream"], subjects=[subject], retention=RetentionPolicy.WORK_QUEUE
        )
        await js.add_stream(config)
        for start in range(0, READS, PER_MESSAGE):
            batch = [
                read(i, "1HIT000" if f"r-{i}" in hit_ids else f"2AB{i % 1000:03d}", at=now)
                for i in range(start, start + PER_MESSAGE)
            ]
            ack = await js.publish(subject, json.dumps(batch).encode())
            assert ack.seq  # stored by JetStream: from here on the read must not be lost
        await nc.close()

    async def consumer_state() -> tuple[int, int]:
        import nats

        nc = await nats.connect(nats_server)
        info = await nc.jetstream().consumer_info(nats_names["stream"], "passerelle-be-ingest")
        await nc.close()
        return int(info.num_pending), int(info.num_ack_pending)

    asyncio.run(publish())
    log = tmp_path / "node.log"
    proc = _start(node.config, log)
    try:
        _wait(lambda: _count(ctx.engine, anpr_reads) >= 3000, 120, "the first reads")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        killed_at = _count(ctx.engine, anpr_reads)
        assert killed_at < READS, "the node finished before it was killed: raise READS"
        proc = _start(node.config, log)
        _wait(lambda: _count(ctx.engine, anpr_reads) >= READS, 180, "all reads after restart")
        _wait(lambda: asyncio.run(consumer_state()) == (0, 0), 60, "every message acked")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert _count(ctx.engine, anpr_reads) == READS
    with ctx.engine.connect() as conn:
        ids = conn.execute(sa.select(anpr_reads.c.read_id)).scalars().all()
        hits = conn.execute(sa.select(anpr_hits.c.read_id)).scalars().all()
    assert len(set(ids)) == READS and sorted(hits) == sorted(hit_ids)

    assert asyncio.run(consumer_state()) == (0, 0)  # a graceful stop leaves nothing unacked
    ctx.engine.dispose()
    assert "1HIT000" not in log.read_text()  # no plate in the node's log
