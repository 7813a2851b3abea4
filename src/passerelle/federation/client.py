"""Calling partner nodes: signed requests, verified answers, hard deadlines.

A partner failure never raises and never hangs: it becomes a ``PartnerResult``
whose ``status`` says what happened (``unavailable``, ``timeout``, ``error``,
``untrusted``).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from passerelle.domain.countries import Country
from passerelle.exc import Unauthorized
from passerelle.federation.keys import NodeKey
from passerelle.federation.signing import sign_request, verify_response
from passerelle.federation.trust import PartnerEntry, TrustStore

Status = Literal["ok", "unavailable", "timeout", "error", "untrusted"]


@dataclass(frozen=True)
class PartnerResult:
    status: Status
    latency_ms: float
    data: dict[str, Any] | None = None
    detail: str = ""


class PartnerClient:
    def __init__(self, key: NodeKey, trust: TrustStore, *, window_s: float = 30.0) -> None:
        self.key = key
        self.trust = trust
        self.window_s = window_s
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                follow_redirects=False,
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def call(
        self, partner: PartnerEntry, path: str, payload: dict[str, Any], timeout_s: float
    ) -> PartnerResult:
        started = time.perf_counter()

        def ms() -> float:
            return (time.perf_counter() - started) * 1000

        url = partner.base_url + path
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        headers, nonce = sign_request(
            "POST", url, {"content-type": "application/json"}, body, self.key
        )
        try:
            async with asyncio.timeout(timeout_s):
                r = await self.http.post(url, content=body, headers=headers, timeout=timeout_s)
                content = await r.aread()
        except (TimeoutError, httpx.TimeoutException):
            return PartnerResult("timeout", ms(), detail=f"no answer within {timeout_s:g} s")
        except httpx.TransportError as e:
            return PartnerResult("unavailable", ms(), detail=type(e).__name__)
        if r.status_code >= 400:
            code = _error_code(content) or f"http_{r.status_code}"
            return PartnerResult("error", ms(), detail=code)
        try:
            verify_response(
                r.status_code, dict(r.headers), content, partner, nonce, window_s=self.window_s
            )
        except Unauthorized as e:
            return PartnerResult("untrusted", ms(), detail=e.code)
        try:
            data = json.loads(content)
        except ValueError:
            return PartnerResult("error", ms(), detail="invalid_json")
        return PartnerResult("ok", ms(), data=data if isinstance(data, dict) else {"items": data})

    async def fan_out(
        self, partners: list[PartnerEntry], path: str, payload: dict[str, Any], timeout_s: float
    ) -> dict[Country, PartnerResult]:
        results = await asyncio.gather(*(self.call(p, path, payload, timeout_s) for p in partners))
        return {p.country: r for p, r in zip(partners, results, strict=True)}


def _error_code(content: bytes) -> str | None:
    try:
        err = json.loads(content).get("error", {})
        return str(err.get("code")) if err.get("code") else None
    except (ValueError, AttributeError):
        return None
