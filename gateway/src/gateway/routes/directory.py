"""/v1/directory: MODINFO, the guide of government offices, over directory's RPCs.

Staff (a token): search, the tree (expand all / collapse all), consult an office, print
its ticket with a Número de Atención (80 mm PDF, A4 PDF or plain text); supervisors and
admins maintain the guide (create, change with the version read, import/export CSV and
XLSX), read its history and the consult/print statistics and log, and export them;
auditors read. directory decides who may do what (403 ``sin_permiso`` otherwise): these
routes only authenticate and pass the actor. ``/v1/public/directory``: the public guide,
no credentials, without internal fields (extensions, person in charge)."""
from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..auth import PUBLIC, CurrentUser, actor_of, audit_event
from ..exports import MEDIA_TYPES, service_file
from .. import versioning
from ..schemas import Version, patch_of
from ..spreadsheet_upload import read_upload

router = APIRouter(tags=["directorio (MODINFO)"])

Level = Literal["MUNICIPAL", "PARAMUNICIPAL", "ESTATAL", "FEDERAL", "OTROS ORGANISMOS"]
OfficeId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,63}$", description="clave de la oficina, p. ej. dif-leon")]
Limit = Annotated[int, Query(ge=1, le=200, description="resultados por página")]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
DateParam = Annotated[dt.date, Query(description="AAAA-MM-DD, día de la ciudad")]
IMPORT_TIMEOUT = 120.0
TICKET_MEDIA = {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "text/plain": {"schema": {"type": "string"}}}
FILE_MEDIA = {"text/csv": {"schema": {"type": "string"}},
              MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}
OFFICE_EXAMPLE = {
    "id": "dif-leon", "name": "Desarrollo Integral de la Familia (DIF)", "acronym": "DIF", "level": "PARAMUNICIPAL",
    "parent_id": None, "street": "PLAZA REVOLUCION", "ext_number": "107", "int_number": "",
    "colonia": "SAN JUAN DE DIOS", "postal_code": "37004", "city": "León, Gto.",
    "phones": ["477-215-63-00", "477-215-63-01"], "extensions": ["101"], "email": "", "website": "https://dif.leon.gob.mx/",
    "hours": "8:00 AM A 3:00 PM", "person_in_charge": "DIRECTOR(A) GENERAL", "keywords": ["familia", "discapacidad"],
    "procedures": ["Credencial de discapacidad"], "active": True, "location": {"lat": 21.1197, "lon": -101.6734}}


# --------------------------------------------------------------------------- bodies

