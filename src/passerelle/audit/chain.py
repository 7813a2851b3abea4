"""Walking a hash chain and saying exactly where and how it breaks.

``ChainWalker`` is shared by the database verifier and the offline file verifier.
The fast path is one tight loop (position check, link check, one SHA-256); only
when a row does not fit does ``diagnose`` look closer to name what happened:

- ``deleted``: positions jump (entries missing), or the log no longer starts at
  its genesis / retention anchor;
- ``reordered``: a position appears out of order, or an entry's own recorded
  position differs from where it sits;
- ``changed``: an entry's text no longer matches its hash, or it was rewritten
  with a recomputed hash so the next entry no longer links to it;
- ``inserted``: an entry links to the one *two* places back: the one between
  was slipped in;
- ``malformed``: a row or line that is not an entry at all.

Signed-head findings (``replaced_head``, ``truncated``, ``bad_signature``,
``wrong_key``) are added by the verifiers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

Row = tuple[int, bytes, str, str]  # position, canonical text (UTF-8), prev_hash, hash
PROGRESS_EVERY = 50_000


@dataclass(frozen=True)
class Finding:
    position: int | None
    reason: str
    message: str


@dataclass
class VerifyReport:
    """The outcome of a verification. ``ok`` only when there is no finding at all."""

    entries: int = 0
    first_position: int | None = None
    last_position: int | None = None
    signed_heads: int = 0
    signed_up_to: int | None = None
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        """The finding at the lowest position (positionless findings first)."""
        if not self.findings:
            return None
        return min(self.findings, key=lambda f: -1 if f.position is None else f.position)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        first = self.first
        data["first"] = asdict(first) if first is not None else None
        return data


@dataclass
class ChainWalker:
    """Checks rows in order from a starting point (genesis or retention anchor)."""

    start_position: int
    start_hash: str
    watch: frozenset[int] = frozenset()  # positions whose hash the caller wants (signed heads)
    later: Callable[[int], bool] = lambda _p: False  # does this position appear further on?
    progress: Callable[[int], None] | None = None
    seen: dict[int, str] = field(default_factory=dict)
    count: int = 0
    last_position: int | None = None
    last_hash: str = ""
    finding: Finding | None = None

    def walk(self, rows: Iterable[Row]) -> bool:
        """Check every row; stop at the first break (recorded in ``finding``). True if intact."""
        sha = hashlib.sha256
        expected = self.start_position + 1
        prev = self.start_hash
        before = ""  # hash two places back, to recognise an insertion
        watch, seen, progress = self.watch, self.seen, self.progress
        count = 0
        try:
            for position, canonical, prev_hash, digest in rows:
                if (
                    position != expected
                    or prev_hash != prev
                    or sha(prev.encode() + canonical).hexdigest() != digest
                ):
                    self.finding = diagnose(
                        (position, canonical, prev_hash, digest), expected, prev, before, self
                    )
                    return False
                if position in watch:
                    seen[position] = digest
                before, prev = prev, digest
                expected += 1
                count += 1
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(PROGRESS_EVERY)
            return True
        finally:
            self.count = count
            self.last_position = expected - 1 if count else None
            self.last_hash = prev


def diagnose(row: Any, expected: int, prev: str, before: str, walker: ChainWalker) -> Finding:
    """Name what is wrong with the first row that does not fit the chain."""
    try:
        position, canonical, prev_hash, digest = row
        if not (
            isinstance(position, int)
            and isinstance(canonical, bytes)
            and isinstance(prev_hash, str)
            and isinstance(digest, str)
        ):
            raise TypeError
    except (TypeError, ValueError):
        return Finding(expected, "malformed", f"entry {expected} is not a well-formed entry")
    if position < expected:
        return Finding(
            position, "reordered", f"entry {position} appears after entry {expected - 1}"
        )
    if position > expected:
        if walker.later(expected):
            return Finding(
                expected,
                "reordered",
                f"entry {position} appears where entry {expected} was expected",
            )
        start = "the genesis" if walker.start_position == 0 else "the retention anchor"
        what = (
            f"entries {expected}-{position - 1} are missing"
            if position - 1 > expected
            else f"entry {expected} is missing"
        )
        if expected == walker.start_position + 1:
            what += f" (the log no longer starts at {start})"
        return Finding(expected, "deleted", what)
    own = hashlib.sha256(prev_hash.encode("utf-8", "replace") + canonical).hexdigest()
    if own != digest:
        return Finding(position, "changed", f"entry {position} does not match its hash")
    if before and prev_hash == before:
        return Finding(
            position - 1,
            "inserted",
            f"entry {position - 1} was inserted: entry {position} links to the entry before it",
        )
    inner = _inner_position(canonical)
    if inner is not None and inner != position:
        return Finding(
            position,
            "reordered",
            f"entry recorded as number {inner} sits at position {position}",
        )
    if position == walker.start_position + 1:
        start = "genesis" if walker.start_position == 0 else "retention anchor"
        return Finding(
            position, "changed", f"entry {position} does not link to the {start} of the log"
        )
    return Finding(
        position - 1,
        "changed",
        f"entry {position - 1} was rewritten: entry {position} no longer links to it",
    )


def _inner_position(canonical: bytes) -> int | None:
    try:
        obj = json.loads(canonical)
    except ValueError:
        return None
    value = obj.get("position") if isinstance(obj, dict) else None
    return value if isinstance(value, int) else None
