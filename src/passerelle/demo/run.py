"""Run the demo's nodes as separate processes and stop them cleanly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

import httpx

from passerelle.demo.anpr import start_anpr_demo
from passerelle.demo.layout import DemoNode
from passerelle.demo.ops import start_ops_demo
from passerelle.exc import ConfigError


def port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class NodeProcesses:
    """One ``passerelle node serve`` process per demo node."""

    def __init__(self, nodes: list[DemoNode]) -> None:
        self.nodes = nodes
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        busy = [n for n in self.nodes if not port_free(n.port)]
        if busy:
            raise ConfigError(
                "port(s) already in use: "
                + ", ".join(f"{n.port} ({n.country})" for n in busy)
                + " — is another demo running? Stop it or use --port-base"
            )
        for node in self.nodes:
            log = node.log_file.open("ab")
            self.procs[node.country.value] = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "passerelle", "node", "serve", "--config", str(node.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(self.nodes)
        with httpx.Client(timeout=1.0) as client:
            while pending:
                for node in list(pending):
                    proc = self.procs[node.country.value]
                    if proc.poll() is not None:
                        raise ConfigError(
                            f"node {node.country} exited with code {proc.returncode}; "
                            f"see {node.log_file}"
                        )
                    try:
                        if client.get(f"{node.url}/readyz").status_code == 200:
                            pending.remove(node)
                    except httpx.HTTPError:
                        pass
                if pending and time.monotonic() > deadline:
                    names = ", ".join(n.country.value for n in pending)
                    raise ConfigError(f"node(s) {names} not ready after {timeout_s:.0f} s")
                if pending:
                    time.sleep(0.1)

    def wait(self) -> None:
        """Block until Ctrl-C / SIGTERM, or until a node dies."""

        def _term(_sig: int, _frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        ops = start_ops_demo(self.nodes)  # patrol, pursuit BE→NL, joint action (demo/ops.py)
        anpr = start_anpr_demo(self.nodes)  # hotlists shared, cameras live (demo/anpr.py)
        previous = signal.signal(signal.SIGTERM, _term)
        # Ctrl-C must stop the demo even when started with SIGINT ignored (e.g. `make demo &`).
        previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            while True:
                for country, proc in self.procs.items():
                    if proc.poll() is not None:
                        raise ConfigError(f"node {country} stopped (exit code {proc.returncode})")
                time.sleep(0.5)
        finally:
            if ops is not None:
                ops.stop()
            if anpr is not None:
                anpr.stop()
            signal.signal(signal.SIGTERM, previous)
            signal.signal(signal.SIGINT, previous_int)

    def stop(self, grace_s: float = 10.0) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
