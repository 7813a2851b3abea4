"""One place that turns raised errors into responses.

API clients get ``{"error": {code, detail, message, params}}`` where ``message``
is translated into the caller's language; browsers asking for HTML get the
translated error page. Logs get the code and status, never personal data.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from passerelle.exc import PasserelleError
from passerelle.web import i18n

log = structlog.get_logger("passerelle.errors")
_MACHINE_PREFIXES = ("/api/", "/federation/", "/idp/", "/metrics", "/healthz", "/readyz")


def _lang(request: Request) -> str:
    from passerelle.web.templating import request_language

    return request_language(request)


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith(_MACHINE_PREFIXES):
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, code: str, detail: str, params: dict[str, Any]
) -> Response:
    lang = _lang(request)
    message = i18n.error_message(lang, code, params, status)
    if _wants_html(request):
        from passerelle.web.templating import render

        return render(
            request, "error.html", {"status": status, "code": code, "message": message}, status
        )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": {"code": code, "detail": detail, "message": message, "params": params}}
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PasserelleError)
    async def _passerelle(request: Request, exc: PasserelleError) -> Response:
        log.info("request_refused", code=exc.code, status=exc.status)
        if exc.status >= 500:
            log.error("request_failed", code=exc.code, detail=exc.detail)
        return error_response(request, exc.status, exc.code, exc.detail, exc.params)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        # Never echo the submitted values back into logs; keep location and reason.
        problems = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        where = "; ".join(f"{'.'.join(p['loc'][1:]) or 'body'}: {p['msg']}" for p in problems)
        return error_response(
            request, 422, "validation_error", f"invalid request: {where}", {"errors": problems}
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            exc.status_code, "http_error"
        )
        return error_response(request, exc.status_code, code, str(exc.detail), {})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled_error", error_type=type(exc).__name__)
        return error_response(request, 500, "internal_error", "internal error", {})
