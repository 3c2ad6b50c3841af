"""RFC 9457 problem details, and the one table mapping remote errors to HTTP."""
from __future__ import annotations

import json
import logging
import uuid

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from sacinfra.errors import parse_remote_value

PROBLEM = "application/problem+json"

log = logging.getLogger("gateway.errors")

#: THE table: a service exception, by the dotted path of its class, -> (HTTP status, the
#: code when the error carries none). Services raise sacinfra.errors' classes or their
#: own subclasses; a subclass not listed is mapped by its sacinfra.errors base, which the
#: error's value names (``kind``), else by its class name.
REMOTE_ERRORS: dict[str, tuple[int, str]] = {
    "sacinfra.errors.NotFound": (404, "no_encontrado"),
    "sacinfra.errors.InvalidInput": (422, "datos_invalidos"),
    "sacinfra.errors.Conflict": (409, "conflicto"),
    "sacinfra.errors.Forbidden": (403, "prohibido"),
    "sacinfra.errors.Unavailable": (503, "servicio_no_disponible"),  # a service it asked did not answer
    "catalog.exceptions.InvalidInput": (422, "datos_invalidos"),       # with per-line ``errors``
    "routing.exceptions.PayloadTooLarge": (413, "evidencia_muy_grande"),  # over EVIDENCE_MAX_BYTES
}
#: the same, by class name: batch answers and remote errors name the class only
_BY_NAME = {path.rsplit(".", 1)[1]: answer for path, answer in REMOTE_ERRORS.items()}


