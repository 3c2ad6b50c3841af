"""/v1/stats: the Estadístico, compliance, productivity, geography, channel interactions,
monthly closures, indicators (staff; stats decides what each role reads and writes), the public
transparency page and open data (no login; cached and rate limited), and the endpoint
where a partner channel reports its interactions with its channel key.

Every table answers JSON, or CSV/XLSX with ``format=csv|xlsx`` as stats renders it
(``stats.table_file``: Spanish headings); open data's CSV and JSON are stats' too."""
from __future__ import annotations

import base64
import datetime as dt
import json
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..auth import PUBLIC, CurrentUser, Principal, actor_of, apikeys, staff_or_key
from ..auth.apikeys import RateLimiter
from ..auth.deps import client_ip
from ..errors import ApiError
from ..exports import service_file
from ..schemas import Summary


router = APIRouter(prefix="/v1/stats", tags=["estadísticas"])
Format = Literal["json", "csv", "xlsx"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

def no_nul(*values) -> None:
    """PostgreSQL text cannot hold U+0000: refused here as bad input (422), not a 502 later."""
    if any(isinstance(v, str) and "\x00" in v for v in values):
        raise ApiError(422, "datos_invalidos", "El texto no puede contener el carácter nulo (U+0000).")


async def _call(request: Request, method: str, *args):
    return await request.app.state.call("stats", method, *args)


async def answer(request: Request, user, fmt: str, method: str, *args):
    """Stats' table ``method`` as JSON, or as the CSV/XLSX file stats renders of its rows."""
    if fmt == "json":
        return await _call(request, method, actor_of(user), *args)
    return service_file(await _call(request, "table_file", actor_of(user), method, list(args), fmt))


def _responses(example: dict) -> dict:
    return {200: {"description": "Resultado (JSON, o CSV/XLSX con format)",
                  "content": {"application/json": {"example": example}, "text/csv": {"schema": {"type": "string"}},
                              XLSX: {"schema": {"type": "string", "format": "binary"}}}}}


class StatsParams:
    """The query parameters of the Estadístico (each route reads those it needs)."""

    def __init__(self,
                 date_from: Annotated[dt.date | None, Query(description="desde el día (AAAA-MM-DD), incluido")] = None,
                 date_to: Annotated[dt.date | None, Query(description="hasta el día, incluido")] = None,
                 basis: Annotated[Literal["created", "event"], Query(
                     description="created: por fecha de captura (estatus actual); event: por la fecha real de "
                                 "cada evento (recibido, iniciado, terminado, no viable)")] = "created",
                 group_by: Annotated[str | None, Query(max_length=40, description=(
                     "agency, department, petition_type, kind, channel, colonia, zone, created_by (usuario), "
                     "status"))] = None,
                 status: Annotated[list[Literal["captured", "in_progress", "done", "not_viable"]] | None,
                                   Query(description="estatus a contar (repetido)")] = None,
                 agency: Annotated[str | None, Query(max_length=40, description="dependencia")] = None,
                 department: Annotated[str | None, Query(max_length=60)] = None,
                 petition_type: Annotated[str | None, Query(max_length=200)] = None,
                 kind: Annotated[str | None, Query(max_length=20, description="Trámite o Servicio")] = None,
                 channel: Annotated[str | None, Query(max_length=40, description="origen")] = None,
                 colonia: Annotated[str | None, Query(max_length=120)] = None,
                 zone: Annotated[str | None, Query(max_length=120)] = None,
                 user: Annotated[str | None, Query(max_length=120, description="usuario que capturó")] = None,
                 format: Annotated[Format, Query(description="json, csv o xlsx")] = "json"):
        self.format = format
        no_nul(group_by, agency, department, petition_type, kind, channel, colonia, zone, user)
        self.params = {k: v for k, v in {
            "date_from": date_from.isoformat() if date_from else None,
            "date_to": date_to.isoformat() if date_to else None, "basis": basis, "group_by": group_by,
            "status": list(status) if status else None, "agency": agency, "department": department,
            "petition_type": petition_type, "kind": kind, "channel": channel, "colonia": colonia, "zone": zone,
            "created_by": user}.items() if v is not None}


Params = Annotated[StatsParams, Depends()]
TOTALS_EXAMPLE = {"group_by": "channel", "basis": "created", "agency": None, "date_from": "2026-01-01",
                  "date_to": "2026-12-31", "source": "agregados", "total": 1200, "rows": [
                      {"key": "MIERCOLES CIUDADANO", "total": 595, "captured": 20, "in_progress": 75, "done": 480,
                       "not_viable": 20}]}


@router.get("/summary", response_model=Summary, summary="Resumen público de transparencia")
async def summary(request: Request):
    return await _call(request, "summary")


def _interval(interval: Annotated[Literal["day", "week", "month"], Query()] = "month") -> dict:
    return {"interval": interval}


def _level(level: Annotated[Literal["colonia", "zone"], Query()] = "colonia") -> dict:
    return {"level": level}


def _as_of(as_of: Annotated[dt.datetime | None, Query(description="abiertos vencidos a esta hora")] = None) -> dict:
    return {"as_of": as_of.isoformat()} if as_of else {}


def _nothing() -> dict:
    return {}


def table_route(path: str, method: str, summary: str, example: dict, extra=_nothing) -> None:
    """``GET /v1/stats{path}``: stats' ``method`` with the Estadístico's parameters (and
    ``extra``'s), as JSON or, with ``format``, the CSV/XLSX stats renders."""
    async def route(request: Request, user: CurrentUser, q: Params, more: dict = Depends(extra)):
        return await answer(request, user, q.format, method, q.params | more)
    router.add_api_route(path, route, methods=["GET"], name=method, summary=summary, responses=_responses(example))


COMPLIANCE_EXAMPLE = {"group_by": "department", "as_of": "2026-12-07T12:00:00+00:00", "rows": [
    {"key": "OP-ALUMBRADO", "finished": 120, "on_time": 96, "share_on_time": 0.8, "ci95_low": 0.7206,
     "ci95_high": 0.8613, "mean_hours": 70.2, "median_hours": 50.5, "mean_business_hours": 21.3,
     "median_business_hours": 16.4, "open_overdue": 4}]}

table_route("/totals", "totals", "Totales por periodo, filtrados y agrupados (Estadístico)", TOTALS_EXAMPLE)
table_route("/status-by-agency", "status_by_agency", "Estatus por dependencia",
            TOTALS_EXAMPLE | {"group_by": "agency", "statuses": ["captured", "in_progress", "done", "not_viable"]})
table_route("/time-series", "time_series", "Serie de tiempo por día, semana o mes", {
    "interval": "month", "basis": "created", "rows": [{"period": "2026-11-01", "total": 93, "captured": 3,
                                                       "in_progress": 10, "done": 78, "not_viable": 2}]}, _interval)
table_route("/shares", "shares", "Participación de cada canal (u otra dimensión) en el total",
            TOTALS_EXAMPLE | {"rows": [{"key": "MIERCOLES CIUDADANO", "total": 595, "share": 0.4958, "percent": 49.58}]})
table_route("/compliance", "compliance",
            "Cumplimiento por dependencia, departamento, tipo de petición, colonia o zona", COMPLIANCE_EXAMPLE, _as_of)
table_route("/productivity", "productivity", "Productividad por usuario", {
    "date_from": "2026-11-01", "date_to": "2026-11-30", "rows": [
        {"key": "operator", "captured": 310, "interventions": 0, "finished": 0}]})
table_route("/geography", "geography", "Reportes y cumplimiento por colonia o zona, con GeoJSON", {
    "level": "colonia", "rows": [{"key": "CENTRO", "total": 40, "rank": 1, "lat": 21.1221, "lon": -101.6824}],
    "geojson": {"type": "FeatureCollection", "features": []}}, _level)
table_route("/channel-interactions", "channel_interactions",
            "Interacciones del chatbot y el chat por opción", {"total": 2, "rows": [
                {"channel": "CHATBOT", "option": "report_status", "outcome": "completed", "total": 2,
                 "conversations": 2}]})
table_route("/directory-usage", "directory_usage",
            "Consultas e impresiones del directorio (MODINFO) por canal",
            {"rows": [{"kind": "ticket_printed", "channel": "VENTANILLA", "total": 12}]})


@router.get("/geography.geojson", summary="Mapa de colonias o zonas (GeoJSON)",
            responses={200: {"content": {"application/geo+json": {"example": {
                "type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {
                    "type": "Point", "coordinates": [-101.68, 21.12]}, "properties": {"key": "CENTRO", "total": 40}}]}}}}})
