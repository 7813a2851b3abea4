"""Live events: published from any thread, streamed as server-sent events, replayed."""

from __future__ import annotations

import asyncio
import json
import threading

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from passerelle.node.live import LiveEvent, LiveHub, sse_response
from tests.conftest import LiveServer


def test_a_subscriber_gets_its_topics_from_other_threads_in_order() -> None:
    hub = LiveHub()

    async def scenario() -> list[LiveEvent]:
        got: list[LiveEvent] = []

        async def listen() -> None:
            async for event in hub.subscribe(["a"]):
                got.append(event)
                if len(got) == 3:
                    return

        task = asyncio.create_task(listen())
        while hub.subscriber_count == 0:
            await asyncio.sleep(0)

        def publish() -> None:
            for n in range(3):
                hub.publish("b", {"n": n})  # another topic: not delivered
                hub.publish("a", {"n": n})

        thread = threading.Thread(target=publish)
        thread.start()
        await asyncio.wait_for(task, 5)
        thread.join()
        return got

    got = asyncio.run(scenario())
    assert [(e.topic, e.data["n"]) for e in got] == [("a", 0), ("a", 1), ("a", 2)]
    assert [e.id for e in got] == sorted(e.id for e in got)


def test_recent_events_are_replayed_after_an_id_and_bounded() -> None:
    hub = LiveHub(keep=3)
    ids = [hub.publish("a", {"n": n}).id for n in range(5)]
    hub.publish("b", {"n": 99})
    assert [e.data["n"] for e in hub.recent(["a"])] == [2, 3, 4]
    assert [e.data["n"] for e in hub.recent(["a", "b"], after=ids[3])] == [4, 99]


def test_a_slow_subscriber_loses_its_oldest_events_not_the_publisher() -> None:
    from passerelle.node import live

    hub = LiveHub()

    async def scenario() -> list[int]:
        stream = hub.subscribe(["a"])
        first = asyncio.ensure_future(stream.__anext__())
        for n in range(live.QUEUE_SIZE + 10):
            hub.publish("a", {"n": n})
        seen = [(await first).data["n"]]
        seen.append((await stream.__anext__()).data["n"])
        await stream.aclose()
        return seen

    seen = asyncio.run(scenario())
    assert seen == [10, 11]  # the 10 oldest were dropped; the newest are all kept


def test_the_sse_stream_sends_topic_id_and_json_and_resumes_after_last_event_id() -> None:
    hub = LiveHub()

    async def endpoint(request: Request) -> Response:
        return sse_response(request, hub, ["anpr.hits"], heartbeat_s=0.2)

    app = Starlette(routes=[Route("/stream", endpoint)])
    early = hub.publish("anpr.hits", {"hit": "h0"})
    with LiveServer(app) as server, httpx.Client(timeout=5) as client:

        def read_events(headers: dict[str, str], want: int, send: str) -> list[dict[str, str]]:
            events: list[dict[str, str]] = []
            with client.stream("GET", f"{server.url}/stream", headers=headers) as r:
                assert r.headers["content-type"].startswith("text/event-stream")
                current: dict[str, str] = {}
                for line in r.iter_lines():
                    if line == "":
                        if "event" in current:
                            events.append(current)
                            if len(events) == want:
                                return events
                        current = {}
                        if send:  # connected: publish once
                            hub.publish("anpr.hits", {"hit": send})
                            send = ""
                        continue
                    if not line.startswith(":"):
                        field, _, value = line.partition(": ")
                        current[field] = value
            return events

        fresh = read_events({}, 1, "h1")
        assert fresh[0]["event"] == "anpr.hits"
        assert json.loads(fresh[0]["data"])["hit"] == "h1"  # a new client: only new events
        # Reconnecting after h0: h1 (missed) is replayed, then the new h2 arrives.
        resumed = read_events({"Last-Event-ID": str(early.id)}, 2, "h2")
        assert [json.loads(e["data"])["hit"] for e in resumed] == ["h1", "h2"]
        assert int(resumed[0]["id"]) > early.id