class ApiError(Exception):
    """An answer as problem+json: ``headers`` (``WWW-Authenticate``, ``Retry-After``…) and
    ``extra`` members of the problem ride along."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra):
        self.status, self.code, self.detail, self.headers, self.extra = status, code, detail, headers or {}, extra


def problem(status: int, code: str, detail: str, title: str | None = None, **extra) -> JSONResponse:
    body = {"type": f"https://sac.example/problemas/{code}", "title": title or code.replace("_", " "),
            "status": status, "code": code, "detail": detail} | extra
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _mapped(exc_path: str | None, exc_type: str | None, kind: str | None) -> tuple[int, str] | None:
    return REMOTE_ERRORS.get(exc_path or "") or _BY_NAME.get(kind or "") or _BY_NAME.get(exc_type or "")


def unexpected(where: str, incident: str | None = None) -> ApiError:
    """A 500 with the incident id the service logged (the gateway logs it too)."""
    incident = incident or uuid.uuid4().hex[:12]
    log.error("incidente %s: error inesperado de %s", incident, where)
    return ApiError(500, "error_interno", f"Un servicio interno falló (incidente {incident}); intente de nuevo o "
                                          "informe el incidente a soporte.", incident=incident)


def remote_to_api(exc) -> ApiError:
    """A remote error (``RemoteCallError``: ``exc_type``, ``exc_path``, ``value``,
    ``call_ref``) as the API answers it; an unexpected one is a 500 naming the call's
    reference, under which the service logged it (sacinfra.incidents)."""
    code, detail, kind = parse_remote_value(exc.value)
    mapped = _mapped(getattr(exc, "exc_path", None), exc.exc_type, kind)
    if mapped is None:
        return unexpected(f"{exc.exc_type}: {str(exc.value)[:300]}", getattr(exc, "call_ref", None))
    lines = _line_errors(exc.value)
    if lines:  # a per-line report (an import): the detail's first line, the lines as ``errors``
        return ApiError(mapped[0], code or mapped[1], detail.split("\n", 1)[0], errors=lines)
    return ApiError(mapped[0], code or mapped[1], detail, _retry(mapped[0]))


#: how soon a client may try again after a 503 (a dependency away)
RETRY_AFTER_SECONDS = "5"


def _retry(status: int) -> dict[str, str] | None:
    return {"Retry-After": RETRY_AFTER_SECONDS} if status == 503 else None


def _line_errors(value) -> list[dict]:
    """The ``errors`` list of a remote error's JSON value, if any: ``[{line, message}]`` for
    a file's rows, ``[{feature, message}]`` for a GeoJSON's features."""
    try:
        data = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return []
    errors = data.get("errors") if isinstance(data, dict) else None
    if not isinstance(errors, list):
        return []
    return [{"feature": e.get("feature"), "message": e.get("message")} if "feature" in e
            else {"line": e.get("line"), "message": e.get("message")} for e in errors if isinstance(e, dict)]


def error_from_answer(error: dict) -> ApiError:
    """A per-item error of a batch answer (``{"type", "code", "message"}``), by the same table."""
    mapped = _mapped(error.get("path"), error.get("type"), error.get("kind"))
    if mapped is None:
        return unexpected(f"{error.get('type')}: {error.get('message')}", error.get("incident"))
    return ApiError(mapped[0], error.get("code") or mapped[1], error.get("message") or "Error del servicio.",
                    _retry(mapped[0]))


async def api_error_handler(request: Request, exc: ApiError):
    response = problem(exc.status, exc.code, exc.detail, **exc.extra)
    response.headers.update(exc.headers)
    return response


#: pydantic's error types in Spanish (``{…}`` from the error's ``ctx``); others: ``Valor inválido.``
MESSAGES = {
    "missing": "Campo obligatorio.", "extra_forbidden": "Campo no permitido.",
    "int_parsing": "Debe ser un número entero.", "int_from_float": "Debe ser un número entero.",
    "int_type": "Debe ser un número entero.", "float_parsing": "Debe ser un número.", "float_type": "Debe ser un número.",
    "finite_number": "Debe ser un número finito.", "bool_parsing": "Debe ser verdadero o falso (true/false).",
    "bool_type": "Debe ser verdadero o falso (true/false).", "string_type": "Debe ser texto.",
    "less_than_equal": "Debe ser menor o igual a {le}.", "less_than": "Debe ser menor que {lt}.",
    "greater_than_equal": "Debe ser mayor o igual a {ge}.", "greater_than": "Debe ser mayor que {gt}.",
    "string_too_short": "Debe tener al menos {min_length} caracteres.",
    "string_too_long": "Debe tener como máximo {max_length} caracteres.",
    "too_short": "Debe tener al menos {min_length} elementos.", "too_long": "Debe tener como máximo {max_length} elementos.",
    "string_pattern_mismatch": "No tiene el formato esperado ({pattern}).",
    "literal_error": "Debe ser uno de: {expected}.", "enum": "Debe ser uno de: {expected}.",
    "date_parsing": "Debe ser una fecha AAAA-MM-DD.", "date_from_datetime_parsing": "Debe ser una fecha AAAA-MM-DD.",
    "date_type": "Debe ser una fecha AAAA-MM-DD.", "datetime_parsing": "Debe ser una fecha y hora ISO 8601.",
    "datetime_from_date_parsing": "Debe ser una fecha y hora ISO 8601.", "datetime_type": "Debe ser una fecha y hora ISO 8601.",
    "list_type": "Debe ser una lista.", "dict_type": "Debe ser un objeto.", "model_type": "Debe ser un objeto.",
    "model_attributes_type": "Debe ser un objeto.", "json_invalid": "El cuerpo no es JSON válido.",
    "uuid_parsing": "Debe ser un UUID.", "url_parsing": "Debe ser una URL.", "url_scheme": "Debe ser una URL http(s).",
    "decimal_parsing": "Debe ser un número decimal.", "union_tag_invalid": "Tipo no reconocido.",
}


def _shown(key: str, value):
    if key == "expected":  # "'open' or 'closed'"
        return str(value).replace("'", "").replace(" or ", " o ")
    return int(value) if isinstance(value, float) and value.is_integer() else value


def spanish(error: dict) -> str:
    """One pydantic error's message in Spanish (a validator's own message as it is:
    those the gateway writes are Spanish already)."""
    ctx = error.get("ctx") or {}
    if error.get("type") in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    template = MESSAGES.get(error.get("type"), "Valor inválido.")
    try:
        return template.format(**{k: _shown(k, v) for k, v in ctx.items()})
    except (KeyError, IndexError, ValueError):
        return template.split(" {", 1)[0].rstrip(":") + "."


def field_errors(errors, skip: int = 1) -> list[dict]:
    """``[{campo, mensaje}]`` of pydantic's errors (``skip``: leading ``loc`` parts, e.g. ``body``)."""
    return [{"campo": ".".join(str(p) for p in e.get("loc", ())[skip:]), "mensaje": spanish(e)} for e in errors]


async def validation_error_handler(request: Request, exc: RequestValidationError):
    return problem(422, "validacion", "La solicitud tiene datos inválidos o faltantes.", errors=field_errors(exc.errors()))


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
