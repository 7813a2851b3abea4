"""The camera registry: where each camera stands (reads from unknown cameras are quarantined).

Reads take their site, position and direction from the registry when the
camera does not send them. The registry is cached in memory and reloaded when
a camera is not found (at most once a second), so a camera registered by
another process of the node is seen quickly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from passerelle.exc import InvalidInput
from passerelle.storage.tables_anpr_reads import anpr_cameras as t

RELOAD_S = 1.0


@dataclass(frozen=True, slots=True)
class Camera:
    camera_id: str
    site: str
    country: str
    road: str | None = None
    lat: float | None = None
    lon: float | None = None
    direction: str | None = None
    active: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Camera:
        try:
            camera = cls(
                camera_id=str(data["camera_id"]).strip()[:64],
                site=str(data.get("site") or data["camera_id"]).strip()[:128],
                country=str(data["country"]).strip().upper()[:2],
                road=(str(data["road"])[:64] if data.get("road") else None),
                lat=float(data["lat"]) if data.get("lat") is not None else None,
                lon=float(data["lon"]) if data.get("lon") is not None else None,
                direction=(str(data["direction"])[:32] if data.get("direction") else None),
                active=bool(data.get("active", True)),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise InvalidInput(
                f"invalid camera: {type(e).__name__}", code="invalid_camera"
            ) from None
        if not camera.camera_id or len(camera.country) != 2:
            raise InvalidInput("invalid camera: id and country are required", code="invalid_camera")
        texts = (camera.camera_id, camera.site, camera.country, camera.road, camera.direction)
        if any(t and not t.isprintable() for t in texts):
            raise InvalidInput("invalid camera: control characters", code="invalid_camera")
        lat, lon = camera.lat, camera.lon
        if (lat is not None and not -90 <= lat <= 90) or (
            lon is not None and not -180 <= lon <= 180
        ):
            raise InvalidInput("invalid camera: position out of range", code="invalid_camera")
        return camera


class CameraRegistry:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._cache: dict[str, Camera] = {}
        self._loaded_at = -1e9
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t)).all()
        self._cache = {
            r.camera_id: Camera(
                camera_id=r.camera_id,
                site=r.site,
                country=r.country,
                road=r.road,
                lat=r.lat,
                lon=r.lon,
                direction=r.direction,
                active=bool(r.active),
            )
            for r in rows
        }
        self._loaded_at = time.monotonic()

    def lookup(self, camera_ids: Iterable[str]) -> dict[str, Camera]:
        """The known cameras among ``camera_ids`` (reloading once if some are missing)."""
        ids = set(camera_ids)
        with self._lock:
            if ids - self._cache.keys() and time.monotonic() - self._loaded_at > RELOAD_S:
                self._load()
            return {c: self._cache[c] for c in ids if c in self._cache}

    def get(self, camera_id: str) -> Camera | None:
        return self.lookup([camera_id]).get(camera_id)

    def all(self) -> list[Camera]:
        with self._lock:
            self._load()
            return sorted(self._cache.values(), key=lambda c: c.camera_id)

    def upsert(self, cameras: Iterable[Camera]) -> int:
        """Add or update cameras (by id); returns how many were written."""
        rows = [c.to_dict() for c in cameras]
        if not rows:
            return 0
        with self.engine.begin() as conn:
            ids = [r["camera_id"] for r in rows]
            conn.execute(sa.delete(t).where(t.c.camera_id.in_(ids)))
            conn.execute(sa.insert(t), rows)
        with self._lock:
            self._loaded_at = -1e9
        return len(rows)
