"""RFC 9421 HTTP Message Signatures (Ed25519) for node-to-node calls.

Requests cover ``@method``, ``@authority``, ``@path``, ``@query``,
``content-type`` and ``content-digest`` (RFC 9530, SHA-256 of the body), with
``created``, ``keyid``, ``alg="ed25519"``, a random 128-bit ``nonce``, the tag
``passerelle-federation`` and optionally ``expires``; label ``pas``. Responses
cover ``@status``, ``content-type``, ``content-digest`` and the
``passerelle-request-nonce`` header echoing the request's (signed) nonce, so an
answer cannot be replayed to another request.

The signature mechanics (signature base, Structured Fields, Ed25519, digest
encoding) come from the ``http-message-signatures`` library; the policy is ours:
which components must be covered, the time window (checked against *our* clock
after the signature verified), replay detection, the trust store, and a distinct
``Unauthorized`` code for each way a message can be wrong.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

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
from passerelle.federation.nonces import InMemoryNonceStore, NonceStore
from passerelle.federation.trust import PartnerEntry, TrustStore

__all__ = [
    "InMemoryNonceStore",
    "NonceStore",
    "Verification",
    "new_nonce",
    "sign_request",
    "sign_response",
    "verify_request",
    "verify_response",
]

LABEL = "pas"
TAG = "passerelle-federation"
ALG = "ed25519"
NONCE_HEADER = "passerelle-request-nonce"
REQUEST_COMPONENTS = ("@method", "@authority", "@path", "@query", "content-type", "content-digest")
RESPONSE_COMPONENTS = ("@status", "content-type", "content-digest", NONCE_HEADER)
DEFAULT_WINDOW_S = 30.0
FUTURE_SKEW_S = 5.0
MAX_NONCE_CHARS = 128
_NO_REQUEST_URL = "http://response.invalid/"


class Verification(NamedTuple):
    """Who signed a verified request, and the request's nonce (to bind the answer to)."""

    partner: PartnerEntry
    nonce: str


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
    """Private key from our ``NodeKey``; public keys from the trust store only."""

    def __init__(self, private: NodeKey | None = None, trust: TrustStore | None = None) -> None:
        self.private = private
        self.trust = trust
        self.unknown: str | None = None

    def resolve_private_key(self, key_id: str) -> Any:
        if self.private is None or key_id != self.private.key_id:
            raise HTTPMessageSignaturesException("no private key for this key id")
        return self.private.private_key

    def resolve_public_key(self, key_id: str) -> Any:
        entry = self.trust.get_by_key_id(key_id) if self.trust else None
        if entry is None:
            self.unknown = key_id
            return None
        return entry.public_key


def new_nonce() -> str:
    """128 random bits, base64url without padding."""
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()


def _ts(now: float | None) -> datetime:
    return datetime.fromtimestamp(time.time() if now is None else now, UTC)


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    key: NodeKey,
    *,
    expires_s: float | None = None,
    now: float | None = None,
) -> tuple[dict[str, str], str]:
    """Return the headers to send (with Content-Digest and the signature) and the nonce.

    ``url`` must be the absolute, encoded URL the request goes to. ``content-type``
    defaults to ``application/json``. ``expires_s`` adds an ``expires`` parameter.
    """
    h = httpx.Headers(headers)
    h.setdefault("content-type", "application/json")
    for name in ("content-digest", "signature", "signature-input"):
        h.pop(name, None)
    nonce = new_nonce()
    created = _ts(now)
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(key)).sign(
        _Request(method.upper(), url, h),
        key_id=key.key_id,
        created=created,
        expires=created + timedelta(seconds=expires_s) if expires_s is not None else None,
        nonce=nonce,
        label=LABEL,
        tag=TAG,
        covered_component_ids=REQUEST_COMPONENTS,
        body=body,
    )
    return dict(h.items()), nonce


def sign_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    key: NodeKey,
    request_nonce: str,
    *,
    now: float | None = None,
) -> dict[str, str]:
    """Return the response headers with Content-Digest, the echoed nonce and the signature."""
    h = httpx.Headers(headers)
    h.setdefault("content-type", "application/json")
    for name in ("content-digest", "signature", "signature-input"):
        h.pop(name, None)
    h[NONCE_HEADER] = request_nonce
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(key)).sign(
        _Response(status, h, _Request("POST", _NO_REQUEST_URL, httpx.Headers())),
        key_id=key.key_id,
        created=_ts(now),
        label=LABEL,
        tag=TAG,
        covered_component_ids=RESPONSE_COMPONENTS,
        body=body,
    )
    return dict(h.items())


