"""Calling partner nodes: signed requests, verified answers, hard deadlines.

A partner failure never raises and never hangs: it becomes a ``PartnerResult``
whose ``status`` says what happened:

- ``ok``: a 2xx answer signed by the partner's key from our trust store, bound
  to our request's nonce; ``data`` holds its JSON object;
- ``unavailable``: no connection (refused, reset, DNS, TLS);
- ``timeout``: no complete answer within ``timeout_s`` (a total deadline);
- ``error``: the partner answered 4xx/5xx (``detail`` is its error code), or an
  answer we could not use (too large, not JSON);
- ``untrusted``: the partner is not in our trust store (nothing is sent), or its
  answer is not validly signed by the expected key (``data`` stays ``None``).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

import httpx
import structlog

from passerelle.domain.countries import Country
from passerelle.exc import Unauthorized
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import DEFAULT_WINDOW_S, sign_request, verify_response
from passerelle.federation.trust import PartnerEntry, TrustStore

log = structlog.get_logger(__name__)

Status = Literal["ok", "unavailable", "timeout", "error", "untrusted"]
DEFAULT_MAX_RESPONSE = 8 * 1024 * 1024
# An idle pooled connection is dropped after this long: below the partners' own keep-alive
# (uvicorn's default is 5 s), so we never send on a connection the server is closing.
DEFAULT_KEEPALIVE_EXPIRY_S = 2.0


@dataclass(frozen=True)
class PartnerResult:
    status: Status
    latency_ms: float
    data: dict[str, Any] | None = None
    detail: str = ""
    http_status: int = 0  # the partner's HTTP status when it answered (0: no answer)


class _TooLarge(Exception):
    pass


class PartnerClient:
    """Signed calls to partner nodes over one pooled ``httpx.AsyncClient``."""

    def __init__(
        self,
        key: NodeKey,
        trust: TrustStore,
        *,
        window_s: float = DEFAULT_WINDOW_S,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE,
        transport: httpx.AsyncBaseTransport | None = None,
        keepalive_expiry_s: float = DEFAULT_KEEPALIVE_EXPIRY_S,
    ) -> None:
        self.key = key
        self.keepalive_expiry_s = keepalive_expiry_s
        self.trust = trust
        self.window_s = window_s
        self.max_response_bytes = max_response_bytes
        self._transport = transport
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                limits=httpx.Limits(
                    max_connections=100,
                    max_keepalive_connections=20,
                    keepalive_expiry=self.keepalive_expiry_s,
                ),
                follow_redirects=False,
                transport=self._transport,
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> PartnerClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def call(
        self, partner: PartnerEntry, path: str, payload: dict[str, Any], timeout_s: float
    ) -> PartnerResult:
        """POST ``payload`` to ``partner.base_url + path``, signed; never raises."""
        started = time.perf_counter()
        result = await self._call(partner, path, payload, timeout_s)
        result = replace(result, latency_ms=(time.perf_counter() - started) * 1000)
        log.info(
            "partner_call",
            partner=partner.country.value,
            path=path,
            status=result.status,
            detail=result.detail,
            latency_ms=round(result.latency_ms, 1),
        )
        return result

    async def _call(
        self, partner: PartnerEntry, path: str, payload: dict[str, Any], timeout_s: float
    ) -> PartnerResult:
        trusted = self.trust.get_by_key_id(partner.key_id)
        if trusted is None or trusted.public_key != partner.public_key:
            return PartnerResult("untrusted", 0.0, detail="partner_not_in_trust_store")
        url = partner.base_url + path
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        try:
            headers, nonce = sign_request(
                "POST", url, {"content-type": "application/json"}, body, self.key
            )
            async with asyncio.timeout(timeout_s):
                status, r_headers, content = await self._post(url, body, headers, timeout_s)
        except (TimeoutError, httpx.TimeoutException):
            return PartnerResult("timeout", 0.0, detail=f"no answer within {timeout_s:g} s")
        except httpx.TransportError as e:
            return PartnerResult("unavailable", 0.0, detail=type(e).__name__)
        except _TooLarge:
            return PartnerResult("error", 0.0, detail="response_too_large")
        except Exception as e:  # a bad URL or a bug must not take the whole fan-out down
            log.warning("partner_call_failed", partner=partner.country.value, error=repr(e))
            return PartnerResult("error", 0.0, detail=type(e).__name__)
        if status >= 400:
            code = _error_code(content) or f"http_{status}"
            return PartnerResult("error", 0.0, detail=code, http_status=status)
        try:
            verify_response(status, r_headers, content, trusted, nonce, window_s=self.window_s)
        except Unauthorized as e:
            return PartnerResult("untrusted", 0.0, detail=e.code)
        try:
            data = json.loads(content)
        except ValueError:
            return PartnerResult("error", 0.0, detail="invalid_json")
        data = data if isinstance(data, dict) else {"items": data}
        return PartnerResult("ok", 0.0, data=data, http_status=status)

    async def _post(
        self, url: str, body: bytes, headers: dict[str, str], timeout_s: float
    ) -> tuple[int, dict[str, str], bytes]:
        request = self.http.build_request(
            "POST",
            url,
            content=body,
            headers={**headers, "accept-encoding": "identity"},
            timeout=timeout_s,
        )
        response = await self.http.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_response_bytes:
                raise _TooLarge
            content = bytearray()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > self.max_response_bytes:
                    raise _TooLarge
        finally:
            await response.aclose()
        return response.status_code, dict(response.headers), bytes(content)

    async def fan_out(
        self, partners: list[PartnerEntry], path: str, payload: dict[str, Any], timeout_s: float
    ) -> dict[Country, PartnerResult]:
        """Call every partner concurrently; one result per country, within ``timeout_s``."""
        results = await asyncio.gather(*(self.call(p, path, payload, timeout_s) for p in partners))
        return {p.country: r for p, r in zip(partners, results, strict=True)}


def _error_code(content: bytes) -> str | None:
    try:
        err = json.loads(content).get("error", {})
        code = err.get("code")
    except (ValueError, AttributeError):
        return None
    return str(code)[:100] if isinstance(code, str) and code else None
