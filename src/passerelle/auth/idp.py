"""The demo identity provider: a signing key, a users file, and token issuance.

It exists so that ``make demo`` works on a laptop; production nodes point at
the force's own OIDC provider and refuse to start with this one enabled.
Passwords are generated on first run and stored only as scrypt hashes; the
clear text is written once to ``logins.txt`` in the demo data directory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import tomli_w
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from passerelle.auth.roles import Role
from passerelle.exc import ConfigError, Unauthorized

DEMO_USERS: dict[str, list[Role]] = {
    "officer": [Role.OFFICER],
    "control": [Role.CONTROL_ROOM],
    "contact": [Role.CONTACT_POINT],
    "analyst": [Role.ANALYST],
    "dpo": [Role.DPO],
    "admin": [Role.ADMIN],
}


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt_b64, _ = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, base64.b64decode(salt_b64)), stored)


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: list[Role]
    password_hash: str


class DemoIdP:
    """Issues EdDSA-signed JWTs for the demo users of one node."""

    def __init__(self, directory: Path, issuer: str, audience: str) -> None:
        self.directory = directory
        self.issuer = issuer
        self.audience = audience
        key_path = directory / "idp-key.pem"
        if not key_path.exists():
            raise ConfigError(f"demo identity provider not initialised in {directory}")
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("demo identity provider key is not Ed25519")
        self._key = key
        raw = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.kid = hashlib.sha256(raw).hexdigest()[:16]
        self.users = self._load_users(directory / "users.toml")

    @staticmethod
    def _load_users(path: Path) -> dict[str, DemoUser]:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"cannot read demo users {path}: {e}") from None
        return {
            u["username"]: DemoUser(
                u["username"], u["display_name"], [Role(r) for r in u["roles"]], u["password_hash"]
            )
            for u in data.get("users", [])
        }

    @staticmethod
    def initialise(directory: Path, country: str) -> dict[str, str]:
        """Create key and users if missing; return {username: password} for new users."""
        directory.mkdir(parents=True, exist_ok=True)
        key_path = directory / "idp-key.pem"
        if not key_path.exists():
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
        users_path = directory / "users.toml"
        if users_path.exists():
            return {}
        password = "-".join(secrets.choice(_WORDS) for _ in range(3))
        users = [
            {
                "username": name,
                "display_name": f"{name.replace('_', ' ').title()} ({country})",
                "roles": [r.value for r in roles],
                "password_hash": hash_password(password),
            }
            for name, roles in DEMO_USERS.items()
        ]
        users_path.write_text(tomli_w.dumps({"users": users}), encoding="utf-8")
        return dict.fromkeys(DEMO_USERS, password)

    def jwks(self) -> dict[str, Any]:
        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        return {
            "keys": [
                {
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "x": x,
                    "kid": self.kid,
                    "alg": "EdDSA",
                    "use": "sig",
                }
            ]
        }

    def authenticate(self, username: str, password: str) -> DemoUser:
        user = self.users.get(username)
        if user is None or not check_password(password, user.password_hash):
            raise Unauthorized("wrong user name or password", code="login_failed")
        return user

    def issue(
        self, subject: str, roles: list[Role], *, name: str | None = None, minutes: int = 60
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "name": name or subject,
            "roles": [r.value for r in roles],
            "iat": now,
            "nbf": now,
            "exp": now + minutes * 60,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm="EdDSA", headers={"kid": self.kid})


_WORDS = (
    "maas",
    "moezel",
    "ourthe",
    "vesdre",
    "rur",
    "geul",
    "sure",
    "alzette",
    "semois",
    "our",
    "eifel",
    "venn",
    "kempen",
    "ardennes",
    "hoge",
    "fagne",
    "dreilanden",
    "vaals",
    "eupen",
    "kerkrade",
    "gulpen",
    "spa",
    "clervaux",
    "vianden",
    "monschau",
    "simmerath",
    "tongeren",
)
