"""Exports of "Consultas y reportes" and work orders (orden de trabajo), rendered by
routing (which owns the lists of reports: columns, CSV/XLSX, the PDF, who may see which
rows and the citizen's name) and streamed here:

- ``GET /v1/reports/export.xlsx`` and ``GET /v1/reports/export.csv``: every report of a
  Consultas query (the same query parameters as ``GET /v1/reports``, parsed by
  ``reports_query``), in folio order, with Spanish headings; the CSV is sent page by page
  as routing renders it (``routing.export_csv_page``), the next page asked for while one
  is sent;
- ``GET /v1/reports/{folio}/work-order.pdf``: the work order of one report;
- ``POST /v1/reports/work-orders.pdf``: one PDF with a page per report, for ``folios`` or
  ``filters`` (at most 500; 422 ``demasiados_reportes`` above).

The gateway parses the query into routing's filters (routing resolves the citizen
criteria — name, sex, age — through citizens), passes the actor and the options
(``hide_citizen_data``, ``hide_citizen_name``, ``hide_map``, ``reason``) and writes every
export to the audit log (who, filters, rows)."""
from __future__ import annotations

import asyncio
import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.datastructures import ImmutableMultiDict

from ..auth import CurrentUser, User, actor_of, audit_event
from ..errors import ApiError
from ..exports import MEDIA_TYPES, download, service_file
from . import reports_query as consultas_route
from ..reports_query import CONSULTAS_FILTERS, options_of, parse_filters, reason_of

router = APIRouter(prefix="/v1/reports", tags=["exportaciones"])

#: the query parameters of an export: those of GET /v1/reports but paging and grouping
_EXPORT_PARAMS = [p for p in consultas_route._CONSULTAS
                  if p["name"] not in {"page", "per_page", "sort", "grouped", "group_by"}]

#: any staff user: routing decides which reports each may export (``policy.list_scope``)
Reader = CurrentUser

XLSX, CSV, PDF = MEDIA_TYPES["xlsx"], MEDIA_TYPES["csv"], MEDIA_TYPES["pdf"]
#: a workbook or a PDF of 500 reports takes routing a while to render
RENDER_TIMEOUT = 600.0


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hide_citizen_data: bool = Field(default=False, description="sin datos del ciudadano (ni su número)")
    hide_citizen_name: bool = Field(default=False, description="sin el nombre del ciudadano")
    reason: str | None = Field(default=None, min_length=3, max_length=500,
                               description="motivo de la consulta de datos personales (bitácora)")


def _audit_filters(filters: dict) -> dict:
    """Filters as the audit log keeps them: JSON values; citizen numbers counted, citizen
    criteria by name only (which criteria, not the name searched: that is personal data)."""
    out = {k: v for k, v in filters.items() if k not in ("citizen_numbers", "citizen")}
    if "citizen_numbers" in filters:
        out["citizen_numbers_count"] = len(filters["citizen_numbers"])
    if filters.get("citizen"):
        out["citizen_criteria"] = sorted(filters["citizen"])
    return json.loads(json.dumps(out, default=str))


# --------------------------------------------------------------------------- XLSX / CSV

@router.get("/export.xlsx", summary="Exportar una consulta a Excel (XLSX), con los filtros de GET /v1/reports",
            response_class=StreamingResponse, responses={200: {"content": {XLSX: {}}}},
            openapi_extra={"parameters": _EXPORT_PARAMS})
async def export_xlsx(request: Request, user: Reader):
    """Todos los reportes de la consulta en orden de folio; encabezados en español; fechas
    en hora de la ciudad. ``hide_citizen_data``, ``hide_citizen_name``, ``hide_map``."""
    return await _export(request, user, "xlsx")


@router.get("/export.csv", summary="Exportar una consulta a CSV (UTF-8 con BOM), con los filtros de GET /v1/reports",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}},
            openapi_extra={"parameters": _EXPORT_PARAMS})
async def export_csv(request: Request, user: Reader):
    """Como ``export.xlsx``, en CSV separado por comas que Excel abre con acentos."""
    return await _export(request, user, "csv")


async def _export(request: Request, user: User, fmt: str):
    call, actor, params = request.app.state.call, actor_of(user), request.query_params
    filters = parse_filters(params, CONSULTAS_FILTERS)
    options = options_of(params, reason_of(params, "Exportación de Consultas y reportes"))
    if fmt == "xlsx":
        out = await call("routing", "export_xlsx", actor, filters, options, timeout=RENDER_TIMEOUT)
    else:  # the first page: routing's checks and the cap before any byte, the rest as it is sent
        out = await call("routing", "export_csv_page", actor, filters, options, None)
    detail = {"format": fmt, "filters": _audit_filters(filters), "columns": out["columns"],
              "rows": out["rows"] if fmt == "xlsx" else out["total"]} | {
        k: options[k] for k in ("hide_citizen_data", "hide_citizen_name")}
    await audit_event(request, "reports.exported", detail=detail)
    if fmt == "xlsx":
        return service_file(out)
    # the next pages with the filters as routing resolved them (citizens asked once)
    return download(_csv_pages(call, actor, out.get("filters", filters), options, out), CSV, out["filename"])


