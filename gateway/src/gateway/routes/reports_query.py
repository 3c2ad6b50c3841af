"""Report lists: "Asuntos del día" (``GET /v1/reports/today``), "Consultas y reportes"
(``GET /v1/reports``, grouped counts with ``grouped=detail|general``) and the citizen
history (``GET /v1/citizens/{number}/reports``, ``GET /v1/citizens/reports?name=``).

Readers: any staff user; routing decides which rows each may list (``policy.list_scope``:
agency staff their agency's reports and those shared with it, block leaders the reports
they filed, …; 403 ``prohibido`` for a role that may list none) and fills the citizen's
name and phone from citizens' logged reads
(``get_citizens``, reason = the screen unless ``reason`` is given), only for operators,
agency staff, supervisors, admins and block leaders; auditors get the citizen number
only. ``hide_citizen_data`` leaves number, name and phone out (nothing is read),
``hide_citizen_name`` the name, ``hide_map`` latitude and longitude."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ..auth import CurrentUser, User
from ..errors import ApiError
from ..params import CitizenNumber
from ..reports_query import (CONSULTAS_FILTERS, TODAY_FILTERS, actor_of,
                             check_known, flag, integer, may_see_personal_data, options_of, paginated,
                             parse_filters, reason_of, resolve_citizen_filters)

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


async def _page_of(request: Request, user: User, method: str, filters: dict, reason: str) -> dict:
    """A page as routing answers it for a person's screen (``options``: routing fills the
    citizen columns, or leaves them and the map out, as for the exports)."""
    params = request.query_params
    answer = await request.app.state.call("routing", method, actor_of(user), filters, integer(params, "page", 1),
                                          integer(params, "per_page", 50), params.get("sort") or "-created_at",
                                          options_of(params, reason))
    return paginated(request.url, answer)


@router.get("/v1/reports/today", summary="Asuntos del día: reportes capturados hoy (50 por página)",
            openapi_extra={"parameters": _TODAY})
async def today_reports(request: Request, user: CurrentUser) -> dict[str, Any]:
    """Vencimiento, estatus, origen, número de ciudadano, ciudadano, teléfono, folio,
    reasignado, dependencia, usuario y petición de los reportes de hoy (día de la ciudad)."""
    filters, _ = parse_filters(request.query_params, TODAY_FILTERS)
    return await _page_of(request, user, "today_reports", filters,
                          reason_of(request.query_params, "Asuntos del día"))


@router.get("/v1/reports", summary="Consultas y reportes: todos los filtros, paginado o agrupado",
            openapi_extra={"parameters": _CONSULTAS})
async def query_reports(request: Request, user: CurrentUser) -> dict[str, Any]:
    params = request.query_params
    filters, criteria = parse_filters(params, CONSULTAS_FILTERS | {"hide_map", "grouped", "group_by"})
    reason = reason_of(params, "Consultas y reportes")
    filters = await resolve_citizen_filters(request.app.state.call, user, filters, criteria, reason)
    by = params.getlist("group_by") or GROUPED.get(params.get("grouped") or "")
    if params.get("grouped") and params.get("grouped") not in GROUPED:
        raise ApiError(422, "agrupacion_invalida", "«grouped» es general o detail.")
    if by:
        return await request.app.state.call("routing", "group_reports", actor_of(user), filters, by)
    return await _page_of(request, user, "query_reports", filters, reason)


_HISTORY_ROW = ("folio", "created_at", "petition_type", "kind", "status", "agency", "department", "channel",
                "due_at", "closed_at", "traffic_light", "citizen_number")


def _history(answer: dict) -> dict:
    answer["items"] = [{k: r.get(k) for k in _HISTORY_ROW} for r in answer["items"]]
    return answer


@router.get("/v1/citizens/{number:int}/reports", summary="Historial de reportes de un ciudadano (por número)",
            openapi_extra={"parameters": _PAGE[:3] + _PAGE[4:]})
async def citizen_history(number: CitizenNumber, request: Request, user: CurrentUser) -> dict[str, Any]:
    """Folio, fecha, tipo de petición, estatus y dependencia de cada reporte del ciudadano,
    también los capturados con números fusionados en el suyo."""
    params = request.query_params
    check_known(params, {"page", "per_page", "sort", "reason", "hide_citizen_data"})
    call = request.app.state.call
    person = await call("citizens", "related_numbers", actor_of(user), number)
    answer = paginated(request.url, _history(await call(
        "routing", "query_reports", actor_of(user), {"citizen_numbers": person["numbers"]},
        integer(params, "page", 1), integer(params, "per_page", 50), params.get("sort") or "-created_at")))
    citizen = {"number": person["number"], "numbers": person["numbers"]}
    # the name comes with the person's reports routing shows this actor (as on any list), never without
    if may_see_personal_data(user) and answer["total"] > 0 and not flag(params, "hide_citizen_data"):
        found = await call("citizens", "get_citizens", actor_of(user), [person["number"]],
                           reason_of(params, "Historial del ciudadano"))
        if found["items"]:
            citizen["full_name"] = found["items"][0]["full_name"]
    return answer | {"citizen": citizen}


@router.get("/v1/citizens/reports", summary="Historial de reportes de los ciudadanos que coinciden con un nombre",
            openapi_extra={"parameters": [_param("name", "nombre (parcial, sin acentos)")] + _PAGE[:3] + _PAGE[5:]})
async def citizen_history_by_name(request: Request, user: CurrentUser) -> dict[str, Any]:
    params = request.query_params
    check_known(params, {"name", "page", "per_page", "sort", "reason"})
    name = (params.get("name") or "").strip()
    if not name:
        raise ApiError(422, "nombre_requerido", "Indique el nombre del ciudadano («name»).")
    reason = reason_of(params, "Historial del ciudadano")
    call = request.app.state.call
    filters = await resolve_citizen_filters(call, user, {}, {"name": name}, reason)
    answer = paginated(request.url, _history(await call(
        "routing", "query_reports", actor_of(user), filters, integer(params, "page", 1),
        integer(params, "per_page", 50), params.get("sort") or "-created_at")))
    return answer | {"citizen_numbers": filters["citizen_numbers"]}

