"""Report lists: "Asuntos del día" (``GET /v1/reports/today``), "Consultas y reportes"
(``GET /v1/reports``, grouped counts with ``grouped=detail|general``) and the citizen
history (``GET /v1/citizens/{number}/reports``, ``GET /v1/citizens/reports?name=``).

Readers: any staff user; routing decides which rows each may list (``policy.list_scope``:
agency staff their agency's reports and those shared with it, block leaders the reports
they filed, …; 403 ``prohibido`` for a role that may list none), resolves the citizen
criteria (``citizen_name``, ``sex``, ``age_min``, ``age_max``: its ``citizen`` filter) and
the history through citizens, and fills the citizen's name and phone from citizens'
logged reads (reason = the screen unless ``reason`` is given), only for operators, agency
staff, supervisors, admins and block leaders (``policy.PERSONAL_DATA_ROLES``); auditors
get the citizen number only. ``hide_citizen_data`` leaves number, name and phone out
(nothing is read), ``hide_citizen_name`` the name, ``hide_map`` latitude and longitude.
The gateway parses the query parameters, passes the actor and adds ``pages`` and ``links``."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..auth import CurrentUser, User, actor_of
from ..errors import ApiError
from ..params import CitizenNumber
from ..reports_query import (CONSULTAS_FILTERS, TODAY_FILTERS, check_known, integer, options_of, paginated,
                             parse_filters, reason_of)

router = APIRouter(tags=["consultas de reportes"])

GROUPED = {"general": ["agency"], "detail": ["agency", "department", "petition_type"]}


def _param(name: str, description: str, schema: dict | None = None, array: bool = False) -> dict:
    schema = schema or {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "array", "items": schema} if array else schema}


_PAGE = [_param("page", "página, desde 1", {"type": "integer", "minimum": 1, "default": 1}),
         _param("per_page", "resultados por página (máximo 200)",
                {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}),
         _param("sort", "folio, created_at, due_at, status, agency, petition_type, colonia; «-» descendente; "
                        "varias separadas por comas", {"type": "string", "default": "-created_at"}),
         _param("hide_citizen_data", "sin nombre ni teléfono del ciudadano", {"type": "boolean"}),
         _param("hide_citizen_name", "sin nombre del ciudadano", {"type": "boolean"}),
         _param("reason", "motivo de la consulta de datos personales (bitácora); por omisión, la pantalla")]
_STATUS = _param("status", "captured, in_progress, done, not_viable (repetido o separado por comas)", array=True)
_TODAY = [_STATUS, _param("channel", "origen (repetido)", array=True),
          _param("kind", "Trámite o Servicio"), _param("viability", "viable o not_viable"),
          _param("department", "departamento")] + _PAGE
_CONSULTAS = [_param("date_from", "desde el día (AAAA-MM-DD, hora de la ciudad)", {"type": "string", "format": "date"}),
              _param("date_to", "hasta el día, incluido", {"type": "string", "format": "date"}),
              _STATUS, _param("channel", "origen (repetido)", array=True), _param("kind", "Trámite o Servicio"),
              _param("viability", "viable o not_viable"), _param("agency", "dependencia"),
              _param("department", "departamento"), _param("petition_type", "tipo de petición (repetido)", array=True),
              _param("colonia", "colonia (sin acentos ni mayúsculas)"),
              _param("street", "calle, parcial (al menos 3 letras)"),
              _param("folios", "folios (repetido o separado por comas; hasta 1000)", array=True),
              _param("reassigned_only", "solo reasignados", {"type": "boolean"}),
              _param("traffic_light", "semáforo: on_time, at_risk, overdue", array=True),
              _param("created_by", "usuario que capturó (también «user»)"),
              _param("citizen_number", "número(s) de ciudadano", array=True),
              _param("citizen_name", "nombre del ciudadano (parcial, sin acentos)"),
              _param("sex", "female, male, nonbinary, unspecified"),
              _param("age_min", "edad mínima", {"type": "integer"}), _param("age_max", "edad máxima", {"type": "integer"}),
              _param("hide_map", "sin latitud ni longitud", {"type": "boolean"}),
              _param("grouped", "conteos agrupados: general (dependencia) o detail (dependencia, departamento, "
                                "tipo de petición)", {"type": "string", "enum": ["general", "detail"]}),
              _param("group_by", "agrupación a la medida: agency, department, status, channel, petition_type, kind, "
                                 "colonia, created_by, viability, reassigned, traffic_light, date, month", array=True),
              ] + _PAGE


def _paging(request: Request, default_reason: str) -> tuple:
    """``page, per_page, sort, options`` of a person's list (``options``: routing fills the
    citizen columns, or leaves them and the map out, as for the exports)."""
    params = request.query_params
    return (integer(params, "page", 1), integer(params, "per_page", 50), params.get("sort") or "-created_at",
            options_of(params, reason_of(params, default_reason)))


async def _page_of(request: Request, user: User, method: str, *args, default_reason: str) -> dict:
    """A page as routing answers it for a person's screen, with ``pages`` and ``links``."""
    answer = await request.app.state.call("routing", method, actor_of(user), *args,
                                          *_paging(request, default_reason))
    return paginated(request.url, answer)


