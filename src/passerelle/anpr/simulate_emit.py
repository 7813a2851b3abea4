"""Send simulated reads to nodes: HTTP batches or NATS JetStream, at a controlled pace.

Each read goes only to the node of the country where its camera stands (reads
never leave their country). ``Pacer`` holds a rate (reads per second) or
replays the reads on the clock (``realtime``, optionally sped up): a read is
sent when its ``read_at`` comes, the way a camera would send it. A batch the
node does not accept (5xx, timeout) is sent again; a batch it refuses (4xx) is
an error — the simulator stops rather than silently lose reads.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import polars as pl

from passerelle.anpr.roads import Camera
from passerelle.exc import PartnerError

WIRE = (
    "read_id",
    "camera_id",
    "read_at",
    "plate",
    "plate_country",
    "confidence",
    "image_ref",
    "site",
    "lat",
    "lon",
    "direction",
)


def wire(reads: pl.DataFrame) -> list[dict[str, Any]]:
    """Reads as the JSON a camera sends (ISO time stamps, no empty fields)."""
    cols = [c for c in WIRE if c in reads.columns]
    frame = reads.select(cols).with_columns(
        pl.col("read_at").dt.strftime("%Y-%m-%dT%H:%M:%S%.3f+00:00")
    )
    return [{k: v for k, v in r.items() if v is not None} for r in frame.iter_rows(named=True)]


def camera_wire(cameras: list[Camera]) -> list[dict[str, Any]]:
    return [
        {
            "camera_id": c.camera_id,
            "site": c.site,
            "road": c.road,
            "lat": c.lat,
            "lon": c.lon,
            "direction": c.direction,
            "country": c.country,
        }
        for c in cameras
    ]


class Sink(Protocol):
    def register(self, country: str, cameras: list[Camera]) -> None: ...
    def send(self, country: str, reads: list[dict[str, Any]]) -> dict[str, Any]: ...
    def close(self) -> None: ...


@dataclass
class HttpSink:
    """``POST /api/v1/anpr/reads`` to each country's node, with a bearer token."""

    urls: dict[str, str]  # country -> node base URL
    token: Callable[[str], str]  # country -> bearer token
    retries: int = 5
    client: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def _call(self, method: str, country: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.urls[country].rstrip("/") + path
        pause = 0.5
        for attempt in range(self.retries + 1):
            try:
                r = self.client.request(
                    method,
                    url,
                    json=body,
                    headers={"Authorization": f"Bearer {self.token(country)}"},
                )
            except httpx.HTTPError as e:
                problem = type(e).__name__
            else:
                if r.status_code < 300:
                    answer: dict[str, Any] = r.json()
                    return answer
                if r.status_code < 500:
                    raise PartnerError(
                        f"{country} node refused the batch: HTTP {r.status_code}",
                        code="simulator_refused",
                        status=r.status_code,
                    )
                problem = f"HTTP {r.status_code}"
            if attempt < self.retries:
                time.sleep(pause)
                pause = min(pause * 2, 8.0)
        raise PartnerError(f"{country} node unavailable ({problem})", code="partner_unavailable")

    def register(self, country: str, cameras: list[Camera]) -> None:
        self._call("PUT", country, "/api/v1/anpr/cameras", {"cameras": camera_wire(cameras)})

    def send(self, country: str, reads: list[dict[str, Any]]) -> dict[str, Any]:
        return self._call("POST", country, "/api/v1/anpr/reads", {"reads": reads})

    def close(self) -> None:
        self.client.close()


@dataclass
class NatsSink:
    """Publish batches to JetStream on ``<prefix>.<cc>.anpr.reads`` (acknowledged by the stream).

    Cameras are registered over HTTP when ``http`` is given (the registry is not on the bus).
    """

    url: str = "nats://127.0.0.1:4222"
    prefix: str = "passerelle"
    http: HttpSink | None = None

    def __post_init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._nc: Any = None
        self._js: Any = None

    def _connect(self) -> Any:
        if self._js is None:
            import nats

            self._nc = self._loop.run_until_complete(nats.connect(self.url, connect_timeout=5))
            self._js = self._nc.jetstream()
        return self._js

    def register(self, country: str, cameras: list[Camera]) -> None:
        if self.http is not None:
            self.http.register(country, cameras)

    def send(self, country: str, reads: list[dict[str, Any]]) -> dict[str, Any]:
        js = self._connect()
        subject = f"{self.prefix}.{country.lower()}.anpr.reads"
        payload = json.dumps({"reads": reads}, separators=(",", ":")).encode()
        ack = self._loop.run_until_complete(js.publish(subject, payload, timeout=10))
        return {"stream": ack.stream, "seq": ack.seq, "published": len(reads)}

    def close(self) -> None:
        if self._nc is not None:
            self._loop.run_until_complete(self._nc.drain())
        self._loop.close()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Pacer:
    """When to send: ``rate`` reads/s at most, and with ``realtime`` not before ``read_at``.

    In real time a read is due when the wall clock (sped up ``speedup`` times from
    the moment sending starts) reaches its ``read_at``: reads of the past (a
    backfill) go at once, at most at ``rate``; the rest as they happen.
    """

    rate: float | None = None
    realtime: bool = False
    speedup: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    now: Callable[[], dt.datetime] = utcnow

    def batches(self, reads: pl.DataFrame, size: int) -> Iterator[pl.DataFrame]:
        """Slices of ``reads`` (sorted by time), each yielded when it is due."""
        t0, anchor = self.clock(), self.now()
        sent = 0
        while sent < reads.height:
            batch = reads.slice(sent, size)
            if self.realtime:
                due = anchor + (self.now() - anchor) * self.speedup
                ready = batch.filter(pl.col("read_at") <= due)
                if ready.is_empty():
                    nxt: dt.datetime = batch["read_at"][0]
                    wait = (nxt - due).total_seconds() / self.speedup
                    self.sleep(min(max(wait, 0.01), 1.0))
                    continue
                batch = ready
            if self.rate:
                ahead = (sent + batch.height) / self.rate - (self.clock() - t0)
                if ahead > 0:
                    self.sleep(ahead)
            sent += batch.height
            yield batch


def emit(
    reads: pl.DataFrame,
    sink: Sink,
    pacer: Pacer,
    *,
    batch: int = 500,
    progress: Callable[[int, dict[str, Any]], None] | None = None,
) -> dict[str, int]:
    """Send every read to its camera country's node; counts of what the nodes answered."""
    totals = {"sent": 0, "accepted": 0, "duplicates": 0, "quarantined": 0, "hits": 0}
    for chunk in pacer.batches(reads.sort("read_at"), batch):
        for (country,), part in chunk.group_by(["camera_country"], maintain_order=True):
            answer = sink.send(str(country), wire(part))
            totals["sent"] += part.height
            for key in ("accepted", "duplicates", "hits"):
                totals[key] += int(answer.get(key, 0) or 0)
            totals["quarantined"] += len(answer.get("quarantined", []) or [])
            if progress is not None:
                progress(part.height, answer)
    return totals
