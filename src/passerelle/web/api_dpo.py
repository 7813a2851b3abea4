"""``/api/v1/audit``: the DPO's API over the audit log (role ``dpo``; every call is logged).

Searches and subject access are POSTs so that the personal data searched for
never appears in a URL (and so in no proxy or access log).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from passerelle.audit.reader import AuditSearch
from passerelle.auth.roles import Principal, Role
from passerelle.dpo.records import to_markdown
from passerelle.dpo.service import DpoService, record_dict
from passerelle.exc import InvalidInput
from passerelle.web.deps import CtxDep, require_roles
from passerelle.web.i18n import LANGUAGES
from passerelle.web.templating import render, request_language

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])

DpoDep = Annotated[Principal, Depends(require_roles(Role.DPO))]
RecordsDep = Annotated[Principal, Depends(require_roles(Role.DPO, Role.ADMIN))]


class SearchBody(BaseModel):
    """Filters (all optional, combined with AND); times are ISO 8601, UTC when no offset."""

    model_config = ConfigDict(extra="forbid")
    officer: str | None = Field(default=None, max_length=200, description="Officer (token sub).")
    subject: str | None = Field(
        default=None,
        max_length=200,
        description="National id, document number, plate, or family_name|YYYY-MM-DD.",
    )
    dataset: str | None = Field(default=None, max_length=40)
    partner: str | None = Field(default=None, max_length=2, description="Partner country.")
    purpose: str | None = Field(default=None, max_length=40)
    kind: str | None = Field(default=None, max_length=40, description="Event kind.")
    exchange_id: str | None = Field(default=None, max_length=64)
    since: dt.datetime | None = Field(default=None, description="From (inclusive).")
    until: dt.datetime | None = Field(default=None, description="To (exclusive).")
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10_000_000)
    justification: str | None = Field(
        default=None, max_length=500, description="Why the DPO searches (logged)."
    )

    def to_search(self) -> AuditSearch:
        def clean(v: str | None) -> str | None:
            return v.strip() or None if v is not None else None

        return AuditSearch(
            officer=clean(self.officer),
            subject=clean(self.subject),
            dataset=clean(self.dataset),
            partner=clean(self.partner),
            purpose=clean(self.purpose),
            kind=clean(self.kind),
            exchange_id=clean(self.exchange_id),
            since=self.since,
            until=self.until,
            limit=self.limit,
            offset=self.offset,
        )


class ExportBody(SearchBody):
    format: Literal["jsonl", "csv"] = "jsonl"


class SubjectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str = Field(
        min_length=1,
        max_length=200,
        description="National id, document number, plate, or family_name|YYYY-MM-DD.",
    )


def service(ctx: CtxDep) -> DpoService:
    return DpoService(ctx)


ServiceDep = Annotated[DpoService, Depends(service)]


@router.post("/search", summary="Search the audit log")
def search(body: SearchBody, dpo: DpoDep, svc: ServiceDep) -> dict[str, Any]:
    page = svc.search(dpo, body.to_search(), body.justification)
    return {
        "total": page.total,
        "limit": body.limit,
        "offset": body.offset,
        "entries": [record_dict(r) for r in page.records],
    }


@router.get("/exchanges/{exchange_id}", summary="This node's entries of one exchange")
def exchange(exchange_id: str, dpo: DpoDep, svc: ServiceDep) -> dict[str, Any]:
    result = svc.exchange(dpo, exchange_id)
    result["entries"] = [record_dict(r) for r in result["entries"]]
    return result


@router.post("/export", summary="Export matching entries (JSON lines or CSV, streamed)")
def export(body: ExportBody, dpo: DpoDep, svc: ServiceDep) -> StreamingResponse:
    lines = svc.export(dpo, body.to_search(), body.format)
    media = "text/csv; charset=utf-8" if body.format == "csv" else "application/x-ndjson"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"audit-{svc.ctx.settings.country.value}-{stamp}.{body.format}"
    return StreamingResponse(
        lines,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/subject-access", summary="Everything logged about one person")
def subject_access(body: SubjectBody, dpo: DpoDep, svc: ServiceDep) -> dict[str, Any]:
    return svc.subject_access(dpo, body.subject)


@router.get("/indicators", summary="Misuse indicators over a window of days")
def indicators(
    dpo: DpoDep, svc: ServiceDep, days: Annotated[int | None, Query(ge=1, le=366)] = None
) -> dict[str, Any]:
    return svc.indicators(dpo, days).to_dict()


@router.get("/verify", summary="Verify this node's audit log (hash chain and signed heads)")
def verify(dpo: DpoDep, svc: ServiceDep) -> dict[str, Any]:
    return svc.verify(dpo)


@router.get("/retention/preview", summary="What the retention job would delete now (dry run)")
def retention_preview(dpo: DpoDep, svc: ServiceDep) -> dict[str, Any]:
    return svc.retention_preview(dpo).to_dict()


@router.get(
    "/records-of-processing",
    summary="Records of processing (LED Art. 24) as JSON, Markdown or HTML",
    response_model=None,
)
def records_of_processing(
    request: Request,
    _who: RecordsDep,
    svc: ServiceDep,
    format: Annotated[Literal["json", "markdown", "html"], Query()] = "json",
    lang: Annotated[str | None, Query(max_length=2)] = None,
) -> Response | dict[str, Any]:
    language = lang if lang in LANGUAGES else request_language(request)
    doc = svc.records_of_processing(language)
    node = svc.ctx.settings.country.value
    if format == "markdown":
        return PlainTextResponse(
            to_markdown(doc),
            media_type="text/markdown; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="records-{node}-{language}.md"'},
        )
    if format == "html":
        response = render(request, "dpo_records_doc.html", {"doc": doc, "lang": language})
        response.headers["Content-Disposition"] = (
            f'attachment; filename="records-{node}-{language}.html"'
        )
        return response
    return doc


@router.post(
    "/pairing",
    summary="Pair this node's entries with a partner's audit export (both ends of each exchange)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    },
)
async def pairing(request: Request, dpo: DpoDep, svc: ServiceDep) -> dict[str, Any]:
    """Body: the partner's JSON lines export (``passerelle audit export`` at the partner)."""
    body = await request.body()
    if not body.strip():
        raise InvalidInput("send the partner's audit export as the request body")
    with tempfile.TemporaryDirectory(prefix="passerelle-pairing-") as tmp:
        path = Path(tmp) / "partner.jsonl"
        path.write_bytes(body)
        report = await run_in_threadpool(svc.pair_with_export, dpo, path)
    return report.to_dict()