async def geography_geojson(request: Request, user: CurrentUser, q: Params, level: Annotated[dict, Depends(_level)]):
    result = await _call(request, "geography", actor_of(user), q.params | level)
    return Response(json.dumps(result["geojson"], ensure_ascii=False), media_type="application/geo+json")


# --------------------------------------------------------------------------- channel interactions in


class Interaction(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"option": "report_status", "outcome": "completed", "conversation_id": "c0nv-7f3a9b21", "folio": 12}]})
    option: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,59}$", description="opción del menú o intención")
    outcome: Literal["completed", "abandoned", "handed_off", "failed"]
    conversation_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{8,64}$",
                                        description="id opaco de la conversación (nunca un teléfono)")
    folio: int | None = Field(default=None, ge=1, le=2 ** 63 - 1)
    occurred_at: dt.datetime | None = Field(default=None, description="por omisión, ahora")


ChannelKey = Annotated[Principal, Depends(staff_or_key(staff=False, kinds=(apikeys.CHANNEL,)))]


@router.post("/channel-interactions", status_code=202, summary="Registrar una interacción de un canal asociado",
             responses={202: {"content": {"application/json": {"example": {"event_id": "5d0f8e2a-…",
                                                                            "channel": "CHATBOT"}}}}})
async def record_interaction(request: Request, body: Interaction, key: ChannelKey):
    """A partner channel (its API key's channel) reports one interaction; no personal data.
    Stats counts it (``record_interaction``: as the channel services' events)."""
    return await _call(request, "record_interaction", actor_of(key), body.model_dump(mode="json"))


