"""The OpenAPI document says what every operation may answer, errors included.

FastAPI documents a success code and a 422 in its own JSON shape; the gateway answers
errors as RFC 9457 ``application/problem+json`` (``errors.problem``) and Open311 routes in
the GeoReport v2 error format, JSON or XML. ``document_errors`` adds those answers to
every operation, once, when the document is built, so that clients (and the schemathesis
run in tests/e2e) can rely on the document for every status the gateway returns."""
from __future__ import annotations

from .errors import PROBLEM

#: what any /v1 operation may answer besides its success
API_ERRORS = {
    "400": "Solicitud mal formada",
    "401": "Sin sesión o credencial válida",
    "403": "Su rol o credencial no permite esta operación",
    "404": "No existe (o no es visible para usted)",
    "409": "Conflicto: versión desactualizada, transición inválida o duplicado",
    "413": "Contenido demasiado grande",
    "415": "Tipo de contenido no admitido",
    "422": "Datos inválidos: el detalle dice cuáles",
    "428": "Falta la versión leída (If-Match)",
    "429": "Demasiadas solicitudes: reintente después de Retry-After",
    "500": "Un servicio interno falló (con el incidente que registró)",
    "503": "Un servicio interno no está disponible",
}

#: what an Open311 operation may answer, in the specification's error format
OPEN311_ERRORS = {
    "400": "Solicitud inválida (formato, parámetros)",
    "401": "api_key inválida",
    "403": "api_key sin permiso para esta operación",
    "404": "No existe",
    "422": "Datos inválidos",
    "429": "Demasiadas solicitudes",
    "500": "Un servicio interno falló (con el incidente que registró)",
    "503": "Un servicio interno no está disponible",
}

PROBLEM_SCHEMA = {
    "title": "Problem",
    "description": "RFC 9457 problem details, con un código de máquina y un mensaje en español.",
    "type": "object",
    "required": ["type", "title", "status", "code", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "code": {"type": "string", "description": "código de máquina, p. ej. tipo_peticion_no_encontrado"},
        "detail": {"type": "string", "description": "mensaje en español"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "incident": {"type": "string", "description": "500: el incidente que el servicio registró en su bitácora"},
    },
    "additionalProperties": True,
}

OPEN311_ERROR_SCHEMA = {
    "title": "Open311Errors",
    "type": "array",
    "items": {"type": "object", "required": ["code", "description"],
              "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
}

XML = {"schema": {"type": "string"}}


def document_errors(document: dict) -> dict:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components["Open311Errors"] = OPEN311_ERROR_SCHEMA
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    open311 = {"application/json": {"schema": {"$ref": "#/components/schemas/Open311Errors"}}, "text/xml": XML}
    for path, operations in document.get("paths", {}).items():
        is_open311 = path.startswith("/open311/")
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            if is_open311:
                for status, response in responses.items():
                    if status.startswith("2"):  # .json or .xml, as the path says
                        response.setdefault("content", {}).setdefault("application/json", {})
                        response["content"].setdefault("text/xml", XML)
                errors, content = OPEN311_ERRORS, open311
            else:
                errors, content = API_ERRORS, problem
            for status, description in errors.items():
                responses[status] = {"description": description, "content": content}
    # FastAPI's own 422 shape is never sent: the handler answers problem+json
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    return document
