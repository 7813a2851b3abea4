"""Nodes, reads and feeders of the ANPR end-to-end benchmark (``bench_e2e.py``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import tomli_w

from passerelle.anpr.reads_cameras import Camera
from passerelle.auth.roles import Principal, Role
from passerelle.demo.layout import DemoNode
from passerelle.demo.setup import init_identity, wire_trust, write_config
from passerelle.domain.countries import Country
from passerelle.node.context import NodeContext
from passerelle.settings import load_settings

PG = os.environ.get("PASSERELLE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NATS = os.environ.get("PASSERELLE_TEST_NATS", "nats://127.0.0.1:4222")
ADMIN = Principal(
    subject="bench", name="Bench", roles=frozenset({Role.ADMIN}), issuer="bench",
    token_id="bench", expires_at=0,
)  # fmt: skip
CAMERAS = [
    Camera("CAM-E40-1", "E40 Lichtenbusch", "BE", road="E40", lat=50.733, lon=6.125, direction="W"),
    Camera("CAM-E25-1", "E25 Visé", "BE", road="E25", lat=50.74, lon=5.69, direction="N"),
    Camera("CAM-E313-1", "E313 Lummen", "BE", road="E313", lat=50.99, lon=5.2, direction="E"),
]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


LETTERS = np.array(list("BCDFGHJKLMNPRSTVWXZ"))
CONFUSE = {"0": "O", "O": "0", "1": "I", "8": "B", "B": "8", "5": "S", "2": "Z", "6": "G"}


def plates(rng: np.random.Generator, n: int) -> list[str]:
    """BE-style plates 1ABC234 (distinct enough for a realistic index)."""
    d = rng.integers(0, 10, size=(n, 4))
    letters = LETTERS[rng.integers(0, len(LETTERS), size=(n, 3))]
    return [f"{1 + d[i, 0] % 9}{''.join(letters[i])}{d[i, 1]}{d[i, 2]}{d[i, 3]}" for i in range(n)]


def misread(rng: np.random.Generator, plate: str) -> str:
    spots = [i for i, c in enumerate(plate) if c in CONFUSE]
    if not spots:
        return plate
    i = int(rng.choice(spots))
    return plate[:i] + CONFUSE[plate[i]] + plate[i + 1 :]


class Stream:
    """Reads from a vehicle population (each vehicle passes several cameras)."""

    def __init__(self, seed: int, vehicles: int = 200_000) -> None:
        self.rng = np.random.default_rng(seed)
        self.fleet = plates(self.rng, vehicles)
        self.n = 0

    def batch(self, size: int, now: dt.datetime, hits: Sequence[str] = ()) -> list[dict[str, Any]]:
        picks = self.rng.zipf(1.3, size=size) % len(self.fleet)
        errors = self.rng.random(size) < 0.03
        out = []
        for k in range(size):
            plate = self.fleet[int(picks[k])]
            out.append(self._read(misread(self.rng, plate) if errors[k] else plate, now))
        for plate in hits:
            out.append(self._read(plate, now))
        return out

    def _read(self, plate: str, now: dt.datetime) -> dict[str, Any]:
        self.n += 1
        cam = CAMERAS[self.n % len(CAMERAS)]
        return {
            "read_id": f"b{self.n}",
            "camera_id": cam.camera_id,
            "read_at": now.isoformat(),
            "plate": plate,
            "confidence": 0.9,
            "image_ref": f"img/{self.n}",
        }


class Pair:
    """BE and NL node processes with trust wired; BE on ``db_url`` with ``anpr`` settings."""

    def __init__(self, root: Path, db_url: str | None, anpr: dict[str, Any]) -> None:
        self.be = DemoNode(Country.BE, root / "BE", free_port())
        self.nl = DemoNode(Country.NL, root / "NL", free_port())
        keys = {}
        for node in (self.be, self.nl):
            write_config(node)
            keys[node.country.value], _ = init_identity(node)
        wire_trust([self.be, self.nl], keys)
        extra: dict[str, Any] = {
            "log_level": "warning",
            "retention": {"schedule": False},
            "anpr": {"hit_dedup_window_s": 0, **anpr},
        }
        if db_url:
            extra["database"] = {"url": db_url}
        values = {**tomllib.loads(self.be.config.read_text()), **extra}
        self.be.config.write_text(tomli_w.dumps(values))
        nl = {**tomllib.loads(self.nl.config.read_text()), "log_level": "warning"}
        self.nl.config.write_text(tomli_w.dumps(nl))
        self.procs: list[subprocess.Popen[bytes]] = []

    def prepare(self, entries: int, shared: int, seed: int) -> list[str]:
        """BE's cameras and own hotlist; NL's shared entries (plates returned)."""
        be = NodeContext.build(load_settings(self.be.config))
        be.anpr.cameras.upsert(CAMERAS)
        rng = np.random.default_rng(seed + 1)
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=20)).isoformat()
        base = {
            "reason": "stolen",
            "assessment": "assessed",
            "contact": "SPOC",
            "expires_at": expires,
        }
        own = be.anpr.hotlists.create_list(ADMIN, "Stolen vehicles BE", "stolen_vehicle")
        wanted = plates(rng, entries)
        for k in range(0, entries, 10_000):
            chunk = [
                {**base, "plate": p, "ref": f"S{k + i}"}
                for i, p in enumerate(wanted[k : k + 10_000])
            ]
            be.anpr.hotlists.add_entries(ADMIN, own.hotlist_id, chunk)
        be.engine.dispose()
        nl = NodeContext.build(load_settings(self.nl.config))
        listed = nl.anpr.hotlists.create_list(ADMIN, "Gezocht NL", "wanted_person")
        theirs = [f"{p[:-1]}Q" for p in plates(rng, shared)]  # not in the fleet
        rows = [
            {**base, "plate": p, "plate_country": "BE", "ref": f"W{i}"}
            for i, p in enumerate(theirs)
        ]
        nl.anpr.hotlists.add_entries(ADMIN, listed.hotlist_id, rows, ["BE"])
        nl.engine.dispose()
        return theirs

    def start(self) -> None:
        for node in (self.nl, self.be):
            log = (node.directory / "bench.log").open("ab")
            self.procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "passerelle",
                        "node",
                        "serve",
                        "--config",
                        str(node.config),
                    ],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        for node in (self.be, self.nl):
            wait(lambda n=node: _ready(n.url), 60, f"{node.country} ready")

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out: {what}")
        time.sleep(0.05)


def token(node: DemoNode, role: Role) -> str:
    ctx = NodeContext.build(load_settings(node.config), run_migrations=False)
    assert ctx.idp is not None
    issued = ctx.idp.issue("bench", [role], minutes=120)
    ctx.engine.dispose()
    return issued


class HttpFeeder:
    def __init__(self, url: str, bearer: str) -> None:
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {bearer}"}, timeout=120
        )

    def send(self, body: bytes) -> None:
        r = self.client.post(
            "/api/v1/anpr/reads", content=body, headers={"Content-Type": "application/json"}
        )
        r.raise_for_status()

    def encode(self, batch: list[dict[str, Any]]) -> bytes:
        return json.dumps({"reads": batch}).encode()

    def close(self) -> None:
        self.client.close()


class NatsFeeder:
    """Publishes to JetStream from an event loop of its own (each publish acknowledged)."""

    def __init__(self, url: str, stream: str, subject: str) -> None:
        import asyncio

        import nats
        from nats.js.api import StreamConfig
        from nats.js.errors import NotFoundError

        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.subject = subject

        async def connect() -> Any:
            nc = await nats.connect(url)
            js = nc.jetstream()
            try:  # the node created it (with its own settings): use it as it is
                await js.stream_info(stream)
            except NotFoundError:
                await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
            return nc, js

        self.nc, self.js = self._run(connect())
        self.stream = stream

    def _run(self, coro: Any) -> Any:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(120)

    def encode(self, batch: list[dict[str, Any]]) -> list[bytes]:
        return [json.dumps(batch[i : i + 500]).encode() for i in range(0, len(batch), 500)]

    def send(self, messages: list[bytes]) -> None:
        async def publish() -> None:
            for m in messages:
                await self.js.publish(self.subject, m)

        self._run(publish())

    def close(self) -> None:
        async def drop() -> None:
            await self.js.delete_stream(self.stream)
            await self.nc.close()

        self._run(drop())
        self.loop.call_soon_threadsafe(self.loop.stop)