# --------------------------------------------------------------------------- monthly closures


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"agency": "OP", "month": "2026-11"}, {"agency": "OP", "month": "2026-11", "reason": "Reasignación tardía"}]})
    agency: str = Field(min_length=1, max_length=40)
    month: str = Field(pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", description="AAAA-MM (un mes ya terminado)")
    reason: str | None = Field(default=None, min_length=1, max_length=500,
                               description="motivo de la corrección (obligatorio si ya existe un cierre)")


CLOSURE_EXAMPLE = {"id": 1, "agency": "OP", "month": "2026-11", "version": 1, "reason": None,
                   "generated_by": "supervisor", "generated_at": "2026-12-01T06:00:00+00:00",
                   "figures": {"received": 1873, "finished": 1650}}


@router.post("/closures", status_code=201, summary="Generar ahora (o corregir) el cierre mensual de una dependencia",
             responses={201: {"content": {"application/json": {"example": CLOSURE_EXAMPLE}}}})
async def generate_closure(request: Request, body: ClosureIn, user: CurrentUser):
    no_nul(body.agency, body.reason)
    return await _call(request, "generate_closure", actor_of(user), body.agency, body.month, body.reason)


@router.get("/closures", summary="Cierres mensuales", responses=_responses({"rows": [CLOSURE_EXAMPLE]}))
async def list_closures(request: Request, user: CurrentUser,
                        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                        agency: Annotated[str | None, Query(max_length=40)] = None,
                        format: Annotated[Format, Query()] = "json"):
    no_nul(agency)
    params = {k: v for k, v in {"year": year, "agency": agency}.items() if v is not None}
    return await answer(request, user, format, "list_closures", params)


@router.get("/closures/{agency}/{month}", summary="Un cierre mensual (JSON, PDF o XLSX)",
            responses={200: {"content": {"application/json": {"example": CLOSURE_EXAMPLE},
                                         "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                                         XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
async def get_closure(request: Request, user: CurrentUser,
                      agency: Annotated[str, Path(max_length=40)],
                      month: Annotated[str, Path(pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$")],
                      version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
                      format: Annotated[Literal["json", "pdf", "xlsx"], Query()] = "json"):
    no_nul(agency)
    result = await _call(request, "get_closure", actor_of(user), agency, month, version, format)
    return result if format == "json" else service_file(result)


# --------------------------------------------------------------------------- indicators


class IndicatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Llamadas de verificación", "formula": "count_follow_up_calls", "params": {"kind": "verification"},
         "frequency": "monthly", "baseline": 10, "goal": 20, "goal_direction": "at_least"}]})
    name: str = Field(min_length=3, max_length=200)
    formula: str = Field(max_length=60, description="attended_over_received, count_received, count_finished, "
                                                    "share_on_time, count_follow_up_calls")
    params: dict[str, str] = Field(default_factory=dict, description="kind (llamadas)")
    frequency: Literal["monthly"] = "monthly"
    baseline: float | None = None
    goal: float | None = None
    goal_direction: Literal["at_least", "at_most"] = "at_least"


INDICATOR_EXAMPLE = {"code": "atendidas_recibidas", "name": "Solicitudes atendidas / recibidas",
                     "formula": "attended_over_received", "params": {}, "frequency": "monthly", "baseline": 0.8,
                     "goal": 0.9, "goal_direction": "at_least"}


@router.get("/indicators", summary="Indicadores definidos", responses=_responses({"rows": [INDICATOR_EXAMPLE]}))
async def list_indicators(request: Request, user: CurrentUser, format: Annotated[Format, Query()] = "json"):
    return await answer(request, user, format, "list_indicators")


@router.put("/indicators/{code}", summary="Definir o cambiar un indicador",
            responses={200: {"content": {"application/json": {"example": INDICATOR_EXAMPLE}}}})
async def upsert_indicator(request: Request, body: IndicatorIn, user: CurrentUser,
                           code: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{2,59}$")]):
    no_nul(body.name, body.formula, *body.params.keys(), *body.params.values())
    return await _call(request, "upsert_indicator", actor_of(user), {"code": code} | body.model_dump())


@router.get("/indicators/{code}/values", summary="Valores mensuales de un indicador y si cumplió la meta",
            responses=_responses({"indicator": INDICATOR_EXAMPLE, "year": 2026, "rows": [
                {"month": "2026-11", "value": 0.93, "numerator": 930, "denominator": 1000, "goal": 0.9,
                 "met": True}]}))
async def indicator_values(request: Request, user: CurrentUser,
                           code: Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{2,59}$")],
                           year: Annotated[int, Query(ge=2000, le=2100)],
                           agency: Annotated[str | None, Query(max_length=40)] = None,
                           format: Annotated[Format, Query()] = "json"):
    no_nul(agency)
    return await answer(request, user, format, "indicator_values", code, year, agency)


# --------------------------------------------------------------------------- public: transparency, open data

CACHE_SECONDS = 60
_limiter = RateLimiter()
PUBLIC_PER_MINUTE = {"transparency": 60, "open-data": 10}


class _Cache:
    def __init__(self, size: int = 64):
        self.size, self.items = size, {}

    def get(self, key):
        hit = self.items.get(key)
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def put(self, key, value):
        if len(self.items) >= self.size:
            self.items.pop(next(iter(self.items)))
        self.items[key] = (time.monotonic() + CACHE_SECONDS, value)


_cache = _Cache()


def limit(request: Request, family: str) -> None:
    wait = _limiter.take(f"{family}:{client_ip(request)}", PUBLIC_PER_MINUTE[family])
    if wait is not None:
        retry = RateLimiter.retry_after(wait)
        raise ApiError(429, "limite_excedido", f"Demasiadas solicitudes desde su dirección; intente de nuevo "
                                                     f"en {retry} s.", {"Retry-After": retry})


@router.get("/transparency", summary="Transparencia: cifras públicas, sin inicio de sesión",
            responses={200: {"content": {"application/json": {"example": {
                "total": 1200, "in_progress": 95, "resolved": 1080, "not_viable": 25,
                "most_demanded": {"petition_type": "OP-LAMPARA APAGADA", "total": 310}, "area_level": "colonia",
                "by_area": [{"area": "CENTRO", "total": 80}], "compliance_by_agency": [
                    {"agency": "OP", "finished": 500, "share_on_time": 0.82}]}}}}})
async def transparency(request: Request, response: Response):
    limit(request, "transparency")
    hit = _cache.get("transparency")
    if hit is None:
        hit = await _call(request, "transparency", PUBLIC)
        _cache.put("transparency", hit)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    return hit


OPEN_DATA_MEDIA = {"json": ("application/json", {}),
                   "csv": ("text/csv; charset=utf-8", {"Content-Disposition": 'attachment; filename="datos-abiertos.csv"'})}


async def _open_data_pages(request: Request, date_from, date_to, fmt: str):
    """Stats' open data file (``open_data_file``) piece by piece, each page cached a minute."""
    after = 0
    while after is not None:
        params = {"after": after, "limit": 5000} | {k: v.isoformat() for k, v in
                                                    (("date_from", date_from), ("date_to", date_to)) if v}
        key = ("open_data_file", fmt, json.dumps(params, sort_keys=True))
        page = _cache.get(key)
        if page is None:
            page = await _call(request, "open_data_file", PUBLIC, params, fmt)
            _cache.put(key, page)
        yield base64.b64decode(page["content_b64"])
        after = page["next_after"]


async def _open_data(request: Request, date_from, date_to, fmt: str) -> StreamingResponse:
    limit(request, "open-data")
    pages = _open_data_pages(request, date_from, date_to, fmt)
    first = await pages.__anext__()  # errors (bad range) answer before the body starts

    async def body():
        yield first
        async for piece in pages:
            yield piece
    media_type, headers = OPEN_DATA_MEDIA[fmt]
    return StreamingResponse(body(), media_type=media_type,
                             headers=headers | {"Cache-Control": f"public, max-age={CACHE_SECONDS}"})


OPEN_DATA_EXAMPLE = [{"folio": 12, "created_date": "2026-11-10", "petition_type": "OP-LAMPARA APAGADA",
                      "kind": "Servicio", "channel": "072", "agency": "OP", "department": "OP-ALUMBRADO",
                      "colonia": "CENTRO", "zone": None, "lat": 21.122, "lon": -101.682, "status": "done",
                      "closed_date": "2026-11-12", "on_time": True}]


@router.get("/open-data.json", summary="Datos abiertos (JSON): sin datos personales, ubicación a ~100 m",
            responses={200: {"content": {"application/json": {"example": OPEN_DATA_EXAMPLE}}}})
async def open_data_json(request: Request, date_from: Annotated[dt.date | None, Query()] = None,
                         date_to: Annotated[dt.date | None, Query()] = None):
    return await _open_data(request, date_from, date_to, "json")


@router.get("/open-data.csv", summary="Datos abiertos (CSV): sin datos personales, ubicación a ~100 m",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
async def open_data_csv(request: Request, date_from: Annotated[dt.date | None, Query()] = None,
                        date_to: Annotated[dt.date | None, Query()] = None):
    return await _open_data(request, date_from, date_to, "csv")
