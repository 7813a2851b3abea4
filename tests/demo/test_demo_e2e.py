"""`passerelle demo` end to end: nodes come up trusting each other; Ctrl-C stops them all."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from passerelle.demo.run import port_free

pytestmark = pytest.mark.slow


def free_base() -> int:
    for _ in range(100):
        base = random.randrange(20000, 60000, 10)
        if all(port_free(base + i) for i in range(1, 5)):
            return base
    raise RuntimeError("no free port range")


def test_demo_starts_trusting_nodes_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    base = free_base()
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "passerelle",
            "demo",
            "--data-dir",
            str(tmp_path / "d"),
            "--port-base",
            str(base),
            "--countries",
            "BE,NL,LU",
            "--no-browser",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
    )
    output: list[str] = []
    try:
        deadline = time.monotonic() + 90
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if "Press Ctrl-C" in line:
                break
        text = "".join(output)
        assert "Press Ctrl-C" in text, text
        assert text.count("2/2 trusted") == 3, text  # each node trusts and reaches both others
        for i in (1, 2, 3):
            assert httpx.get(f"http://127.0.0.1:{base + i}/readyz", timeout=5).status_code == 200
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
        assert "all nodes stopped" in rest
        assert proc.returncode == 0
        for i in (1, 2, 3):
            assert port_free(base + i), f"port {base + i} still in use after Ctrl-C"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_demo_setup_is_idempotent_and_keeps_passwords(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from passerelle.cli import app
    from passerelle.demo.setup import read_logins

    args = ["demo", "--data-dir", str(tmp_path), "--countries", "BE,NL", "--setup-only"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    logins = read_logins(tmp_path)
    assert set(logins) == {"BE", "NL"} and all(logins.values())
    db_mtime = (tmp_path / "BE" / "node.db").stat().st_mtime_ns
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, second.output
    assert read_logins(tmp_path) == logins
    assert (tmp_path / "BE" / "node.db").stat().st_mtime_ns == db_mtime  # registers not rebuilt