async def _csv_pages(call, actor: dict, filters: dict, options: dict, first: dict):
    """The CSV's bytes page by page, the next page asked of routing while one is sent."""
    out, fetch = first, None
    try:
        while True:
            after = out.get("next_after")
            fetch = (asyncio.ensure_future(call("routing", "export_csv_page", actor, filters, options, after))
                     if after is not None else None)
            yield base64.b64decode(out["content_b64"])
            if fetch is None:
                return
            out = await fetch
    finally:
        if fetch is not None and not fetch.done():
            fetch.cancel()


# --------------------------------------------------------------------------- work orders

class WorkOrdersIn(Options):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"folios": [373742, 373741]},
        {"filters": {"date_from": "2026-11-30", "date_to": "2026-11-30", "status": ["captured"],
                     "department": "OP-ALUMBRADO"}, "hide_citizen_name": True}]})
    folios: list[int] | None = Field(default=None, min_length=1, description="folios (hasta 500)")
    filters: dict[str, Any] | None = Field(
        default=None, description="los filtros de GET /v1/reports como objeto (valores texto, número, booleano o "
                                  "lista), p. ej. {\"status\": [\"captured\"], \"department\": \"OP-ALUMBRADO\"}")

    @model_validator(mode="after")
    def one_selection(self):
        if (self.folios is None) == (self.filters is None):
            raise ValueError("indique «folios» o «filters» (uno de los dos)")
        return self


def _as_params(data: dict) -> ImmutableMultiDict:
    """A JSON object of filters read like query parameters (``get``, ``getlist``)."""
    items = []
    for key, value in data.items():
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, (dict, list)):
                raise ApiError(422, "filtro_invalido", f"El filtro «{key}» tiene un valor inválido.")
            if v is not None:
                items.append((key, "true" if v is True else "false" if v is False else str(v)))
    return ImmutableMultiDict(items)


@router.get("/{folio:int}/work-order.pdf", summary="Orden de trabajo (PDF) de un reporte",
            response_class=StreamingResponse, responses={200: {"content": {PDF: {}}}})
async def work_order(folio: int, request: Request, user: Reader, hide_citizen_data: bool = False,
                     hide_citizen_name: bool = False,
                     reason: Annotated[str | None, Query(min_length=3, max_length=500)] = None):
    """Folio, QR al seguimiento público, tipo de petición, fechas, estatus, ubicación,
    ciudadano (si su perfil lo permite), descripción e intervenciones."""
    options = Options(hide_citizen_data=hide_citizen_data, hide_citizen_name=hide_citizen_name, reason=reason)
    return await _work_orders(request, user, {"folios": [folio]}, options, {"folios": [folio]},
                              f"orden-de-trabajo-{folio}.pdf")


@router.post("/work-orders.pdf", summary="Órdenes de trabajo (un PDF, una página por reporte; hasta 500)",
             response_class=StreamingResponse, responses={200: {"content": {PDF: {}}}})
async def work_orders(body: WorkOrdersIn, request: Request, user: Reader):
    """Por lista de folios o por los filtros de la consulta; más de 500 reportes es 422
    ``demasiados_reportes``; un folio que no existe o que no le corresponde, 404
    ``reportes_no_encontrados`` con la lista."""
    if body.folios is not None:
        folios = list(dict.fromkeys(body.folios))
        return await _work_orders(request, user, {"folios": folios}, body, {"folios": folios})
    filters = parse_filters(_as_params(body.filters), CONSULTAS_FILTERS)
    return await _work_orders(request, user, {"filters": filters}, body, {"filters": _audit_filters(filters)})


async def _work_orders(request: Request, user: User, selection: dict, options: Options, audited: dict,
                       filename: str | None = None) -> StreamingResponse:
    out = await request.app.state.call("routing", "work_orders", actor_of(user), selection,
                                       options.model_dump(include={"hide_citizen_data", "hide_citizen_name",
                                                                   "reason"}), timeout=RENDER_TIMEOUT)
    await audit_event(request, "reports.work_orders_printed",
                      detail=audited | {"rows": out["rows"], "hide_citizen_data": options.hide_citizen_data,
                                        "hide_citizen_name": options.hide_citizen_name,
                                        "citizen_data": out["citizen_data"]})
    return service_file(out, filename)