class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class OfficeIn(BaseModel):
    """An office of the guide; directory validates every field (422 with the details)."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [OFFICE_EXAMPLE]})
    id: str | None = Field(default=None, max_length=64, description="clave; se genera si falta")
    name: str = Field(max_length=250)
    acronym: str = Field(default="", max_length=30)
    level: Level
    parent_id: str | None = Field(default=None, max_length=64, description="clave de la oficina superior")
    street: str = Field(default="", max_length=200)
    ext_number: str = Field(default="", max_length=20)
    int_number: str = Field(default="", max_length=20)
    colonia: str = Field(default="", max_length=120)
    postal_code: str = Field(default="", max_length=5)
    city: str = Field(default="", max_length=120)
    phones: list[str] = Field(default=[], max_length=20)
    extensions: list[str] = Field(default=[], max_length=30)
    email: str = Field(default="", max_length=254)
    website: str = Field(default="", max_length=300)
    hours: str = Field(default="", max_length=200)
    person_in_charge: str = Field(default="", max_length=200, description="cargo (no el nombre de una persona)")
    keywords: list[str] = Field(default=[], max_length=60)
    procedures: list[str] = Field(default=[], max_length=150, description="trámites y servicios")
    active: bool = True
    location: Location | None = None


OfficePatch = patch_of(OfficeIn, "OfficePatch", {"version": 1, "hours": "Lunes a viernes de 8:00 a 15:00 h",
                                                 "phones": ["477 215 6300"]}, without=("id",), version=Version)


class ConsultIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"channel": "072"}]})
    channel: str = Field(min_length=1, max_length=40, description="origen: 072, VENTANILLA, MIERCOLES CIUDADANO…")


class TicketIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"channel": "VENTANILLA",
                                                                               "format": "thermal"}]})
    channel: str = Field(min_length=1, max_length=40, description="origen: 072, VENTANILLA, MIERCOLES CIUDADANO…")
    format: Literal["thermal", "a4", "text"] = Field(default="thermal",
                                                     description="thermal (PDF 80 mm), a4 (PDF) o text (impresora de tickets)")


# --------------------------------------------------------------------------- helpers

async def directory(request: Request, method: str, *args, **kwargs):
    return await request.app.state.call("directory", method, *args, **kwargs)


# --------------------------------------------------------------------------- guide

@router.get("/v1/directory/offices", summary="Buscar oficinas por nombre, siglas, palabra clave o trámite",
            description="Sin acentos ni mayúsculas, palabras parciales; ordenadas: nombre exacto, siglas, inicio "
                        "del nombre, palabras del nombre, palabras clave o trámites. Sin `q`: todas por nombre.")
async def search_offices(request: Request, user: CurrentUser,
                         q: Annotated[str | None, Query(max_length=200, description="texto a buscar",
                                                        examples=["dif"])] = None,
                         level: Annotated[Level | None, Query(description="nivel de gobierno")] = None,
                         parent_id: Annotated[str | None, Query(max_length=64,
                                                                description="solo debajo de esta oficina")] = None,
                         include_inactive: bool = False, limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
    return await directory(request, "search_offices", actor_of(user), q, level, parent_id, include_inactive,
                           limit, offset)


@router.get("/v1/directory/tree", summary="Árbol de oficinas: expandir todo / contraer todo")
async def office_tree(request: Request, user: CurrentUser,
                      expand: Annotated[Literal["all", "none"], Query(description="all: expandir todo; none: "
                                                                                  "contraer todo")] = "none",
                      expanded: Annotated[list[str] | None, Query(max_length=500, description="claves de las ramas "
                                                                                              "abiertas (repetido)")] = None,
                      level: Level | None = None, include_inactive: bool = False) -> dict[str, Any]:
    return await directory(request, "office_tree", actor_of(user), expand, expanded or [], level, include_inactive)


@router.post("/v1/directory/offices", status_code=201, summary="Dar de alta una oficina (supervisión, administración)")
async def create_office(body: OfficeIn, request: Request, response: Response, user: CurrentUser) -> dict[str, Any]:
    out = await directory(request, "create_office", actor_of(user), body.model_dump(mode="json"))
    await audit_event(request, "directory.office_created", target=f"office:{out['id']}", detail={"name": out["name"]})
    response.headers["Location"] = f"/v1/directory/offices/{out['id']}"
    response.headers["ETag"] = f'"{out["version"]}"'
    return out


@router.get("/v1/directory/offices/{office_id}", summary="Una oficina (sin registrar consulta)")
async def get_office(office_id: OfficeId, request: Request, response: Response, user: CurrentUser) -> dict[str, Any]:
    out = await directory(request, "get_office", actor_of(user), office_id)
    response.headers["ETag"] = f'"{out["version"]}"'
    return out


@router.patch("/v1/directory/offices/{office_id}",
              summary="Cambiar una oficina (versión leída en el cuerpo o en If-Match; 409 si cambió)")
async def update_office(office_id: OfficeId, body: OfficePatch, request: Request, response: Response,
                        user: CurrentUser, if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, mode="json")
    version = changes.pop("version", None) or versioning.parse_if_match(if_match, "de la oficina")
    out = await directory(request, "update_office", actor_of(user), office_id, changes, version)
    await audit_event(request, "directory.office_updated", target=f"office:{office_id}",
                      detail={"version": out["version"], "fields": sorted(changes)})
    response.headers["ETag"] = f'"{out["version"]}"'
    return out


@router.get("/v1/directory/offices/{office_id}/history", summary="Historial de cambios de una oficina (antes y después)")
async def office_history(office_id: OfficeId, request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    return await directory(request, "office_history", actor_of(user), office_id)


@router.post("/v1/directory/offices/{office_id}/consultations",
             summary="Consultar una oficina para atender a un ciudadano (queda registrada la consulta)")
async def consult_office(office_id: OfficeId, body: ConsultIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    return await directory(request, "consult_office", actor_of(user), office_id, body.channel)


@router.post("/v1/directory/offices/{office_id}/tickets", response_class=Response,
             summary="Imprimir el ticket de una oficina con el siguiente Número de Atención",
             description="PDF para impresora térmica de 80 mm, PDF tamaño carta/A4 o texto para impresora de "
                         "tickets. El número va también en el encabezado `X-Numero-Atencion`.",
             responses={200: {"content": TICKET_MEDIA, "headers": {"X-Numero-Atencion": {
                 "description": "Número de Atención (10 dígitos)", "schema": {"type": "string"}}}}})
async def print_ticket(office_id: OfficeId, body: TicketIn, request: Request, user: CurrentUser) -> Response:
    t = await directory(request, "print_ticket", actor_of(user), office_id, body.channel, body.format)
    return service_file(t, disposition="inline", headers={"X-Numero-Atencion": t["attention_number"]})


# --------------------------------------------------------------------------- import / export

@router.get("/v1/directory/export", response_class=StreamingResponse, summary="Exportar el directorio (CSV o XLSX)",
            responses={200: {"content": FILE_MEDIA}})
async def export_offices(request: Request, user: CurrentUser,
                         format: Annotated[Literal["csv", "xlsx"], Query(description="csv o xlsx")] = "csv") -> Response:
    out = await directory(request, "export_offices", actor_of(user), format)
    await audit_event(request, "directory.exported", target="directory:offices", detail={"format": format,
                                                                                         "rows": out["rows"]})
    return service_file(out)


@router.post("/v1/directory/import",
             summary="Importar oficinas de un CSV o XLSX (todo o nada; 422 con los errores por línea)",
             openapi_extra={"requestBody": {"content": {
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}}}},
                 "text/csv": {"schema": {"type": "string"}, "example": "clave,nombre,nivel de gobierno\r\n"
                                                                      "sat-leon,Servicio de Administración Tributaria,FEDERAL\r\n"},
                 MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}})
async def import_offices(request: Request, user: CurrentUser,
                         format: Annotated[Literal["csv", "xlsx"] | None,
                                           Query(description="csv o xlsx (por omisión: la extensión del archivo)")] = None):
    content, fmt, filename = await read_upload(request, "del directorio", format)
    # a refused file: 422 importacion_invalida, every bad line in the detail (and as ``errors``
    # where the gateway's error table passes a service's per-line report on)
    result = await directory(request, "import_offices", actor_of(user), fmt,
                             base64.b64encode(content).decode("ascii"), timeout=IMPORT_TIMEOUT)
    await audit_event(request, "directory.imported", target="directory:offices",
                      detail={"format": fmt, "filename": filename, "bytes": len(content)} | result)
    return result


# --------------------------------------------------------------------------- statistics

Group = Annotated[Literal["detail", "total", "channel"],
                  Query(description="detail: por oficina; total; channel: por origen (como la pantalla de León)")]


@router.get("/v1/directory/statistics", summary="Consultas e impresiones por rango de fechas, agrupadas")
async def consult_stats(request: Request, user: CurrentUser, date_from: DateParam, date_to: DateParam,
                        group: Group = "detail",
                        q: Annotated[str | None, Query(max_length=200, description="filtrar oficinas por nombre")] = None
                        ) -> dict[str, Any]:
    return await directory(request, "consult_stats", actor_of(user), date_from.isoformat(), date_to.isoformat(),
                           group, q)


@router.get("/v1/directory/statistics/export", response_class=StreamingResponse,
            summary="Exportar consultas e impresiones (CSV o XLSX)", responses={200: {"content": FILE_MEDIA}})
async def export_stats(request: Request, user: CurrentUser, date_from: DateParam, date_to: DateParam,
                       group: Group = "detail",
                       format: Annotated[Literal["csv", "xlsx"], Query(description="csv o xlsx")] = "xlsx",
                       q: Annotated[str | None, Query(max_length=200)] = None) -> StreamingResponse:
    out = await directory(request, "stats_file", actor_of(user), date_from.isoformat(), date_to.isoformat(), group, q,
                          format)  # directory checks the right to export and renders the file
    await audit_event(request, "directory.statistics_exported", target="directory:statistics",
                      detail={"format": format, "group": group, "rows": out["rows"]})
    return service_file(out)


@router.get("/v1/directory/log", summary="Bitácora de consultas e impresiones (origen, usuario, hora)")
async def consult_log(request: Request, user: CurrentUser, date_from: DateParam, date_to: DateParam,
                      office_id: Annotated[str | None, Query(max_length=64)] = None, limit: Limit = 50,
                      offset: Offset = 0) -> dict[str, Any]:
    return await directory(request, "consult_log", actor_of(user), date_from.isoformat(), date_to.isoformat(),
                           office_id, limit, offset)


# --------------------------------------------------------------------------- public guide

@router.get("/v1/public/directory/offices", summary="Guía pública de oficinas (sin credenciales)",
            description="Solo oficinas activas, sin extensiones ni responsable.")
async def public_search(request: Request,
                        q: Annotated[str | None, Query(max_length=200, examples=["agua"])] = None,
                        level: Level | None = None, parent_id: Annotated[str | None, Query(max_length=64)] = None,
                        limit: Limit = 20, offset: Offset = 0) -> dict[str, Any]:
    return await directory(request, "search_offices", PUBLIC, q, level, parent_id, False, limit, offset)


@router.get("/v1/public/directory/offices/{office_id}", summary="Una oficina de la guía pública (cuenta como consulta web)")
async def public_office(office_id: OfficeId, request: Request) -> dict[str, Any]:
    return await directory(request, "public_office", PUBLIC, office_id)
