"""The operations part of ``passerelle demo``: a patrol on duty, a pursuit, a joint action.

Once the nodes answer (``NodeProcesses.wait``), a background thread plays, through
the nodes' own HTTP API with short-lived demo tokens:

1. a **joint patrol** of a Belgian and a Dutch officer (BE's node), started at
   once, with positions switched on and reported every few seconds, one incident
   and a vehicle check in its name (its patrol log);
2. a **joint action** organised by NL ("Etoile") with every running node, whose
   results trickle in from each node's own checkpoints every few seconds;
3. every few minutes, a **pursuit** opened by the Belgian control room near
   Lanaken, one position a second towards Maastricht: it crosses into the
   Netherlands about half a minute in, and the Dutch control room
   (``/control-room``) gets the notification with its banner and sound; the
   pursuit ends with an arrest in Maastricht.

The data is synthetic. Errors never stop the nodes: the step is retried later.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import secrets
import threading
from collections.abc import Callable
from typing import Any

import httpx

from passerelle.auth.roles import Role
from passerelle.demo.anpr import demo_token
from passerelle.demo.layout import DemoNode
from passerelle.domain.countries import Country

VEHICLE = "Combi BE/NL 7 (demo)"
ACTION_NAME = "Etoile (demo)"
# From Lanaken (BE) to the Markt in Maastricht (NL): the border is about 1 km in.
ROUTE = ((50.8860, 5.6543), (50.8513, 5.6909))
SPEED_MS = 30.0  # about 110 km/h
PURSUIT_EVERY_S = 240
PATROL_AREA = (50.8905, 5.6520)  # Lanaken, where the joint patrol circles
CHECKPOINTS: dict[str, list[tuple[str, float, float]]] = {
    "NL": [("Maastricht A2 Oost", 50.8455, 5.7252), ("Kerkrade Nieuwstraat", 50.8659, 6.0707)],
    "BE": [("Lanaken N78", 50.8911, 5.6458), ("Eupen E40 Lichtenbusch", 50.7220, 6.1180)],
    "DE": [("Herzogenrath Neustraße", 50.8665, 6.0788), ("Aachen A44", 50.7300, 6.1300)],
    "LU": [("Schengen A13", 49.4700, 6.3650), ("Wasserbillig", 49.7150, 6.5000)],
}  # fmt: skip


Point = tuple[float, float]


def route(start: Point, end: Point, speed_ms: float) -> list[Point]:
    """Points one second apart at ``speed_ms`` along the straight line ``start`` → ``end``."""
    north = (end[0] - start[0]) * 111_195
    east = (end[1] - start[1]) * 111_195 * math.cos(math.radians(start[0]))
    steps = max(1, round(math.hypot(north, east) / speed_ms))
    return [
        (start[0] + (end[0] - start[0]) * i / steps, start[1] + (end[1] - start[1]) * i / steps)
        for i in range(steps + 1)
    ]


class OpsDemo(threading.Thread):
    """The scenario, one tick a second, until ``stop``."""

    def __init__(
        self,
        nodes: list[DemoNode],
        out: Callable[[str], None] = print,
        *,
        tick_s: float = 1.0,
        path: tuple[Point, Point] = ROUTE,
        speed_ms: float = SPEED_MS,
        every: int = PURSUIT_EVERY_S,
    ) -> None:
        super().__init__(name="ops-demo", daemon=True)
        self.tick_s, self.path, self.speed_ms, self.every = tick_s, path, speed_ms, every
        self.by = {n.country: n for n in nodes}
        self.out = out
        self.stopping = threading.Event()
        self.rng = random.Random(20181023)  # the treaty was signed on 23 July 2018
        self.patrol_id = ""
        self.action_id = ""
        self.problems: dict[str, str] = {}
        self.checkpoint_ids: dict[str, list[str]] = {}
        self.pursuit_id: str | None = None
        self.points: list[Point] = []
        self.step = 0
        self.pause = 5  # the first pursuit starts a few seconds after the nodes

    # --- plumbing -------------------------------------------------------------------------
    def client(self, country: Country, user: str, role: Role) -> httpx.Client:
        token = demo_token(self.by[country], [role], minutes=30, subject=user)
        return httpx.Client(
            base_url=self.by[country].url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    def call(
        self, country: Country, user: str, role: Role, method: str, path: str, **kw: Any
    ) -> Any:
        with self.client(country, user, role) as c:
            r = c.request(method, path, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path} at {country}: {r.status_code} {r.text[:200]}")
        return r.json()

    def stop(self, timeout_s: float = 5.0) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout_s)

    # --- the scenario ---------------------------------------------------------------------
    def run(self) -> None:
        try:
            self.patrol_id = self.start_patrol()
            self.action_id = self.plan_action()
        except (httpx.HTTPError, RuntimeError) as e:
            self.out(f"operations demo not started: {e}")
            return
        self.out(self.where_to_look())
        for tick in itertools.count():
            if self.stopping.wait(self.tick_s):
                return
            steps: list[tuple[str, Callable[[int], None]]] = [
                ("pursuit", self.pursuit_tick),
                ("action", self.action_result),
                ("patrol", self.patrol_tick),
            ]
            for name, step in steps:
                try:
                    step(tick)
                except (httpx.HTTPError, RuntimeError) as e:
                    self.problem(name, str(e))

    def problem(self, step: str, text: str) -> None:
        if self.problems.get(step) != text and not self.stopping.is_set():
            self.problems[step] = text
            self.out(f"operations demo: {step} step failed, retried: {text[:160]}")

    def start_patrol(self) -> str:
        be = Country.BE
        for old in self.call(
            be, "control", Role.CONTROL_ROOM, "GET", "/api/v1/ops/patrols?status=active"
        ):
            if old["vehicle"] == VEHICLE:  # a previous run's patrol: off duty first
                self.call(
                    be,
                    "control",
                    Role.CONTROL_ROOM,
                    "POST",
                    f"/api/v1/ops/patrols/{old['patrol_id']}/end",
                )
        now = dt.datetime.now(dt.UTC)
        patrol = self.call(be, "control", Role.CONTROL_ROOM, "POST", "/api/v1/ops/patrols", json={
            "crew": ["BE:officer", "NL:officer"], "vehicle": VEHICLE,
            "area": "Lanaken – Maastricht", "planned_start": now.isoformat(),
            "planned_end": (now + dt.timedelta(hours=8)).isoformat(), "start": True,
        })  # fmt: skip
        pid = str(patrol["patrol_id"])
        base = f"/api/v1/ops/patrols/{pid}"
        self.call(be, "officer", Role.OFFICER, "PUT", f"{base}/tracking", json={"enabled": True})
        self.call(be, "officer", Role.OFFICER, "POST", f"{base}/incidents", json={
            "category": "traffic", "text": "Speed check on the N78 at Lanaken: two fines (demo)",
            "lat": 50.8911, "lon": 5.6458,
        })  # fmt: skip
        self.call(be, "officer", Role.OFFICER, "POST", "/api/v1/checks/vehicle", json={
            "subject": {"plate": "1-ABC-234", "plate_country": "BE"},
            "context": {"purpose": "joint_control", "patrol_id": pid,
                        "justification": "roadside check, joint patrol Lanaken (demo)"},
        })  # fmt: skip
        return pid

    def patrol_tick(self, tick: int) -> None:
        if tick % 5:
            return
        angle = tick / 60
        lat = PATROL_AREA[0] + 0.003 * math.sin(angle)
        lon = PATROL_AREA[1] + 0.0045 * math.cos(angle)
        self.call(Country.BE, "officer", Role.OFFICER, "POST",
                  f"/api/v1/ops/patrols/{self.patrol_id}/positions",
                  json={"positions": [{"lat": round(lat, 6), "lon": round(lon, 6)}]})  # fmt: skip

    def plan_action(self) -> str:
        nl = Country.NL
        for old in self.call(
            nl, "control", Role.CONTROL_ROOM, "GET", "/api/v1/actions?active=true"
        ):
            if old["name"] == ACTION_NAME and old["organiser"] == "NL":
                return str(old["action_id"])
        now = dt.datetime.now(dt.UTC)
        countries = [c for c in ("NL", "BE", "DE", "LU") if Country(c) in self.by]
        checkpoints = [
            {"name": name, "lat": lat, "lon": lon, "country": c}
            for c in countries for name, lat, lon in CHECKPOINTS[c]
        ]  # fmt: skip
        action = self.call(nl, "control", Role.CONTROL_ROOM, "POST", "/api/v1/actions", json={
            "name": ACTION_NAME, "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
            "ends_at": (now + dt.timedelta(days=2)).isoformat(),
            "participants": [{"country": c, "services": ["police", "customs"]} for c in countries],
            "checkpoints": checkpoints,
            "objectives": ["drug trafficking", "drug tourism"],
        })  # fmt: skip
        return str(action["action_id"])

    def action_result(self, tick: int) -> None:
        if tick % 3:
            return
        if not self.checkpoint_ids:  # each node registers at its own checkpoints
            plan = self.call(Country.NL, "control", Role.CONTROL_ROOM, "GET",
                             f"/api/v1/actions/{self.action_id}")  # fmt: skip
            for c in plan["checkpoints"]:
                if Country(c["country"]) in self.by:
                    self.checkpoint_ids.setdefault(c["country"], []).append(c["checkpoint_id"])
        country = self.rng.choice(sorted(self.checkpoint_ids))
        ids = self.checkpoint_ids[country]
        r = self.rng
        body: dict[str, Any] = {
            "submission_id": f"demo-{secrets.token_hex(8)}",
            "checkpoint_id": r.choice(ids),
            "service": r.choice(["police", "customs"]),
            "persons_checked": r.randint(2, 14), "vehicles_checked": r.randint(1, 7),
            "hits": int(r.random() < 0.15), "arrests": int(r.random() < 0.05),
            "fines_count": int(r.random() < 0.2),
        }  # fmt: skip
        if body["fines_count"]:
            body["fines_amount"] = 100.0
        if r.random() < 0.1:
            body["seizures"] = [{"type": "cannabis", "quantity": r.randint(5, 300), "unit": "g"}]
        self.call(Country(country), "officer", Role.OFFICER, "POST",
                  f"/api/v1/actions/{self.action_id}/results", json=body)  # fmt: skip

    def pursuit_tick(self, _tick: int) -> None:
        """One step a second: a pursuit from Lanaken into Maastricht, a pause, and again."""
        be, path = Country.BE, "/api/v1/pursuits"
        if self.pursuit_id is None:
            if self.pause > 0:
                self.pause -= 1
                return
            self.points = route(*self.path, self.speed_ms)
            lat, lon = self.points[0]
            pursuit = self.call(be, "control", Role.CONTROL_ROOM, "POST", path, json={
                "subject": "dark-blue VW Golf, Belgian plate 1-ABC-234 (demo)",
                "reason": "armed robbery of a petrol station in Lanaken (demo)",
                "units": ["Lanaken 21", VEHICLE], "position": {"lat": lat, "lon": lon},
            })  # fmt: skip
            self.pursuit_id, self.step = str(pursuit["pursuit_id"]), 1
        elif self.step < len(self.points):
            lat, lon = self.points[self.step]
            self.step += 1  # a position that failed is not sent again: the next one is due
            fix = {"lat": round(lat, 6), "lon": round(lon, 6), "source": "api"}
            self.call(be, "officer", Role.OFFICER, "POST", f"{path}/{self.pursuit_id}/positions",
                      json=fix)  # fmt: skip
        else:
            self.call(be, "control", Role.CONTROL_ROOM, "POST", f"{path}/{self.pursuit_id}/end",
                      json={"outcome": "arrested",
                            "note": "stopped at the Markt, Maastricht, by NL units"})  # fmt: skip
            self.pursuit_id, self.pause = None, max(1, self.every - len(self.points))

    def where_to_look(self) -> str:
        be, nl = self.by[Country.BE], self.by[Country.NL]
        return (
            "Operations demo (running):\n"
            f"  NL control room  {nl.url}/control-room  (user control, NL password): a Belgian "
            f"pursuit crosses into the Netherlands about every {self.every // 60} minutes: "
            "banner, sound (switch it on), Acknowledge.\n"
            f"  BE control room  {be.url}/control-room: the pursuit, the joint patrol "
            f"{self.patrol_id} on duty.\n"
            f"  Joint action     {nl.url}/actions/{self.action_id}: results trickling in from "
            "every node.\n"
            f"  Joint patrol     {be.url}/patrols (user officer) and "
            f"{be.url}/api/v1/ops/patrols/{self.patrol_id}/log"
        )


def start_ops_demo(nodes: list[DemoNode], out: Callable[[str], None] = print) -> OpsDemo | None:
    """Start the scenario in the background (needs the BE and NL nodes); ``stop()`` ends it."""
    countries = {n.country for n in nodes}
    if not {Country.BE, Country.NL} <= countries:
        return None
    demo = OpsDemo(nodes, out)
    demo.start()
    return demo
