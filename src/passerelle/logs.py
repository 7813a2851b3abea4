"""Structured logging (structlog): JSON lines with request ids, no personal data.

Log *events* with identifiers of things (check id, request id, dataset name,
counts), never the values officers searched for. ``scrub`` removes keys that
are known to carry personal data, as a second line of defence.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

# Keys whose values are personal data and must never reach a log line.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "given_names",
        "family_name",
        "birth_date",
        "national_id",
        "plate",
        "vin",
        "document_number",
        "address",
        "subject",
        "password",
        "token",
        "authorization",
    }
)


def scrub(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor replacing personal-data fields by a marker."""
    for key in list(event):
        if key.lower() in PERSONAL_KEYS:
            event[key] = "[redacted]"
    return event


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    # Resolve sys.stderr when a logger is made, not once at configuration time.
    return structlog.PrintLogger(sys.stderr)


def configure_logging(level: str = "info", json: bool = True) -> None:
    """Configure structlog and the standard library root logger once per process."""
    lvl = getattr(logging, level.upper(), logging.INFO)
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            scrub,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(lvl),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=lvl, stream=sys.stderr, format="%(message)s", force=True)
    # uvicorn's access log prints full URLs (which may hold identifiers): keep it off.
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
