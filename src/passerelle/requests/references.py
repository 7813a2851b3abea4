"""Opaque hit/no-hit references, bound to the partner node they were given to.

When the providing node's policy says ``hit_no_hit`` for a dataset, the answer
carries no record: only a *reference* and the node's contact point. The
reference is a random token (nothing about the record can be derived from
it); this store keeps what it stands for (dataset and record key), which node
it was handed to, and until when it can be used. A follow-up request presents
it again; ``resolve`` refuses references that are unknown, that were handed to
another node, or that have expired.

``record_key`` is the record's natural key in its dataset
(``storage.tables.NATURAL_KEYS``), values joined with ``|``: see
``record_key_of``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from passerelle.domain.countries import Country, parse_country
from passerelle.exc import Forbidden, InvalidInput, NotFound, PasserelleError
from passerelle.settings import ContactPointSettings, NodeSettings
from passerelle.storage.tables import NATURAL_KEYS, hit_references

Clock = Callable[[], dt.datetime]
KEY_SEPARATOR = "|"
TOKEN_BYTES = 24  # 192 random bits, 32 URL-safe characters
MAX_REFERENCE_LENGTH = 64


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes: they were written in UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class ReferenceExpired(PasserelleError):
    """The reference was valid once but can no longer be used (HTTP 410 Gone)."""

    status = 410
    code = "reference_expired"


@dataclass(frozen=True, kw_only=True)
class HitReference:
    reference: str
    dataset: str
    record_key: str
    requester: Country
    check_id: str
    purpose: str
    issued_at: dt.datetime
    expires_at: dt.datetime

    def expired(self, now: dt.datetime) -> bool:
        return now >= self.expires_at


def record_key_of(dataset: str, row: Mapping[str, Any]) -> str:
    """The record key of a register row: its natural-key values joined with ``|``."""
    columns = NATURAL_KEYS.get(dataset)
    if columns is None:
        raise InvalidInput(f"unknown dataset {dataset!r}", code="unknown_dataset", dataset=dataset)
    return KEY_SEPARATOR.join(str(row[c]) for c in columns)


def record_key_values(dataset: str, record_key: str) -> dict[str, str]:
    """The natural-key columns and values behind a record key (inverse of ``record_key_of``)."""
    columns = NATURAL_KEYS.get(dataset)
    if columns is None:
        raise InvalidInput(f"unknown dataset {dataset!r}", code="unknown_dataset", dataset=dataset)
    values = record_key.split(KEY_SEPARATOR)
    if len(values) != len(columns):
        raise InvalidInput("malformed record key", code="invalid_input")
    return dict(zip(columns, values, strict=True))


def _not_found() -> NotFound:
    return NotFound("unknown hit/no-hit reference", code="reference_unknown")


class ReferenceStore:
    """Issue and resolve hit/no-hit references (SQL table ``hit_references``)."""

    def __init__(
        self,
        engine: sa.Engine,
        *,
        ttl: dt.timedelta = dt.timedelta(days=30),
        contact: ContactPointSettings | None = None,
        node_name: str = "",
        clock: Clock = utcnow,
    ) -> None:
        self.engine = engine
        self.ttl = ttl
        self.contact = contact or ContactPointSettings()
        self.node_name = node_name
        self.clock = clock

    @classmethod
    def from_settings(cls, engine: sa.Engine, settings: NodeSettings) -> ReferenceStore:
        return cls(
            engine,
            ttl=dt.timedelta(days=settings.requests.reference_ttl_days),
            contact=settings.contact_point,
            node_name=settings.name,
        )

    def issue(
        self, *, dataset: str, record_key: str, requester: Country, check_id: str, purpose: str
    ) -> str:
        """A new opaque reference to ``record_key`` of ``dataset``, usable only by ``requester``."""
        if dataset not in NATURAL_KEYS:
            raise InvalidInput(
                f"unknown dataset {dataset!r}", code="unknown_dataset", dataset=dataset
            )
        requester = parse_country(str(requester))
        now = self.clock()
        reference = secrets.token_urlsafe(TOKEN_BYTES)
        with self.engine.begin() as conn:
            conn.execute(
                hit_references.insert().values(
                    reference=reference,
                    dataset=dataset,
                    record_key=record_key,
                    requester=requester.value,
                    check_id=check_id,
                    purpose=str(purpose),
                    issued_at=now,
                    expires_at=now + self.ttl,
                )
            )
        return reference

    def resolve(self, reference: str, requester: Country) -> HitReference:
        """What ``reference`` stands for, if ``requester`` may use it now.

        Raises ``NotFound`` (``reference_unknown``), ``Forbidden``
        (``reference_not_yours``: handed to another node; checked before expiry
        so another node learns nothing) or ``ReferenceExpired`` (410).
        """
        if not reference or len(reference) > MAX_REFERENCE_LENGTH:
            raise _not_found()
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    sa.select(hit_references).where(hit_references.c.reference == reference)
                )
                .mappings()
                .first()
            )
        if row is None:
            raise _not_found()
        ref = HitReference(
            reference=row["reference"],
            dataset=row["dataset"],
            record_key=row["record_key"],
            requester=Country(row["requester"]),
            check_id=row["check_id"],
            purpose=row["purpose"],
            issued_at=as_utc(row["issued_at"]),
            expires_at=as_utc(row["expires_at"]),
        )
        if ref.requester != parse_country(str(requester)):
            raise Forbidden("this reference was issued to another node", code="reference_not_yours")
        if ref.expired(self.clock()):
            raise ReferenceExpired(
                "this reference has expired; run the check again for a new one",
                expired_on=ref.expires_at.date().isoformat(),
            )
        return ref

    def contact_point(self) -> dict[str, str]:
        """The node's contact point, as handed to partners with a hit/no-hit answer."""
        c = self.contact
        name = c.name or (f"{self.node_name} contact point" if self.node_name else "contact point")
        return {"name": name, "phone": c.phone, "email": c.email, "hours": c.hours}

    def purge_expired(self, older_than: dt.timedelta = dt.timedelta(0)) -> int:
        """Delete references expired for longer than ``older_than``; return how many."""
        cutoff = self.clock() - older_than
        with self.engine.begin() as conn:
            result = conn.execute(
                hit_references.delete().where(hit_references.c.expires_at <= cutoff)
            )
        return int(result.rowcount or 0)
