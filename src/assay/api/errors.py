"""The one place where Assay errors and request-validation failures become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from assay import errors
from assay.store.engine import WRITE_ERRORS, unstorable_json_cause

log = logging.getLogger(__name__)

STATUS_BY_ERROR: dict[type[errors.AssayError], int] = {
    errors.InvalidInput: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.PayloadTooLarge: 413,
    errors.NoTaskAvailable: 404,
    errors.LeaseExpired: 409,
    errors.UpstreamError: 502,
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON shape of every error answer."""
    return {"error": {"code": code, "message": message, "details": details}}


def _status_for(exc: errors.AssayError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def _readable_validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for item in exc.errors():
        loc = [str(part) for part in item.get("loc", ())]
        details.append({"loc": loc, "msg": item.get("msg", ""), "type": item.get("type", "")})
    return details


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to ``{"error": {"code", "message", "details"}}``."""

    @app.exception_handler(errors.AssayError)
    async def _assay_error(_request: Request, exc: errors.AssayError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), _status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _readable_validation_details(exc)
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(p for p in first["loc"] if p not in ("body",)) or "request"
        message = f"Invalid request: {where}: {first['msg']}"
        return JSONResponse(error_body("invalid_input", message, details), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, headers=exc.headers)

    async def _failed_write(_request: Request, exc: Exception) -> JSONResponse:
        cause = unstorable_json_cause(exc)
        return _internal_error(exc) if cause is None else _unstorable_json(cause)

    for error_class in WRITE_ERRORS:
        app.add_exception_handler(error_class, _failed_write)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return _internal_error(exc)


def _unstorable_json(exc: Exception) -> JSONResponse:
    # JSON parsers accept integers of any size, but stored JSON holds 64-bit ones: such a
    # value fails when the row is written, before anything is committed.
    message = (
        f"A value in the request cannot be stored as JSON ({exc}); "
        "send numbers beyond 64-bit integers as strings."
    )
    return JSONResponse(error_body("invalid_input", message), 422)


def _internal_error(exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return JSONResponse(
        error_body("internal_error", "Something went wrong on our side; it was logged."), 500
    )


class ErrorDetail(BaseModel):
    """What went wrong: a machine-readable code, a message a person can act on, details."""

    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The body of every 4xx answer."""

    error: ErrorDetail


def document_error_shape(app: FastAPI) -> None:
    """Make the OpenAPI document describe validation errors as they are really sent.

    FastAPI documents 422 as ``{"detail": [...]}``; our handler answers ``{"error": {...}}``.
    """
    default_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = default_openapi()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in error_schema.pop("$defs", {}).items():
            components[name] = definition
        components["ErrorResponse"] = error_schema
        components["HTTPValidationError"] = {"$ref": "#/components/schemas/ErrorResponse"}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
