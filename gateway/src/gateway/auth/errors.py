"""The two refusals of authentication as problems: 401 (with `WWW-Authenticate`) and 403."""
from __future__ import annotations

from ..errors import ApiError


def unauthorized(code: str = "no_autenticado", detail: str = "Se requiere iniciar sesión.") -> ApiError:
    return ApiError(401, code, detail, {"WWW-Authenticate": 'Bearer realm="sac"'})


def forbidden(detail: str = "Su rol no permite esta operación.") -> ApiError:
    return ApiError(403, "prohibido", detail)