def _verify(
    message: _Request | _Response, trust: TrustStore, body: bytes, components: tuple[str, ...]
) -> dict[str, Any]:
    """Check signature and digest; return the signature parameters (created, keyid, ...)."""
    if "signature" not in message.headers or "signature-input" not in message.headers:
        raise Unauthorized("message is not signed", code="signature_missing")
    keys = _Keys(trust=trust)
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=keys)
    verifier.max_clock_skew = timedelta(days=3650)  # our window is checked after the crypto
    try:
        results = verifier.verify(
            message, max_age=None, expect_tag=TAG, require_components=components
        )
    except (InvalidSignature, HTTPMessageSignaturesException, ValueError):
        if keys.unknown is not None:
            raise Unauthorized(
                "signed by a key we do not trust", code="signature_unknown_key"
            ) from None
        raise Unauthorized("signature does not verify", code="signature_invalid") from None
    if len(results) != 1:
        raise Unauthorized("expected exactly one federation signature", code="signature_invalid")
    params = dict(results[0].parameters)
    if params.get("alg") != ALG:
        raise Unauthorized("signature must declare alg=ed25519", code="signature_invalid")
    try:
        ContentDigest.verify(message.headers["content-digest"], body)
    except (InvalidSignature, HTTPMessageSignaturesException, ValueError):
        raise Unauthorized(
            "body does not match its Content-Digest", code="digest_mismatch"
        ) from None
    return params


def _check_window(params: Mapping[str, Any], window_s: float, now: float | None) -> None:
    t = time.time() if now is None else now
    created = int(params["created"])
    if created > t + FUTURE_SKEW_S:
        raise Unauthorized("signature created in the future", code="signature_expired")
    if created < t - window_s:
        raise Unauthorized("signature too old", code="signature_expired")
    expires = params.get("expires")
    if expires is not None and int(expires) < t:
        raise Unauthorized("signature past its expires time", code="signature_expired")


def verify_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    trust: TrustStore,
    nonces: NonceStore,
    *,
    window_s: float = DEFAULT_WINDOW_S,
    now: float | None = None,
) -> Verification:
    """Verify a signed request; return the partner who signed it and the request nonce.

    Raises ``Unauthorized`` with code ``signature_missing``, ``signature_invalid``,
    ``signature_unknown_key``, ``digest_mismatch``, ``signature_expired`` or
    ``signature_replayed``. The nonce is only stored once everything else passed.
    """
    message = _Request(method.upper(), url, httpx.Headers(headers))
    params = _verify(message, trust, body, REQUEST_COMPONENTS)
    _check_window(params, window_s, now)
    entry = trust.get_by_key_id(str(params["keyid"]))
    if entry is None:  # removed from the trust store while we were verifying
        raise Unauthorized("signed by a key we do not trust", code="signature_unknown_key")
    nonce = params.get("nonce")
    if not isinstance(nonce, str) or not 0 < len(nonce) <= MAX_NONCE_CHARS:
        raise Unauthorized("signature has no usable nonce", code="signature_invalid")
    if not nonces.check_and_store(entry.key_id, nonce, window_s + FUTURE_SKEW_S):
        raise Unauthorized("request replayed", code="signature_replayed")
    return Verification(entry, nonce)


def verify_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    partner: PartnerEntry,
    request_nonce: str,
    *,
    window_s: float = DEFAULT_WINDOW_S,
    now: float | None = None,
) -> None:
    """Raise ``Unauthorized`` unless ``partner``'s key signed this answer to our request."""
    h = httpx.Headers(headers)
    message = _Response(status, h, _Request("POST", _NO_REQUEST_URL, httpx.Headers()))
    params = _verify(message, TrustStore([partner]), body, RESPONSE_COMPONENTS)
    _check_window(params, window_s, now)
    if h.get(NONCE_HEADER) != request_nonce:
        raise Unauthorized("response answers another request", code="signature_invalid")
