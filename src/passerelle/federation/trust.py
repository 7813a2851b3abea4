"""The trust store: which partner nodes we accept, by key, with where to reach them.

Stored as TOML::

    [[partners]]
    country = "NL"
    name = "Politie Eenheid Limburg"
    base_url = "https://passerelle.limburg.politie.example"
    key_id = "NL-3f1c9a0b7d2e4c11"
    public_key = "<base64url raw Ed25519 public key>"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from passerelle.domain.countries import Country, parse_country
from passerelle.exc import ConfigError, InvalidInput
from passerelle.federation.keys import (
    NodeKey,
    b64url,
    key_id_for,
    public_key_from_b64url,
    raw_public,
)


class _EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str
    name: str = ""
    base_url: str
    key_id: str
    public_key: str

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or fragment")
        return v.rstrip("/")


@dataclass(frozen=True)
class PartnerEntry:
    country: Country
    name: str
    base_url: str
    key_id: str
    public_key: Ed25519PublicKey

    @classmethod
    def from_key(cls, key: NodeKey, *, base_url: str, name: str) -> PartnerEntry:
        return cls(key.country, name, base_url.rstrip("/"), key.key_id, key.public_key)

    def to_dict(self) -> dict[str, str]:
        return {
            "country": self.country.value,
            "name": self.name,
            "base_url": self.base_url,
            "key_id": self.key_id,
            "public_key": b64url(raw_public(self.public_key)),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PartnerEntry:
        m = _EntryModel.model_validate(data)
        try:
            country = parse_country(m.country)
            public_key = public_key_from_b64url(m.public_key)
        except InvalidInput as e:
            raise ValueError(e.detail) from None
        except ValueError:
            raise ValueError("public_key is not a base64url Ed25519 public key") from None
        if key_id_for(country, public_key) != m.key_id:
            raise ValueError(f"key_id {m.key_id} does not belong to this public key")
        return cls(country, m.name or f"Passerelle {country}", m.base_url, m.key_id, public_key)


class TrustStore:
    def __init__(self, entries: list[PartnerEntry] | None = None) -> None:
        self._by_country: dict[Country, PartnerEntry] = {}
        for e in entries or []:
            self.add(e)

    def add(self, entry: PartnerEntry) -> None:
        """Add or replace the entry for ``entry.country`` (one key per partner node)."""
        self._by_country[entry.country] = entry

    def partners(self) -> list[PartnerEntry]:
        return sorted(self._by_country.values(), key=lambda e: e.country.value)

    def get(self, country: Country) -> PartnerEntry | None:
        return self._by_country.get(country)

    def get_by_key_id(self, key_id: str) -> PartnerEntry | None:
        return next((e for e in self._by_country.values() if e.key_id == key_id), None)

    @classmethod
    def load(cls, path: Path) -> TrustStore:
        """Read a trust store; a missing file is an empty store (a node with no partners).

        Raises ``ConfigError`` naming the first bad entry (by position and, when
        readable, country) on malformed content.
        """
        if not path.exists():
            return cls()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(
                f"trust store {path} is not valid TOML: {e}", code="trust_store_invalid"
            ) from None
        raw_entries = data.get("partners", [])
        if not isinstance(raw_entries, list):
            raise ConfigError(
                f"trust store {path}: 'partners' must be an array of tables ([[partners]])",
                code="trust_store_invalid",
            )
        store = cls()
        for i, raw in enumerate(raw_entries, start=1):
            label = f"partner #{i}"
            if isinstance(raw, dict) and isinstance(raw.get("country"), str):
                label += f" ({raw['country']})"
            try:
                entry = PartnerEntry.from_dict(raw)
            except (ValidationError, ValueError) as e:
                raise ConfigError(
                    f"trust store {path}: {label} is invalid: {_reason(e)}",
                    code="trust_store_invalid",
                ) from None
            if store.get(entry.country) is not None:
                raise ConfigError(
                    f"trust store {path}: {label} is a second entry for {entry.country}; "
                    "keep one key per partner node",
                    code="trust_store_invalid",
                )
            store.add(entry)
        return store

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(
            tomli_w.dumps({"partners": [e.to_dict() for e in self.partners()]}), encoding="utf-8"
        )
        tmp.replace(path)


def _reason(e: ValidationError | ValueError) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'entry'}: {err['msg']}" for err in e.errors()
        )
    return str(e).splitlines()[0]