@router.get("/v1/reports/today", summary="Asuntos del día: reportes capturados hoy (50 por página)",
            openapi_extra={"parameters": _TODAY})
async def today_reports(request: Request, user: CurrentUser) -> dict[str, Any]:
    """Vencimiento, estatus, origen, número de ciudadano, ciudadano, teléfono, folio,
    reasignado, dependencia, usuario y petición de los reportes de hoy (día de la ciudad)."""
    filters = parse_filters(request.query_params, TODAY_FILTERS)
    return await _page_of(request, user, "today_reports", filters, default_reason="Asuntos del día")


@router.get("/v1/reports", summary="Consultas y reportes: todos los filtros, paginado o agrupado",
            openapi_extra={"parameters": _CONSULTAS})
async def query_reports(request: Request, user: CurrentUser) -> dict[str, Any]:
    params = request.query_params
    filters = parse_filters(params, CONSULTAS_FILTERS | {"hide_map", "grouped", "group_by"})
    reason = reason_of(params, "Consultas y reportes")
    by = params.getlist("group_by") or GROUPED.get(params.get("grouped") or "")
    if params.get("grouped") and params.get("grouped") not in GROUPED:
        raise ApiError(422, "agrupacion_invalida", "«grouped» es general o detail.")
    if by:  # counts: the reason only matters to citizen criteria
        return await request.app.state.call("routing", "group_reports", actor_of(user), filters, by,
                                            {"reason": reason})
    return await _page_of(request, user, "query_reports", filters, default_reason="Consultas y reportes")


@router.get("/v1/citizens/{number:int}/reports", summary="Historial de reportes de un ciudadano (por número)",
            openapi_extra={"parameters": _PAGE[:3] + _PAGE[4:]})
async def citizen_history(number: CitizenNumber, request: Request, user: CurrentUser) -> dict[str, Any]:
    """Folio, fecha, tipo de petición, estatus y dependencia de cada reporte del ciudadano,
    también los capturados con números fusionados en el suyo (routing los reúne)."""
    check_known(request.query_params, {"page", "per_page", "sort", "reason", "hide_citizen_data"})
    return await _page_of(request, user, "citizen_history", number, None, default_reason="Historial del ciudadano")


@router.get("/v1/citizens/reports", summary="Historial de reportes de los ciudadanos que coinciden con un nombre",
            openapi_extra={"parameters": [_param("name", "nombre (parcial, sin acentos)")] + _PAGE[:3] + _PAGE[5:]})
async def citizen_history_by_name(request: Request, user: CurrentUser) -> dict[str, Any]:
    params = request.query_params
    check_known(params, {"name", "page", "per_page", "sort", "reason"})
    return await _page_of(request, user, "citizen_history", None, params.get("name") or "",
                          default_reason="Historial del ciudadano")
