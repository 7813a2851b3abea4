"""Camera reads never leave their country: only hits go to the entry's owner.

BE and NL run as real nodes on loopback. NL shares a wanted plate with BE; BE
ingests no-hit reads and one hit. Every request NL receives from BE, and every
message in BE's outbox, is inspected: none carries a no-hit read's id, plate or
image reference; the hit does arrive.
"""

from __future__ import annotations

import time
from pathlib import Path

from passerelle.domain.countries import Country
from passerelle.web.app import create_app
from tests.anpr.ingest_support import Recorder, add_entry, pair, read
from tests.conftest import LiveServer

BE, NL = Country.BE, Country.NL


def _wait(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_no_hit_reads_never_leave_the_node(tmp_path: Path) -> None:
    nodes = pair(tmp_path, BE, NL)
    be, nl = nodes[BE], nodes[NL]
    recorder = Recorder(create_app(nl))
    be_port = int(be.settings.public_url.rsplit(":", 1)[1])
    nl_port = int(nl.settings.public_url.rsplit(":", 1)[1])
    with LiveServer(create_app(be), port=be_port), LiveServer(recorder, port=nl_port):
        entry = add_entry(nl, "XX-999-X", "NL", ref="W-77", share_with=["BE"])
        _wait(lambda: be.anpr.hotlists.entry(entry) is not None)
        recorder.calls.clear()
        now = be.anpr.now()
        quiet = [read(f"nohit-{i}", f"{i % 9 + 1}QRS{i % 1000:03d}", at=now) for i in range(500)]
        hit = read("the-hit", "XX999X", at=now, camera="CAM-A2-1")
        result = be.anpr.queue.submit_sync([*quiet, hit], "http")
        assert result.accepted == 501 and result.hits == 1
        _wait(lambda: any(b"the-hit" in body for _, body in recorder.calls))
        _wait(lambda: not be.outbox.items(state="pending"))
    sent = b"\n".join(body for _, body in recorder.calls)
    assert recorder.calls and all(p.startswith("/federation/v1/") for p, _ in recorder.calls)
    for r in quiet:
        for value in (r["read_id"], r["plate"], r["image_ref"]):
            assert value.encode() not in sent, "a no-hit read left the node"
    assert b"the-hit" in sent and b"XX999X" in sent  # the hit went to its owner
    outbox = str([item.payload for item in be.outbox.items()])
    assert "nohit-" not in outbox and "QRS" not in outbox
