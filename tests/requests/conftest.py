"""Demo nodes for the follow-up request tests (the same builder as tests/node)."""

from __future__ import annotations

from tests.node.conftest import make_nodes

__all__ = ["make_nodes"]
