"""Shared fixtures: databases on both backends, a demo node context, an app client.

Integration tests need real servers. On a developer machine without them they
skip with the reason; with PASSERELLE_REQUIRE_SERVICES=1 (set by .ci/run) a
missing server fails the run.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import structlog

from passerelle.storage.db import create_engine, migrate

REQUIRE_SERVICES = os.environ.get("PASSERELLE_REQUIRE_SERVICES") == "1"
PG_ADMIN_URL = os.environ.get(
    "PASSERELLE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def service_missing(name: str, reason: str) -> None:
    message = f"{name} not available ({reason})"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message}; PASSERELLE_REQUIRE_SERVICES=1 requires it")
    pytest.skip(f"{message}; set PASSERELLE_TEST_POSTGRES or start the server to run this test")


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[sa.Engine]:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as e:
        engine.dispose()
        service_missing("PostgreSQL", f"{type(e).__name__} connecting to {PG_ADMIN_URL}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin: sa.Engine) -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"passerelle_t_{uuid.uuid4().hex[:12]}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield pg_admin.url.set(database=name).render_as_string(hide_password=False)
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'node.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    eng = create_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


class LiveServer:
    """A real uvicorn server in a thread on a free loopback port (waits until it accepts)."""

    def __init__(self, app: object, port: int | None = None) -> None:
        import socket
        import threading

        import uvicorn

        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,  # type: ignore[arg-type]
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


NATS_URL = os.environ.get("PASSERELLE_TEST_NATS", "nats://127.0.0.1:4222")


@pytest.fixture(scope="session")
def nats_server() -> str:
    """The URL of a real NATS server with JetStream (skips, or fails under
    PASSERELLE_REQUIRE_SERVICES=1, when there is none)."""
    import asyncio

    async def probe() -> None:
        import nats

        nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
        try:
            await nc.jetstream().account_info()
        finally:
            await nc.close()

    try:
        asyncio.run(probe())
    except Exception as e:
        service_missing("NATS JetStream", f"{type(e).__name__} connecting to {NATS_URL}")
    return NATS_URL


@pytest.fixture
def nats_names() -> Iterator[dict[str, str]]:
    """A stream name and subject prefix of this test only (deleted afterwards)."""
    run = uuid.uuid4().hex[:10]
    names = {"stream": f"T_{run.upper()}", "prefix": f"t{run}"}
    yield names
    import asyncio

    async def drop() -> None:
        import nats

        nc = await nats.connect(NATS_URL, connect_timeout=2, max_reconnect_attempts=0)
        try:
            await nc.jetstream().delete_stream(names["stream"])
        except Exception:
            pass
        finally:
            await nc.close()

    with contextlib.suppress(Exception):  # cleanup only: the test's result stands
        asyncio.run(drop())
