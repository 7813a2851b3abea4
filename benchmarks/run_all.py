"""Run every benchmark in this folder (each prints a table and writes bench-results/*.json)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Small sizes for `make bench`; run a script alone for the full size (see its --help).
ARGS: dict[str, list[str]] = {"bench_checks.py": ["--persons", "10000", "--duration", "5"]}


def main() -> int:
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        module = f"benchmarks.{script.stem}"
        args = ARGS.get(script.name, [])
        failed |= subprocess.call([sys.executable, "-m", module, *args], cwd=HERE.parent)
    return failed


if __name__ == "__main__":
    sys.exit(main())
