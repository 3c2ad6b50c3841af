"""Problem responses that carry headers (``WWW-Authenticate`` on 401, ``Retry-After`` on 429)."""
from __future__ import annotations

from fastapi import Request

from ..errors import ApiError, problem


class HeaderApiError(ApiError):
    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(status, code, detail)
        self.headers = headers or {}


def unauthorized(code: str = "no_autenticado", detail: str = "Se requiere iniciar sesión.") -> HeaderApiError:
    return HeaderApiError(401, code, detail, {"WWW-Authenticate": 'Bearer realm="sac"'})


def forbidden(detail: str = "Su rol no permite esta operación.") -> ApiError:
    return ApiError(403, "prohibido", detail)


async def header_api_error_handler(request: Request, exc: HeaderApiError):
    response = problem(exc.status, exc.code, exc.detail)
    response.headers.update(exc.headers)
    return response
