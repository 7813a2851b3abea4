"""Reads from a real NATS JetStream stream: durable consumer, ack after commit, idempotent."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from passerelle.anpr.nats_consumer import durable_for, subject_for
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from tests.anpr.ingest_support import Clock, add_entry, make_ctx, read

pytestmark = pytest.mark.integration


def _ctx(tmp_path: Path, nats_server: str, names: dict[str, str], country: Country) -> NodeContext:
    return make_ctx(
        tmp_path,
        country,
        clock=Clock(),
        queue="nats",
        nats_url=nats_server,
        nats_stream=names["stream"],
        nats_subject_prefix=names["prefix"],
        nats_batch=50,
    )


async def _wait(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


def test_reads_published_to_the_stream_are_ingested_once(
    tmp_path: Path, nats_server: str, nats_names: dict[str, str]
) -> None:
    ctx = _ctx(tmp_path, nats_server, nats_names, Country.NL)
    add_entry(ctx, "XX-999-X", "NL")
    now = ctx.anpr.now()
    subject = subject_for(ctx.settings)

    async def scenario() -> None:
        import nats
        from nats.js.api import RetentionPolicy

        await ctx.anpr.start()
        nats_consumer = ctx.anpr._nats
        assert nats_consumer is not None
        await asyncio.wait_for(nats_consumer.connected.wait(), 10)
        nc = await nats.connect(nats_server)
        js = nc.jetstream()
        batch = [read(i, f"AB{i:03d}C", at=now) for i in range(200)]
        await js.publish(subject, json.dumps({"reads": batch[:100]}).encode())
        for r in batch[100:]:
            await js.publish(subject, json.dumps(r).encode())
        await js.publish(subject, json.dumps([read("hit", "XX999X", at=now)]).encode())
        await js.publish(subject, json.dumps(batch[:10]).encode())  # sent twice
        await js.publish(subject, b"\x00not json")
        await _wait(lambda: ctx.anpr.reads.count() == 201)
        info = await js.consumer_info(nats_names["stream"], durable_for(ctx.settings))
        await _wait(lambda: ctx.anpr.reads.quarantine_counts().get("malformed") == 1)
        for _ in range(100):
            info = await js.consumer_info(nats_names["stream"], durable_for(ctx.settings))
            if info.num_ack_pending == 0 and info.num_pending == 0:
                break
            await asyncio.sleep(0.05)
        assert info.num_ack_pending == 0 and info.num_pending == 0  # all acknowledged
        stream = await js.stream_info(nats_names["stream"])
        assert stream.config.retention == RetentionPolicy.WORK_QUEUE
        for _ in range(100):  # acknowledged reads do not stay in the broker
            stream = await js.stream_info(nats_names["stream"])
            if stream.state.messages == 0:
                break
            await asyncio.sleep(0.05)
        assert stream.state.messages == 0
        await nc.close()
        await ctx.anpr.stop()

    asyncio.run(scenario())
    m = ctx.anpr.metrics
    assert m.stored._value.get() == 201
    assert m.duplicates._value.get() == 10
    assert ctx.anpr.reads.window(since=now.replace(year=2000), until=now.replace(year=2100)).filter(
        hit=True
    )["read_id"].to_list() == ["r-hit"]


def test_stop_lets_the_batch_in_flight_commit_and_be_acknowledged(
    tmp_path: Path, nats_server: str, nats_names: dict[str, str]
) -> None:
    """A graceful stop mid-batch does not leave committed reads unacknowledged."""
    from passerelle.anpr.ingest_queue import IngestQueue
    from passerelle.anpr.nats_consumer import NatsConsumer

    ctx = _ctx(tmp_path, nats_server, nats_names, Country.NL)
    now = ctx.anpr.now()
    entered = []

    def slow_ingest(batch: object, source: str) -> object:
        entered.append(source)
        time.sleep(1.0)  # the stop arrives while this batch is being ingested
        return ctx.anpr.ingest.ingest_any(batch, source=source)  # type: ignore[arg-type]

    async def scenario() -> tuple[int, int]:
        import nats

        queue = IngestQueue(slow_ingest)  # type: ignore[arg-type]
        queue.start()
        consumer = NatsConsumer(ctx.settings, queue)
        await consumer.start()
        await asyncio.wait_for(consumer.connected.wait(), 10)
        nc = await nats.connect(nats_server)
        js = nc.jetstream()
        batch = [read(i, f"AB{i:03d}C", at=now) for i in range(20)]
        await js.publish(subject_for(ctx.settings), json.dumps(batch).encode())
        await _wait(lambda: bool(entered))
        await consumer.stop()
        await queue.stop()
        for _ in range(100):  # an ack is fire-and-forget: give the server a moment
            info = await js.consumer_info(nats_names["stream"], durable_for(ctx.settings))
            if info.num_ack_pending == 0:
                break
            await asyncio.sleep(0.05)
        await nc.close()
        return int(info.num_pending), int(info.num_ack_pending)

    assert asyncio.run(scenario()) == (0, 0)
    assert ctx.anpr.reads.count() == 20
