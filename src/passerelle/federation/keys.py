"""The node's Ed25519 key pair, generated on first start and kept as PKCS#8 PEM (0600).

A key created for a demo gets a ``<key>.demo`` marker file beside it, written
*before* the key itself so a crash can never leave an unmarked demo key; the
node refuses such keys in production mode (``NodeKey.is_demo``).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import structlog
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from passerelle.domain.countries import Country
from passerelle.exc import ConfigError

log = structlog.get_logger(__name__)
DEMO_MARKER_SUFFIX = ".demo"


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_for(country: Country, key: Ed25519PublicKey) -> str:
    """A key id derived from the key itself: ``BE-`` + 16 hex of SHA-256(raw public key)."""
    return f"{country.value}-{hashlib.sha256(raw_public(key)).hexdigest()[:16]}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key_from_b64url(text: str) -> Ed25519PublicKey:
    """Parse a base64url raw Ed25519 public key; raise ``ValueError`` when it is not one."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ValueError("not base64url") from None
    return Ed25519PublicKey.from_public_bytes(raw)


def demo_marker(path: Path) -> Path:
    return path.with_name(path.name + DEMO_MARKER_SUFFIX)


@dataclass(frozen=True)
class NodeKey:
    country: Country
    private_key: Ed25519PrivateKey
    is_demo: bool

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id_for(self.country, self.public_key)

    def public_b64url(self) -> str:
        return b64url(raw_public(self.public_key))

    def public_jwk(self) -> dict[str, str]:
        """The public key as a JWK (RFC 8037 OKP), with ``kid`` = ``key_id``."""
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": self.public_b64url(),
            "kid": self.key_id,
            "alg": "EdDSA",
            "use": "sig",
        }

    def public_pem(self) -> str:
        """The public key as SubjectPublicKeyInfo PEM."""
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @classmethod
    def generate(cls, country: Country, *, demo: bool = False) -> NodeKey:
        """A fresh key kept in memory only (tests, tools)."""
        return cls(country=country, private_key=Ed25519PrivateKey.generate(), is_demo=demo)

    @classmethod
    def load_or_create(cls, path: Path, country: Country, *, demo: bool = False) -> NodeKey:
        """Load the key at ``path``; create it (and a ``.demo`` marker in demo mode) if absent.

        ``demo`` only matters on creation: an existing key keeps the status it was made with.
        """
        marker = demo_marker(path)
        if not path.exists():
            _create(path, marker, demo=demo)
            log.info("node_key_created", path=str(path), demo=demo)
        elif path.stat().st_mode & 0o077:
            log.warning("node_key_permissions_too_open", path=str(path))
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError):
            raise ConfigError(
                f"node key {path} is not an unencrypted PKCS#8 PEM key", code="node_key_invalid"
            ) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError(f"node key {path} is not an Ed25519 key", code="node_key_invalid")
        return cls(country=country, private_key=key, is_demo=marker.exists())


def _create(path: Path, marker: Path, *, demo: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if demo:  # marker first: a crash must never leave an unmarked demo key behind
        marker.write_text("generated for a Passerelle demo; never use in production\n")
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: load theirs
        return
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
