"""The ANPR part of ``passerelle demo``: hotlists shared between nodes, cameras alive.

Once the nodes answer, ``start_anpr_demo``:

1. registers each node's cameras on the real border roads (``anpr.roads``);
2. seeds hotlists: each node's wanted vehicles of the simulation (stolen
   cars, case vehicles ...) go into its own hotlists and are shared with the
   neighbours its cameras border (BE↔NL, BE↔DE, BE↔LU, NL↔DE, LU↔DE);
3. starts ``passerelle anpr simulate --realtime`` in the background for the
   BE and NL cameras (and any other demo node running), so that the
   control-room page (``/anpr``) shows hits as they happen — a backfill of the
   last hours first, so that analytics and the hit list have something to show.

Everything goes through the nodes' own HTTP API with short-lived demo admin
tokens; the simulator is a separate process, stopped with the nodes.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import structlog

from passerelle.auth.idp import DemoIdP
from passerelle.auth.roles import Role
from passerelle.demo.layout import DEMO_SEED, DemoNode
from passerelle.settings import load_settings

log = structlog.get_logger(__name__)
NEIGHBOURS = {
    "BE": ("NL", "DE", "LU"),
    "NL": ("BE", "DE"),
    "LU": ("BE", "DE"),
    "DE": ("NL", "BE", "LU"),
}
DEMO_SCALE = 0.01  # 1 % of the real volume: a few reads a second across the network
BACKFILL_HOURS = 2.0
DEMO_WANTED = 200  # wanted vehicles on the road in the day: a hit every minute or two


def demo_token(
    node: DemoNode, roles: list[Role], minutes: int = 60, subject: str = "simulator"
) -> str:
    settings = load_settings(node.config)
    assert settings.oidc.issuer and settings.oidc.audience
    idp = DemoIdP(settings.data_dir / "idp", settings.oidc.issuer, settings.oidc.audience)
    return idp.issue(subject, roles, minutes=minutes)


def seed_hotlists(
    nodes: list[DemoNode], hotlist: pl.DataFrame, timeout: float = 30.0
) -> dict[str, int]:
    """Each node's own entries into one hotlist per category, shared with its neighbours."""
    by_country = {n.country.value: n for n in nodes}
    added: dict[str, int] = {}
    with httpx.Client(timeout=timeout) as client:
        for country, node in by_country.items():
            own = hotlist.filter(pl.col("owner") == country)
            if own.is_empty():
                continue
            headers = {"Authorization": f"Bearer {demo_token(node, [Role.ADMIN], 5, 'demo-anpr')}"}
            partners = [p for p in NEIGHBOURS[country] if p in by_country]
            lists = _lists(client, node, headers)
            for (category,), part in own.group_by(["category"], maintain_order=True):
                hotlist_id = lists.get(str(category)) or _create(
                    client, node, headers, str(category)
                )
                entries = [_entry(r) for r in part.iter_rows(named=True)]
                for i in range(0, len(entries), 500):
                    r = client.post(
                        f"{node.url}/api/v1/anpr/hotlists/{hotlist_id}/entries",
                        json={"entries": entries[i : i + 500], "share_with": partners},
                        headers=headers,
                    )
                    r.raise_for_status()
                    added[country] = added.get(country, 0) + len(r.json().get("added", []))
    return added


def _lists(client: httpx.Client, node: DemoNode, headers: dict[str, str]) -> dict[str, str]:
    r = client.get(f"{node.url}/api/v1/anpr/hotlists", headers=headers)
    r.raise_for_status()
    body = r.json()
    items = body.get("hotlists", body) if isinstance(body, dict) else body
    return {
        h["category"]: h["hotlist_id"] for h in items if str(h.get("name", "")).startswith("Demo")
    }


def _create(client: httpx.Client, node: DemoNode, headers: dict[str, str], category: str) -> str:
    name = f"Demo {category.replace('_', ' ')}"
    r = client.post(
        f"{node.url}/api/v1/anpr/hotlists",
        json={"name": name, "category": category},
        headers=headers,
    )
    r.raise_for_status()
    return str(r.json()["hotlist_id"])


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "ref": row["ref"],
        "plate": row["plate"],
        "plate_country": row["plate_country"],
        "reason": row["reason"],
        "assessment": row["assessment"],
        "action": row["action"],
        "instruction": row["instruction"],
        "contact": row["contact"],
        "category": row["category"],
        "expires_at": row["expires_at"].isoformat(),
    }


@dataclass
class AnprDemo:
    """The background simulator process of the demo."""

    nodes: list[DemoNode]
    data_dir: Path
    proc: subprocess.Popen[bytes] | None = None
    seeded: dict[str, int] = field(default_factory=dict)
    stopped: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def command(self, countries: list[str], start: dt.datetime) -> list[str]:
        return [
            sys.executable,
            "-m",
            "passerelle",
            "anpr",
            "simulate",
            "--realtime",
            "--data-dir",
            str(self.data_dir),
            "--countries",
            ",".join(countries),
            "--seed",
            str(DEMO_SEED),
            "--scale",
            str(DEMO_SCALE),
            "--hours",
            "24",
            "--start",
            start.isoformat(),
            "--wanted",
            str(DEMO_WANTED),
        ]

    def start(self) -> str:
        from passerelle.anpr.simulate import SimConfig, simulate

        countries = [n.country.value for n in self.nodes]
        start = _start_of(dt.datetime.now(dt.UTC))
        sim = simulate(
            SimConfig(seed=DEMO_SEED, scale=DEMO_SCALE, hours=24.0, start=start, wanted=DEMO_WANTED)
        )
        self.seeded = seed_hotlists(self.nodes, sim.hotlist)
        log_file = (self.data_dir / "anpr-simulator.log").open("ab")
        with self.lock:
            if self.stopped.is_set():
                log_file.close()
                return "ANPR: stopped"
            self.proc = subprocess.Popen(  # noqa: S603
                self.command(countries, start),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        log_file.close()
        total = sum(self.seeded.values())
        return (
            f"ANPR: {total} hotlist entries shared; cameras of {', '.join(countries)} "
            f"sending reads (log: {self.data_dir / 'anpr-simulator.log'}); "
            "live hits at <node URL>/anpr"
        )

    def stop(self) -> None:
        with self.lock:
            self.stopped.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _start_of(now: dt.datetime) -> dt.datetime:
    """The simulation day of the demo: starts ``BACKFILL_HOURS`` ago, on the minute."""
    return (now - dt.timedelta(hours=BACKFILL_HOURS)).replace(second=0, microsecond=0)


def start_anpr_demo(nodes: list[DemoNode], out: Callable[[str], None] = print) -> AnprDemo | None:
    """Seed hotlists and start the camera simulator in the background; ``stop()`` ends it.

    Never stops the nodes: a failure is printed and the demo runs on without ANPR traffic.
    """
    if not nodes:
        return None
    demo = AnprDemo(nodes, nodes[0].directory.parent)

    def run() -> None:
        try:
            out(demo.start())
        except (httpx.HTTPError, OSError, ValueError) as e:
            log.warning("anpr_demo_failed", error=type(e).__name__)
            out(f"ANPR demo not started ({type(e).__name__}); the nodes run on without it")

    threading.Thread(target=run, name="anpr-demo", daemon=True).start()
    return demo
