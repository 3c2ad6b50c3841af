"""RFC 9457 problem details, and the one table mapping remote errors to HTTP."""
from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from sacinfra.errors import parse_remote_value

PROBLEM = "application/problem+json"

#: exc_type of a service exception -> HTTP status. Codes come from the exception.
REMOTE_ERRORS: dict[str, int] = {
    "NotFound": 404,
    "InvalidInput": 422,
    "Conflict": 409,
    "Forbidden": 403,
    "PayloadTooLarge": 413,  # routing: an evidence file over EVIDENCE_MAX_BYTES
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str):
        self.status, self.code, self.detail = status, code, detail


def problem(status: int, code: str, detail: str, title: str | None = None, **extra) -> JSONResponse:
    body = {"type": f"https://sac.example/problemas/{code}", "title": title or code.replace("_", " "),
            "status": status, "code": code, "detail": detail} | extra
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def remote_to_api(exc) -> ApiError:
    """``exc`` has ``exc_type`` and ``value`` (a RemoteCallError)."""
    status = REMOTE_ERRORS.get(exc.exc_type)
    if status is None:
        return ApiError(502, "error_de_servicio", "Un servicio interno falló; intente de nuevo.")
    code, detail = parse_remote_value(exc.value)
    return ApiError(status, code or {404: "no_encontrado", 422: "datos_invalidos", 409: "conflicto", 403: "prohibido",
                                  413: "demasiado_grande"}[status], detail)


def error_from_answer(error: dict) -> ApiError:
    """A per-item error of a batch answer (``{"type", "code", "message"}``)."""
    status = REMOTE_ERRORS.get(error.get("type"), 502)
    return ApiError(status, error.get("code") or "error_de_servicio", error.get("message") or "Error del servicio.")


async def api_error_handler(request: Request, exc: ApiError):
    return problem(exc.status, exc.code, exc.detail)


async def validation_error_handler(request: Request, exc: RequestValidationError):
    errors = [{"campo": ".".join(str(p) for p in e.get("loc", ())[1:]), "mensaje": e.get("msg")} for e in exc.errors()]
    return problem(422, "validacion", "La solicitud tiene datos inválidos o faltantes.", errors=errors)


#: Starlette's own errors (no route, method not allowed, …) as problems too
HTTP_ERRORS = {
    404: ("ruta_no_encontrada", "No existe ese recurso en la API."),
    405: ("metodo_no_permitido", "Ese método HTTP no se admite en este recurso."),
}


async def http_error_handler(request: Request, exc: StarletteHTTPException):
    code, detail = HTTP_ERRORS.get(exc.status_code, ("error_http", str(exc.detail)))
    response = problem(exc.status_code, code, detail)
    response.headers.update(exc.headers or {})
    return response
