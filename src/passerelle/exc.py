"""The one exception hierarchy of Passerelle.

Errors are raised, never returned. Every error carries an HTTP status, a stable
machine ``code`` (used to look up the translated message shown to people) and
``params`` that fill in that message. ``detail`` is the English text for logs
and API clients; it must never contain personal data.
"""

from __future__ import annotations

from typing import Any


class PasserelleError(Exception):
    """Base class: ``status`` is the HTTP status the API maps this error to."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, detail: str, *, code: str | None = None, **params: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.params: dict[str, Any] = params

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.detail, "params": self.params}


class InvalidInput(PasserelleError):
    """Input that does not parse or validate (bad identifier, unknown country...)."""

    status = 422
    code = "invalid_input"


class ConfigError(PasserelleError):
    """Malformed or unsafe configuration; the node refuses to start."""

    status = 500
    code = "config_error"


class NotFound(PasserelleError):
    status = 404
    code = "not_found"


class Unauthorized(PasserelleError):
    """Missing, invalid or expired credentials (token or HTTP signature)."""

    status = 401
    code = "unauthorized"


class Forbidden(PasserelleError):
    """Authenticated but not allowed (wrong role, purpose or policy)."""

    status = 403
    code = "forbidden"


class PayloadTooLarge(PasserelleError):
    status = 413
    code = "payload_too_large"


class ImportRejected(PasserelleError):
    """A register import found invalid rows; nothing was written."""

    status = 422
    code = "import_rejected"


class PartnerError(PasserelleError):
    """A partner node could not be reached or answered badly."""

    status = 502
    code = "partner_error"


class AuditUnavailable(PasserelleError):
    """The audit entry could not be written durably: the operation fails closed."""

    status = 503
    code = "audit_unavailable"
