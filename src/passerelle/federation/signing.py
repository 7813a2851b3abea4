"""RFC 9421 HTTP Message Signatures (Ed25519) for node-to-node calls.

Requests cover ``@method``, ``@authority``, ``@path``, ``@query``,
``content-type`` and ``content-digest`` (RFC 9530, SHA-256 of the body), with
``created``, ``keyid``, ``alg`` and a random ``nonce``. Responses cover
``@status``, ``content-type``, ``content-digest`` and the ``passerelle-request-nonce``
header echoing the request's nonce, so a response cannot be replayed to another
request. The signature mechanics come from the ``http-message-signatures``
library; the policy (window, replay, trust) is ours.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx
from http_message_signatures import (
    ContentDigest,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)
from http_message_signatures.exceptions import HTTPMessageSignaturesException

from passerelle.exc import Unauthorized
from passerelle.federation.keys import NodeKey
from passerelle.federation.trust import PartnerEntry, TrustStore

LABEL = "pas"
TAG = "passerelle-federation"
NONCE_HEADER = "passerelle-request-nonce"
REQUEST_COMPONENTS = ("@method", "@authority", "@path", "@query", "content-type", "content-digest")
RESPONSE_COMPONENTS = ("@status", "content-type", "content-digest", NONCE_HEADER)
FUTURE_SKEW_S = 5.0


class NonceStore(Protocol):
    def check_and_store(self, key_id: str, nonce: str, ttl_s: float) -> bool:
        """Remember the nonce; return False if it was already seen within its TTL."""
        ...


class InMemoryNonceStore:
    """Nonces seen recently, purged as they expire (bounded by the traffic of one window)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._next_purge = 0.0

    def check_and_store(self, key_id: str, nonce: str, ttl_s: float) -> bool:
        now = time.monotonic()
        with self._lock:
            if now >= self._next_purge:
                self._seen = {k: exp for k, exp in self._seen.items() if exp > now}
                self._next_purge = now + 1.0
            expiry = self._seen.get((key_id, nonce))
            if expiry is not None and expiry > now:
                return False
            self._seen[(key_id, nonce)] = now + ttl_s
            return True


@dataclass
class _Request:
    method: str
    url: str
    headers: httpx.Headers


@dataclass
class _Response:
    status_code: int
    headers: httpx.Headers
    request: _Request


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, private: NodeKey | None = None, trust: TrustStore | None = None) -> None:
        self.private = private
        self.trust = trust
        self.unknown: str | None = None

    def resolve_private_key(self, key_id: str) -> Any:
        assert self.private is not None and key_id == self.private.key_id
        return self.private.private_key

    def resolve_public_key(self, key_id: str) -> Any:
        entry = self.trust.get_by_key_id(key_id) if self.trust else None
        if entry is None:
            self.unknown = key_id
            return None
        return entry.public_key


def new_nonce() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def sign_request(
    method: str, url: str, headers: Mapping[str, str], body: bytes, key: NodeKey
) -> tuple[dict[str, str], str]:
    """Return the headers to send (with Content-Digest and the signature) and the nonce."""
    h = httpx.Headers(headers)
    h.setdefault("content-type", "application/json")
    nonce = new_nonce()
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(key)).sign(
        _Request(method.upper(), url, h),
        key_id=key.key_id,
        created=datetime.now(UTC),
        nonce=nonce,
        label=LABEL,
        tag=TAG,
        covered_component_ids=REQUEST_COMPONENTS,
        body=body,
    )
    return dict(h.items()), nonce


def _verify(
    message: _Request | _Response, trust: TrustStore, body: bytes, components: tuple[str, ...]
) -> Any:
    if "signature" not in message.headers or "signature-input" not in message.headers:
        raise Unauthorized("request is not signed", code="signature_missing")
    keys = _Keys(trust=trust)
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=keys)
    verifier.max_clock_skew = timedelta(days=3650)  # the window is checked below, after the crypto
    try:
        results = verifier.verify(
            message, max_age=None, expect_tag=TAG, require_components=components
        )
    except (InvalidSignature, HTTPMessageSignaturesException):
        if keys.unknown is not None:
            raise Unauthorized(
                "signed by a key we do not trust", code="signature_unknown_key"
            ) from None
        raise Unauthorized("signature does not verify", code="signature_invalid") from None
    result = results[0]
    try:
        ContentDigest.verify(message.headers["content-digest"], body)
    except (InvalidSignature, HTTPMessageSignaturesException):
        raise Unauthorized(
            "body does not match its Content-Digest", code="digest_mismatch"
        ) from None
    return result


def _check_window(created: int, window_s: float, now: float) -> None:
    if created > now + FUTURE_SKEW_S:
        raise Unauthorized("signature created in the future", code="signature_expired")
    if created < now - window_s:
        raise Unauthorized("signature too old", code="signature_expired")


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    trust: TrustStore,
    nonces: NonceStore,
    *,
    window_s: float = 30.0,
    now: float | None = None,
) -> tuple[PartnerEntry, str]:
    """Verify a signed request; return the partner who signed it and the request nonce."""
    result = _verify(
        _Request(method.upper(), url, httpx.Headers(headers)), trust, body, REQUEST_COMPONENTS
    )
    params = result.parameters
    _check_window(int(params["created"]), window_s, time.time() if now is None else now)
    entry = trust.get_by_key_id(str(params["keyid"]))
    assert entry is not None  # the resolver found it
    nonce = result.nonce
    if not nonce:
        raise Unauthorized("signature has no nonce", code="signature_invalid")
    if not nonces.check_and_store(entry.key_id, nonce, window_s + FUTURE_SKEW_S):
        raise Unauthorized("request replayed", code="signature_replayed")
    return entry, str(nonce)


def sign_response(
    status: int, headers: Mapping[str, str], body: bytes, key: NodeKey, request_nonce: str
) -> dict[str, str]:
    h = httpx.Headers(headers)
    h.setdefault("content-type", "application/json")
    h[NONCE_HEADER] = request_nonce
    response = _Response(status, h, _Request("POST", "http://unused/", httpx.Headers()))
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(key)).sign(
        response,
        key_id=key.key_id,
        created=datetime.now(UTC),
        label=LABEL,
        tag=TAG,
        covered_component_ids=RESPONSE_COMPONENTS,
        body=body,
    )
    return dict(h.items())


def verify_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    partner: PartnerEntry,
    request_nonce: str,
    *,
    window_s: float = 30.0,
) -> None:
    """Raise Unauthorized unless ``partner`` signed this response to our request."""
    h = httpx.Headers(headers)
    result = _verify(
        _Response(status, h, _Request("POST", "http://unused/", httpx.Headers())),
        TrustStore([partner]),
        body,
        RESPONSE_COMPONENTS,
    )
    _check_window(int(result.parameters["created"]), window_s, time.time())
    if h.get(NONCE_HEADER) != request_nonce:
        raise Unauthorized("response answers another request", code="signature_invalid")
