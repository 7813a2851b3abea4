"""What a camera read looks like on the way in, and what the ingest says about a batch.

``parse_raw_read`` turns one JSON object (HTTP body item, NATS message) into a
``RawRead`` or says why it cannot: a read without a usable ``read_id`` is
*rejected* (it cannot be tracked); every other problem is found later by the
pipeline and *quarantined* under the read's id, so nothing is lost. Control
characters are dropped from the other texts, and a read id carrying any is not
usable: PostgreSQL refuses NUL in text, and one such read would fail its whole
batch again at every redelivery.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

# Quarantine reasons (stable codes: metrics labels, API answers, the quarantine table).
GARBAGE_PLATE = "garbage_plate"
UNKNOWN_CAMERA = "unknown_camera"
FUTURE_READ = "clock_skew_future"
STALE_READ = "too_old"
BAD_TIMESTAMP = "bad_timestamp"
LOW_CONFIDENCE = "low_confidence"
MALFORMED = "malformed"
# Rejection reasons (no read id to quarantine under).
NO_READ_ID = "no_read_id"
NOT_AN_OBJECT = "not_an_object"

MAX_ID = 64
MAX_PLATE_RAW = 32
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class RawRead:
    read_id: str
    camera_id: str
    read_at: dt.datetime
    plate: str
    confidence: float | None = None
    plate_country: str | None = None
    image_ref: str | None = None
    site: str | None = None
    lat: float | None = None
    lon: float | None = None
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A read that was not accepted, with its reason (the payload is never logged)."""

    read_id: str
    reason: str
    camera_id: str | None
    payload: dict[str, Any]


@dataclass
class IngestResult:
    accepted: int = 0  # reads processed: matched, and stored where the jurisdiction keeps them
    duplicates: int = 0  # read ids already processed (or twice in the batch)
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (read_id, reason)
    hits: int = 0
    stored: int = 0
    discarded: int = 0  # no-hit reads the jurisdiction never stores (DE)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (index in batch, reason)

    def merge(self, other: IngestResult) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.quarantined.extend(other.quarantined)
        self.hits += other.hits
        self.stored += other.stored
        self.discarded += other.discarded
        self.rejected.extend(other.rejected)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "stored": self.stored,
            "hits": self.hits,
            "quarantined": [{"read_id": r, "reason": why} for r, why in self.quarantined],
            "rejected": [{"index": i, "reason": why} for i, why in self.rejected],
        }


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    text = _CONTROL.sub("", str(value)).strip()
    return text[:limit] if text else None


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def parse_timestamp(value: Any) -> dt.datetime | None:
    """ISO 8601 with an offset, or seconds since the epoch; ``None`` if neither."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(float(value), dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo is not None else None
    return None


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


_FAST_KEYS = frozenset(
    {"read_id", "camera_id", "read_at", "plate", "confidence", "image_ref", "plate_country"}
)


def _clean(text: str, limit: int) -> bool:
    return 0 < len(text) <= limit and text.strip() == text and text.isprintable()


def _fast(item: dict[str, Any]) -> RawRead | None:
    """The common case (clean strings, UTC timestamp, confidence 0-1) without the
    general checks; ``None`` sends the item down the general path."""
    if not item.keys() <= _FAST_KEYS:
        return None
    read_id, camera_id, at, plate = (
        item.get("read_id"), item.get("camera_id"), item.get("read_at"), item.get("plate")
    )  # fmt: skip
    confidence, image_ref = item.get("confidence"), item.get("image_ref")
    country = item.get("plate_country")
    if not (
        type(read_id) is str
        and _clean(read_id, MAX_ID)
        and type(camera_id) is str
        and _clean(camera_id, MAX_ID)
        and type(plate) is str
        and len(plate) <= MAX_PLATE_RAW
        and type(at) is str
        and at.endswith(("+00:00", "Z"))
        and (confidence is None or (type(confidence) is float and 0 <= confidence <= 1))
        and (image_ref is None or (type(image_ref) is str and _clean(image_ref, 256)))
        and (country is None or (type(country) is str and _clean(country, 2)))
    ):
        return None
    try:
        read_at = dt.datetime.fromisoformat(at)
    except ValueError:
        return None
    if read_at.utcoffset() != dt.timedelta(0):
        return None
    return RawRead(
        read_id=read_id,
        camera_id=camera_id,
        read_at=read_at if read_at.tzinfo is dt.UTC else read_at.replace(tzinfo=dt.UTC),
        plate=plate,
        confidence=confidence,
        plate_country=country.upper() if country else None,
        image_ref=image_ref,
    )


def parse_raw_read(item: Any) -> RawRead | Quarantined | str:
    """A ``RawRead``; a ``Quarantined`` read (id known, fields unusable); or a rejection reason."""
    if not isinstance(item, dict):
        return NOT_AN_OBJECT
    fast = _fast(item)
    if fast is not None:
        return fast
    if isinstance(item.get("read_id"), str) and _CONTROL.search(item["read_id"]):
        return NO_READ_ID  # cannot be stored as given, so cannot be tracked
    read_id = _text(item.get("read_id"), 10 * MAX_ID)
    if read_id is None or len(read_id) > MAX_ID:
        return NO_READ_ID
    camera_id = _text(item.get("camera_id"), MAX_ID)
    read_at = parse_timestamp(item.get("read_at", item.get("timestamp")))
    if read_at is None:
        return Quarantined(read_id, BAD_TIMESTAMP, camera_id, item)
    plate = item.get("plate")
    if camera_id is None or not isinstance(plate, str):
        return Quarantined(read_id, MALFORMED, camera_id, item)
    lat, lon = _number(item.get("lat")), _number(item.get("lon"))
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        lat = lon = None
    confidence = _number(item.get("confidence"))
    if confidence is not None and confidence > 1 and confidence <= 100:
        confidence = confidence / 100  # cameras that report per cent
    if confidence is not None and not 0 <= confidence <= 1:
        confidence = None
    country = _text(item.get("plate_country", item.get("country")), 2)
    return RawRead(
        read_id=read_id,
        camera_id=camera_id,
        read_at=read_at.astimezone(dt.UTC),
        plate=plate[:MAX_PLATE_RAW],
        confidence=confidence,
        plate_country=country.upper() if country else None,
        image_ref=_text(item.get("image_ref"), 256),
        site=_text(item.get("site"), 128),
        lat=lat,
        lon=lon,
        direction=_text(item.get("direction"), 32),
    )


# What the quarantine keeps of a read where no-hit reads are never stored (DE): enough
# to tell the camera operator which read failed and why, no plate, picture or position.
TRACE_FIELDS = frozenset({"read_id", "camera_id", "read_at", "confidence"})


def without_personal_data(item: Quarantined) -> Quarantined:
    kept = {k: v for k, v in item.payload.items() if k in TRACE_FIELDS}
    return Quarantined(item.read_id, item.reason, item.camera_id, kept)


def read_payload(read: RawRead) -> dict[str, Any]:
    """A read as JSON-ready data (for the quarantine table; never for logs)."""
    return {
        "read_id": read.read_id,
        "camera_id": read.camera_id,
        "read_at": read.read_at.isoformat(),
        "plate": read.plate,
        "confidence": read.confidence,
        "plate_country": read.plate_country,
        "image_ref": read.image_ref,
        "site": read.site,
        "lat": read.lat,
        "lon": read.lon,
        "direction": read.direction,
    }
