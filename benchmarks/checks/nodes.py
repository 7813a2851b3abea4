"""Four demo nodes for the checks benchmark: data prepared once, run as real processes.

The data dir holds one directory per country (the demo layout: node.toml, keys, IdP,
SQLite registers) and is reused across runs: ``load_registers`` skips a node whose
registers were already generated with the same size and seed. BE reaches LU through
a small TCP proxy (``proxy.py``) so that LU can be slowed without touching LU itself.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from passerelle.demo.layout import DEMO_SEED, NODE_NAMES, DemoNode, demo_nodes
from passerelle.demo.run import NodeProcesses
from passerelle.demo.setup import init_identity, load_registers, wire_trust, write_config
from passerelle.domain.countries import Country
from passerelle.federation.trust import PartnerEntry, TrustStore
from passerelle.settings import load_settings

COUNTRIES = [Country.BE, Country.NL, Country.LU, Country.DE]
PROXY_OFFSET = 10  # LU's delaying proxy listens on port_base + 10


class PhaseTimer:
    """Seconds spent in each phase that ``load_registers`` reports through its step callback."""

    def __init__(self) -> None:
        self.started = self.since = time.perf_counter()
        self.current = "start"
        self.phases: dict[str, float] = {}

    def step(self, description: str, _rows: int) -> None:
        if description != self.current:
            now = time.perf_counter()
            self.phases[self.current] = self.phases.get(self.current, 0.0) + now - self.since
            self.since, self.current = now, description


def nodes_for(data_dir: Path, persons: int, port_base: int) -> list[DemoNode]:
    return demo_nodes(data_dir / f"{persons}", COUNTRIES, port_base)


def prepare(nodes: list[DemoNode], persons: int, seed: int = DEMO_SEED) -> dict[str, Any]:
    """Config, keys, IdP and registers of every node; timings of what had to be done."""
    timings: dict[str, Any] = {}
    keys = {}
    for node in nodes:
        write_config(node)
        keys[node.country.value], _ = init_identity(node)
        marker = node.directory / "demo-data.json"
        cached = marker.exists()
        timer = PhaseTimer()
        print(f"  {node.country}: {'cached' if cached else 'synth + import'} …", flush=True)
        counts = load_registers(node, persons, seed, timer.step)
        timer.step("done", 0)
        seconds = time.perf_counter() - timer.started
        synth = sum(v for k, v in timer.phases.items() if "generating" in k)
        imp = sum(v for k, v in timer.phases.items() if "importing" in k)
        timings[node.country.value] = {
            "cached": cached,
            "seconds": round(seconds, 1),
            "synth_s": round(synth, 1),
            "import_s": round(imp, 1),
            "rows": counts,
        }
        print(f"  {node.country}: {timings[node.country.value]}", flush=True)
    wire_trust(nodes, keys)
    _route_lu_through_proxy(nodes, keys)
    return timings


def proxy_port(nodes: list[DemoNode]) -> int:
    return nodes[0].port - 1 + PROXY_OFFSET


def _route_lu_through_proxy(nodes: list[DemoNode], keys: dict[str, Any]) -> None:
    be = nodes[0]
    store = TrustStore(
        [
            PartnerEntry.from_key(
                keys[o.country.value],
                base_url=(
                    f"http://127.0.0.1:{proxy_port(nodes)}" if o.country is Country.LU else o.url
                ),
                name=NODE_NAMES[o.country],
            )
            for o in nodes
            if o.country is not Country.BE
        ]
    )
    store.save(load_settings(be.config).trust_path)


class Cluster:
    """The four node processes plus LU's proxy; pause, stop and slow partners."""

    def __init__(self, nodes: list[DemoNode]) -> None:
        self.nodes = {n.country: n for n in nodes}
        self.procs = NodeProcesses(nodes)
        self.proxy: subprocess.Popen[bytes] | None = None
        self.proxy_port = proxy_port(nodes)

    def start(self) -> None:
        self.procs.start()
        self.procs.wait_ready(timeout_s=180)
        self.set_proxy_delay(0.0)

    def set_proxy_delay(self, delay_s: float) -> None:
        """(Re)start LU's proxy adding ``delay_s`` before each request is forwarded."""
        self._stop_proxy()
        lu = self.nodes[Country.LU]
        self.proxy = subprocess.Popen(
            [
                sys.executable, "-m", "benchmarks.checks.proxy",
                "--listen", str(self.proxy_port), "--upstream", str(lu.port),
                "--delay", str(delay_s),
            ],
            cwd=Path(__file__).resolve().parents[2],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        assert self.proxy.stdout is not None
        line = self.proxy.stdout.readline()  # "ready" once listening
        if b"ready" not in line:
            raise RuntimeError("LU proxy did not start")

    def stop_node(self, country: Country) -> None:
        proc = self.procs.procs[country.value]
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    def start_node(self, country: Country) -> None:
        node = self.nodes[country]
        log = node.log_file.open("ab")
        self.procs.procs[country.value] = subprocess.Popen(
            [sys.executable, "-m", "passerelle", "node", "serve", "--config", str(node.config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self.procs.wait_ready(timeout_s=180)

    def pids(self) -> dict[str, int]:
        pids = {c: p.pid for c, p in self.procs.procs.items()}
        if self.proxy is not None:
            pids["LU proxy"] = self.proxy.pid
        return pids

    def _stop_proxy(self) -> None:
        if self.proxy is not None and self.proxy.poll() is None:
            self.proxy.terminate()
            self.proxy.wait(timeout=10)
        self.proxy = None

    def stop(self) -> None:
        self._stop_proxy()
        self.procs.stop()


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
