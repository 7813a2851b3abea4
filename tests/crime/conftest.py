"""Fixtures for the crime tests: the real public data beside the checkout.

``../shared/data/external`` sits beside the repository in CI. Without it a test
skips with the reason; with PASSERELLE_REQUIRE_SERVICES=1 (CI) it fails instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.node.conftest import make_nodes  # noqa: F401 -- demo nodes for the web tests

EXTERNAL = Path(__file__).resolve().parents[2] / "../shared/data/external"


def data_missing(what: str) -> None:
    message = f"{what} not found under {EXTERNAL.resolve()}"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; PASSERELLE_REQUIRE_SERVICES=1 requires the shared data")
    pytest.skip(f"{message}; put shared/ beside the checkout to run this test")


@pytest.fixture(scope="session")
def nearrepeat_dir() -> Path:
    d = EXTERNAL / "nearrepeat"
    if not (d / "chicago_be_month1.csv").is_file():
        data_missing("the Near Repeat Calculator samples")
    return d


@pytest.fixture(scope="session")
def essex_dir() -> Path:
    d = EXTERNAL / "policeuk-essex"
    if not sorted(d.glob("*-essex-street.csv.gz")):
        data_missing("the police.uk Essex extracts")
    return d
