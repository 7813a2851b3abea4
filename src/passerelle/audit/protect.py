"""Protection of the personal data in an audit entry's ``query``.

The query is encrypted with the node's DPO key (AES-256-GCM, a fresh 96-bit nonce
per entry, the entry id as associated data so a ciphertext cannot be moved to
another entry). Subject identifiers found in it (national id, document number,
plate, and ``family_name|birth_date``) are also stored as keyed hashes
(HMAC-SHA256 with a node secret), so the DPO can find every entry about one
person without decrypting the log. Both keys are generated on first start under
``data_dir/keys/`` (mode 0600) and never leave the node.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from passerelle.domain.names import normalise_name
from passerelle.exc import ConfigError, InvalidInput

DPO_KEY_FILE = "audit-dpo.key"
SUBJECT_SECRET_FILE = "audit-subject.key"  # noqa: S105 - a file name
IDENTIFIER_FIELDS = frozenset({"national_id", "document_number", "plate", "vin"})
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def normalise_subject(value: str) -> str:
    """The text a subject key is computed from.

    ``"family_name|YYYY-MM-DD"`` → name key (no diacritics, case-folded) + ``|`` + date;
    anything else (identifier, document number, plate) → upper-case letters and digits only,
    so ``1-abc-234`` and ``1ABC234`` give the same key.
    """
    if "|" in value:
        name, _, date = value.partition("|")
        date = date.strip()
        if not _DATE.fullmatch(date):
            raise InvalidInput(
                "a name subject is family_name|YYYY-MM-DD", code="audit_subject_invalid"
            )
        key = normalise_name(name)
        if not key:
            raise InvalidInput("the family name is empty", code="audit_subject_invalid")
        return f"n:{key}|{date}"
    compact = _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", value).upper())
    if not compact:
        raise InvalidInput("the subject has no letters or digits", code="audit_subject_invalid")
    return f"i:{compact}"


def subject_values(query: dict[str, Any]) -> Iterator[str]:
    """Subject identifiers found anywhere in a query (nested dicts and lists included)."""
    stack: list[Any] = [query]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            for name, value in item.items():
                if name in IDENTIFIER_FIELDS and isinstance(value, str) and value.strip():
                    yield value
                elif isinstance(value, dict | list | tuple):
                    stack.append(value)
            family, birth = item.get("family_name"), item.get("birth_date")
            if isinstance(family, str) and family.strip() and birth:
                yield f"{family}|{birth}"


def _read_or_create(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(base64.b64encode(os.urandom(32)) + b"\n")
    try:
        raw = base64.b64decode(path.read_bytes().strip(), validate=True)
    except ValueError:
        raise ConfigError(f"audit key {path} is not base64", code="audit_key_invalid") from None
    if len(raw) != 32:
        raise ConfigError(f"audit key {path} is not 32 bytes", code="audit_key_invalid")
    return raw


@dataclass(frozen=True)
class DpoKeys:
    """The DPO encryption key and the subject-hash secret of one node."""

    query_key: bytes
    subject_secret: bytes

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> DpoKeys:
        return cls(
            query_key=_read_or_create(keys_dir / DPO_KEY_FILE),
            subject_secret=_read_or_create(keys_dir / SUBJECT_SECRET_FILE),
        )

    @classmethod
    def generate(cls) -> DpoKeys:
        """Fresh keys in memory only (tests, benchmarks)."""
        return cls(query_key=os.urandom(32), subject_secret=os.urandom(32))

    @property
    def key_id(self) -> str:
        """Which DPO key encrypted a query (a fingerprint, not the key)."""
        return hashlib.sha256(b"passerelle-audit-dpo-key\n" + self.query_key).hexdigest()[:16]

    def subject_key(self, value: str) -> str:
        """Keyed hash (HMAC-SHA256, hex) of one normalised subject identifier."""
        text = normalise_subject(value).encode("utf-8")
        return hmac.new(self.subject_secret, text, hashlib.sha256).hexdigest()

    def subject_keys(self, query: dict[str, Any]) -> list[str]:
        keys: set[str] = set()
        for value in subject_values(query):
            try:
                keys.add(self.subject_key(value))
            except InvalidInput:
                continue  # not an identifier we can key (e.g. partial name): still encrypted
        return sorted(keys)

    def encrypt(self, query: dict[str, Any], entry_id: str) -> str:
        plain = json.dumps(query, sort_keys=True, ensure_ascii=False, default=str).encode()
        nonce = os.urandom(12)
        sealed = AESGCM(self.query_key).encrypt(nonce, plain, entry_id.encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, token: str, entry_id: str) -> dict[str, Any]:
        try:
            raw = base64.b64decode(token, validate=True)
            plain = AESGCM(self.query_key).decrypt(raw[:12], raw[12:], entry_id.encode())
        except (ValueError, InvalidTag):
            raise InvalidInput(
                "the protected query cannot be decrypted with this node's DPO key",
                code="audit_query_undecryptable",
            ) from None
        value: dict[str, Any] = json.loads(plain)
        return value
