"""Exports of "Consultas y reportes" and work orders (orden de trabajo):

- ``GET /v1/reports/export.xlsx`` and ``GET /v1/reports/export.csv``: every report of a
  Consultas query (the same query parameters as ``GET /v1/reports``, parsed by
  ``reports_query``), in folio order, with Spanish headings;
- ``GET /v1/reports/{folio}/work-order.pdf``: the work order of one report;
- ``POST /v1/reports/work-orders.pdf``: one PDF with a page per report, for ``folios`` or
  ``filters`` (at most ``MAX_BATCH``; 422 ``demasiados_reportes`` above).

Readers and scoping are those of the Consultas query (``reports_query.READ_ROLES``;
routing scopes the rows: agency staff their agency's and those shared with it, block
leaders their own). Citizens' names and phones come through citizens' logged reads
(``get_citizens`` with a reason) only for users allowed personal data; auditors get no
citizen column at all. ``hide_citizen_data`` / ``hide_citizen_name`` / ``hide_map`` drop
columns. Every export lands in the audit log (who, filters, rows)."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import tempfile
from typing import Annotated, Any, Mapping

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.datastructures import ImmutableMultiDict

from ..auth import User, audit_event, require_roles
from ..errors import ApiError
from ..exports import MAX_BATCH, MEDIA_TYPES, WorkOrder, columns_for, download, tracking_url, write_work_orders
from ..settings import LOCAL_TZ
from ..exports.pipeline import CsvStream, build_xlsx, export_pages
from ..exports.xlsx_writer import remove
from . import reports_query as consultas_route
from ..report_view import interventions_of, received_of
from ..reports_query import (CONSULTAS_FILTERS, READ_ROLES, actor_of, attach_citizens, flag, may_see_personal_data,
                             parse_filters, reason_of, resolve_citizen_filters)

router = APIRouter(prefix="/v1/reports", tags=["exportaciones"])

#: the query parameters of an export: those of GET /v1/reports but paging and grouping
_EXPORT_PARAMS = [p for p in consultas_route._CONSULTAS
                  if p["name"] not in {"page", "per_page", "sort", "grouped", "group_by"}]

Reader = Annotated[User, Depends(require_roles(*READ_ROLES))]

XLSX, CSV, PDF = MEDIA_TYPES["xlsx"], MEDIA_TYPES["csv"], MEDIA_TYPES["pdf"]
#: citizens' get_citizens answers at most 500 numbers per call
CITIZENS_PER_CALL = 500


# --------------------------------------------------------------------------- helpers

class Options(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hide_citizen_data: bool = Field(default=False, description="sin datos del ciudadano (ni su número)")
    hide_citizen_name: bool = Field(default=False, description="sin el nombre del ciudadano")
    reason: str | None = Field(default=None, min_length=3, max_length=500,
                               description="motivo de la consulta de datos personales (bitácora)")


def _stamp() -> str:
    return dt.datetime.now(LOCAL_TZ).strftime("%Y%m%d-%H%M")


def _audit_filters(filters: dict, criteria: dict | None = None) -> dict:
    """Filters as the audit log keeps them: JSON values; citizen criteria by name only
    (which criteria, not the name searched: that is personal data)."""
    out = {k: v for k, v in filters.items() if k != "citizen_numbers"}
    if "citizen_numbers" in filters:
        out["citizen_numbers_count"] = len(filters["citizen_numbers"])
    if criteria:
        out["citizen_criteria"] = sorted(criteria)
    return json.loads(json.dumps(out, default=str))


def _enricher(request: Request, user: User, reason: str, hide_citizen_data: bool, hide_citizen_name: bool):
    """The citizen columns of a page, through citizens' logged reads (≤ 500 numbers a call),
    or None when no citizen column is read at all."""
    if hide_citizen_data or not may_see_personal_data(user):
        return None
    call = request.app.state.call

    async def enrich(rows: list[dict]) -> list[dict]:
        await asyncio.gather(*(attach_citizens(call, user, rows[i:i + CITIZENS_PER_CALL], reason=reason,
                                               hide_citizen_name=hide_citizen_name)
                               for i in range(0, len(rows), CITIZENS_PER_CALL)))
        return rows
    return enrich


async def _count(request: Request, user: User, filters: dict) -> int:
    """How many reports the query has (and routing's checks of filters and scope, before
    any byte is sent)."""
    answer = await request.app.state.call("routing", "query_reports", actor_of(user), filters, 1, 1, "folio")
    return int(answer["total"])


async def _consultas(request: Request, user: User) -> tuple[dict, dict, str, Mapping]:
    params = request.query_params
    filters, criteria = parse_filters(params, CONSULTAS_FILTERS)
    reason = reason_of(params, "Exportación de Consultas y reportes")
    filters = await resolve_citizen_filters(request.app.state.call, user, filters, criteria, reason)
    return filters, criteria, reason, params


def _too_many(total: int, cap: int, what: str) -> ApiError:
    return ApiError(422, "demasiados_reportes",
                    f"La consulta tiene {total:,} reportes y {what} admite hasta {cap:,}: acote los filtros "
                    "(fechas, dependencia, estatus…).")


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
    filters, criteria, reason, params = await _consultas(request, user)
    hide_data, hide_name = flag(params, "hide_citizen_data"), flag(params, "hide_citizen_name")
    columns = columns_for(may_see_personal_data(user), hide_data, hide_name, flag(params, "hide_map"))
    settings = request.app.state.auth.settings
    total = await _count(request, user, filters)
    if total > settings.export_max_rows:
        raise _too_many(total, settings.export_max_rows, "una exportación")
    pages = export_pages(request.app.state.call, actor_of(user), filters,
                         enrich=_enricher(request, user, reason, hide_data, hide_name))
    detail = {"format": fmt, "filters": _audit_filters(filters, criteria), "hide_citizen_data": hide_data,
              "hide_citizen_name": hide_name, "columns": [c.key for c in columns]}
    filename = f"consulta-de-reportes-{_stamp()}.{fmt}"
    if fmt == "xlsx":
        path, rows = await build_xlsx(columns, pages)
        await audit_event(request, "reports.exported", detail=detail | {"rows": rows})
        return download(None, XLSX, filename, path=path)
    # CSV streams as it is read: audited before the first byte, with the rows counted
    await audit_event(request, "reports.exported", detail=detail | {"rows": total})
    return download(CsvStream(columns, pages), CSV, filename)


# --------------------------------------------------------------------------- work orders

class WorkOrdersIn(Options):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"folios": [373742, 373741]},
        {"filters": {"date_from": "2026-11-30", "date_to": "2026-11-30", "status": ["captured"],
                     "department": "OP-ALUMBRADO"}, "hide_citizen_name": True}]})
    folios: list[int] | None = Field(default=None, min_length=1, description=f"folios (hasta {MAX_BATCH})")
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
    call = request.app.state.call
    answer = await call("routing", "export_reports", actor_of(user), {"folios": [folio]}, None, 1)
    if not answer["items"]:  # not there, or not for this reader (routing decides)
        raise ApiError(404, "reporte_no_encontrado", f"No existe el reporte con folio {folio}.")
    return await _work_orders(request, user, answer["items"], options, f"orden-de-trabajo-{folio}.pdf",
                              {"folios": [folio]})


@router.post("/work-orders.pdf", summary=f"Órdenes de trabajo (un PDF, una página por reporte; hasta {MAX_BATCH})",
             response_class=StreamingResponse, responses={200: {"content": {PDF: {}}}})
async def work_orders(body: WorkOrdersIn, request: Request, user: Reader):
    """Por lista de folios o por los filtros de la consulta; más de 500 reportes es 422
    ``demasiados_reportes``; un folio que no existe o que no le corresponde, 404
    ``reportes_no_encontrados`` con la lista."""
    call, actor = request.app.state.call, actor_of(user)
    if body.folios is not None:
        folios = list(dict.fromkeys(body.folios))
        if len(folios) > MAX_BATCH:
            raise _too_many(len(folios), MAX_BATCH, "un PDF de órdenes de trabajo")
        if any(f < 1 for f in folios):
            raise ApiError(422, "folio_invalido", "Los folios son enteros positivos.")
        rows = (await call("routing", "export_reports", actor, {"folios": folios}, None, MAX_BATCH))["items"]
        missing = sorted(set(folios) - {r["folio"] for r in rows})
        if missing:
            raise ApiError(404, "reportes_no_encontrados", "No existen o no le corresponden los folios: "
                           + ", ".join(map(str, missing[:50])) + ("…" if len(missing) > 50 else "") + ".")
        order = {f: i for i, f in enumerate(folios)}
        rows.sort(key=lambda r: order[r["folio"]])
        audited = {"folios": folios}
    else:
        filters, criteria = parse_filters(_as_params(body.filters), CONSULTAS_FILTERS)
        reason = body.reason or "Órdenes de trabajo"
        filters = await resolve_citizen_filters(call, user, filters, criteria, reason)
        total = await _count(request, user, filters)
        if total > MAX_BATCH:
            raise _too_many(total, MAX_BATCH, "un PDF de órdenes de trabajo")
        rows = (await call("routing", "export_reports", actor, filters, None, MAX_BATCH))["items"] if total else []
        audited = {"filters": _audit_filters(filters, criteria)}
    return await _work_orders(request, user, rows, body, f"ordenes-de-trabajo-{_stamp()}.pdf", audited)


async def _work_orders(request: Request, user: User, rows: list[dict], options: Options, filename: str,
                       audited: dict) -> StreamingResponse:
    call, actor = request.app.state.call, actor_of(user)
    folios = [r["folio"] for r in rows]
    reason = options.reason or "Orden de trabajo"
    personal = may_see_personal_data(user) and not options.hide_citizen_data
    if personal:
        enrich = _enricher(request, user, reason, options.hide_citizen_data, options.hide_citizen_name)
        await enrich(rows)
    by_folio, notes = await asyncio.gather(received_of(call, folios, with_token=True),
                                           interventions_of(call, folios, actor))
    public_url = request.app.state.auth.settings.public_url
    orders = [_order(row, by_folio.get(row["folio"], {}), notes.get(row["folio"], []), personal,
                     options.hide_citizen_name, public_url) for row in rows]
    path = await asyncio.to_thread(_pdf_file, orders)
    await audit_event(request, "reports.work_orders_printed",
                      detail=audited | {"rows": len(orders), "hide_citizen_data": options.hide_citizen_data,
                                        "hide_citizen_name": options.hide_citizen_name,
                                        "citizen_data": personal})
    return download(None, PDF, filename, path=path)


def _order(row: dict, received: dict, interventions: list[dict], personal: bool, hide_name: bool,
           public_url: str) -> WorkOrder:
    location = received.get("location") or {}
    citizen = None
    if personal and row.get("citizen_number"):
        citizen = {"number": row["citizen_number"], "phone": row.get("citizen_phone")}
        if not hide_name:
            citizen["name"] = row.get("citizen_name")
    token = received.get("tracking_token")
    return WorkOrder(
        folio=row["folio"], petition_type=row.get("petition_type"), status=row.get("status"), kind=row.get("kind"),
        channel=row.get("channel"), agency=row.get("agency"), department=row.get("department"),
        traffic_light=row.get("traffic_light"), viability=row.get("viability"), created_at=row.get("created_at"),
        due_at=row.get("due_at"), closed_at=row.get("closed_at"), street=location.get("street") or row.get("street"),
        number=location.get("number"), colonia=location.get("colonia") or row.get("colonia"),
        references=location.get("references"), lat=row.get("lat"), lon=row.get("lon"),
        description=received.get("description"), created_by=row.get("created_by"), citizen=citizen,
        interventions=interventions, tracking_url=tracking_url(public_url, row["folio"], token) if token else None)


def _pdf_file(orders: list[WorkOrder]) -> str:
    fd, path = tempfile.mkstemp(prefix="sac-work-orders-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as out:
            write_work_orders(orders, out)
    except BaseException:
        remove(path)
        raise
    return path
