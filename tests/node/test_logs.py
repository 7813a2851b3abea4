from __future__ import annotations

import json

import pytest
import structlog

from passerelle.logs import configure_logging


def test_personal_data_fields_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", json=True)
    structlog.get_logger("t").info(
        "check_done", national_id="85031412345", family_name="Peeters", plate="1ABC234", hits=2
    )
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert line["event"] == "check_done" and line["hits"] == 2
    for key in ("national_id", "family_name", "plate"):
        assert line[key] == "[redacted]"
    assert "Peeters" not in json.dumps(line)
