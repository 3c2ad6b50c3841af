"""/v1/catalog: petition types (with their SLA), agencies, departments, channels, the
municipal calendar, CSV/XLSX import and export — over catalog's RPCs.

Reads: any signed-in staff user (agency staff see their own agency's petition types
unless they ask for another ``agency``). Who may change what is catalog's decision
(``domain.authorize``, 403 ``prohibido``). Every change lands in the audit log. Petition-type codes carry
spaces, ``/`` and ``Ñ``: the path takes the URL-encoded code as it is (``{code:path}``)."""
from __future__ import annotations

import base64
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from ..auth import CurrentUser, User, actor_of, audit_event
from ..exports import MEDIA_TYPES, service_file
from ..spreadsheet_upload import read_upload
from .. import versioning
from ..schemas import Version, patch_of

router = APIRouter(prefix="/v1/catalog", tags=["catálogo"])

IMPORT_TIMEOUT = 120.0
SlaUnit = Literal["calendar_days", "business_days", "business_hours"]


# --------------------------------------------------------------------------- bodies

class Attribute(BaseModel):
    """An extra question of a petition type (Open311 service-definition attribute)."""
    model_config = ConfigDict(extra="allow")
    code: str
    description: str
    datatype: str = Field(description="string|number|datetime|text|singlevaluelist|multivaluelist")
    required: bool = False
    values: list[dict[str, Any]] = []


class PetitionTypeOut(BaseModel):
    code: str
    name: str
    kind: str
    description: str
    sla_amount: int
    sla_unit: str
    agency: str
    department: str
    active: bool
    attributes: list[dict[str, Any]]
    version: int


class PetitionTypePage(BaseModel):
    items: list[PetitionTypeOut]
    total: int
    page: int
    per_page: int


class PetitionTypeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "code": "OP-POSTE DAÑADO", "name": "OP-POSTE DAÑADO", "kind": "Servicio", "sla_amount": 10,
        "sla_unit": "calendar_days", "agency": "OP", "department": "OP-ALUMBRADO"}]})
    code: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(description="Servicio | Trámite")
    description: str = ""
    sla_amount: int = Field(ge=0)
    sla_unit: SlaUnit
    agency: str | None = Field(default=None, description="personal de dependencia: la suya si se omite")
    department: str
    active: bool = True
    attributes: list[Attribute] = []


PetitionTypePatch = patch_of(PetitionTypeIn, "PetitionTypePatch", {"sla_amount": 7, "version": 3}, without=("code",),
                             version=Version, agency=(str, Field(default=None, max_length=60)))


class AgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "DIRECCION GENERAL DE OBRA PUBLICA", "active": True}]})
    name: str = Field(min_length=1, max_length=200)
    active: bool = True


class DepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"agency": "OP", "name": "ALUMBRADO PUBLICO", "active": True}]})
    agency: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    active: bool = True


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "MIERCOLES CIUDADANO", "active": True}]})
    name: str = Field(min_length=1, max_length=200)
    active: bool = True


class CalendarPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"extra_days_off": ["2026-11-02"]}]})
    weekend_days: list[int] = Field(default=None, description="0 = lunes … 6 = domingo")  # omitted: kept; never null
    extra_days_off: list[str] = Field(default=None, description="AAAA-MM-DD")
    workday_start: str = Field(default=None, description="HH:MM")
    workday_end: str = Field(default=None, description="HH:MM")
    tz: str = None


class ImportResult(BaseModel):
    imported: int
    created: int
    updated: int
    unchanged: int


# --------------------------------------------------------------------------- helpers

async def catalog(request: Request, method: str, *args, **kwargs):
    return await request.app.state.call("catalog", method, *args, **kwargs)


async def _upsert(request: Request, user: User, what: str, code: str, body: BaseModel) -> dict:
    """Create or change an agency, department or channel (catalog's ``upsert_<what>``), audited."""
    out = await catalog(request, f"upsert_{what}", actor_of(user), {"code": code, **body.model_dump()})
    await audit_event(request, f"{what}.upserted", target=f"{what}:{out['code']}", detail=body.model_dump())
    return out


# --------------------------------------------------------------------------- petition types

@router.get("/petition-types", response_model=PetitionTypePage, summary="Tipos de petición (con filtros, paginados)")
async def list_petition_types(
        request: Request, user: CurrentUser,
        agency: Annotated[str | None, Query(description="dependencia; personal de dependencia: la suya por omisión")] = None,
        department: str | None = None, kind: str | None = None,
        active: Annotated[bool | None, Query(description="true: solo activos; false: solo inactivos")] = None,
        sla_unit: SlaUnit | None = None,
        q: Annotated[str | None, Query(max_length=200, description="texto en el código o el nombre")] = None,
        page: Annotated[int, Query(ge=1, le=100_000)] = 1, per_page: Annotated[int, Query(ge=1, le=1000)] = 500):
    """Catalog filters and pages them, and scopes agency staff to their agency."""
    filters = {"agency": agency, "department": department, "kind": kind, "active": active, "sla_unit": sla_unit,
               "q": q}
    return await catalog(request, "list_petition_types", {k: v for k, v in filters.items() if v is not None},
                         page, per_page, actor_of(user))


@router.post("/petition-types", response_model=PetitionTypeOut, status_code=201,
             summary="Crear un tipo de petición (personal de dependencia: de la suya; administradores)")
async def create_petition_type(body: PetitionTypeIn, request: Request, response: Response, user: CurrentUser):
    data = body.model_dump(exclude_unset=True)
    created = await catalog(request, "create_petition_type", actor_of(user), data)
    await audit_event(request, "petition_type.created", target=f"petition_type:{created['code']}",
                      detail={"version": created["version"], "after": created})
    response.headers["ETag"] = versioning.etag(created["version"])
    response.headers["Location"] = f"/v1/catalog/petition-types/{quote(created['code'], safe='')}"
    return created


# registered before ``/petition-types/{code:path}``, which would otherwise take «…/history»
@router.get("/petition-types/{code:path}/history", summary="Historial de cambios de un tipo de petición")
async def petition_type_history(code: str, request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    return await catalog(request, "petition_type_history", code)


@router.get("/petition-types/{code:path}", response_model=PetitionTypeOut, summary="Consultar un tipo de petición")
async def get_petition_type(code: str, request: Request, response: Response, user: CurrentUser):
    pt = await catalog(request, "get_petition_type", code)
    response.headers["ETag"] = versioning.etag(pt["version"])
    return pt


@router.patch("/petition-types/{code:path}", response_model=PetitionTypeOut,
              summary="Cambiar un tipo de petición (versión leída en el cuerpo o en If-Match; 409 si cambió)")
async def update_petition_type(code: str, body: PetitionTypePatch, request: Request, response: Response,
                               user: CurrentUser, if_match: Annotated[str | None, Header()] = None):
    changes = body.model_dump(exclude_unset=True)
    version = versioning.version_of(changes.pop("version", None), if_match, "del tipo de petición")
    updated = await catalog(request, "update_petition_type", actor_of(user), code, changes, version)
    if updated["version"] != version:
        await audit_event(request, "petition_type.updated", target=f"petition_type:{updated['code']}",
                          detail={"from_version": version, "version": updated["version"], "changes": changes})
    response.headers["ETag"] = versioning.etag(updated["version"])
    return updated


# --------------------------------------------------------------------------- agencies, departments, channels

@router.get("/agencies", summary="Dependencias")
async def list_agencies(request: Request, user: CurrentUser, active_only: bool = False) -> list[dict[str, Any]]:
    return await catalog(request, "list_agencies", active_only)


@router.put("/agencies/{code}", summary="Crear o cambiar una dependencia (administradores)")
async def put_agency(code: str, body: AgencyIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    return await _upsert(request, user, "agency", code, body)


@router.get("/departments", summary="Departamentos (de una dependencia con «agency»)")
async def list_departments(request: Request, user: CurrentUser, agency: str | None = None,
                           active_only: bool = False) -> list[dict[str, Any]]:
    return await catalog(request, "list_departments", agency, active_only)


@router.put("/departments/{code}", summary="Crear o cambiar un departamento (administradores)")
async def put_department(code: str, body: DepartmentIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    return await _upsert(request, user, "department", code, body)


@router.get("/channels", summary="Canales (orígenes de atención)")
async def list_channels(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    return await catalog(request, "list_channels")


@router.put("/channels/{code:path}", summary="Crear o cambiar un canal de atención (administradores)")
async def put_channel(code: str, body: ChannelIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    return await _upsert(request, user, "channel", code, body)


# --------------------------------------------------------------------------- calendar

@router.get("/calendar", summary="Calendario municipal (fines de semana, días inhábiles, horario)")
async def get_calendar(request: Request, user: CurrentUser) -> dict[str, Any]:
    return await catalog(request, "get_calendar")


@router.patch("/calendar", summary="Cambiar el calendario municipal (administradores; lo omitido se conserva)")
async def patch_calendar(body: CalendarPatch, request: Request, user: CurrentUser) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    before = await catalog(request, "get_calendar")
    out = await catalog(request, "update_calendar", actor_of(user), changes)
    await audit_event(request, "calendar.updated", target="calendar", detail={"before": before, "after": out})
    return out


# --------------------------------------------------------------------------- import / export

@router.post("/import", response_model=ImportResult,
             summary="Importar tipos de petición de un CSV o XLSX (todo o nada; 422 con los errores por línea)",
             openapi_extra={"requestBody": {"content": {
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "file": {"type": "string", "format": "binary"}}}},
                 "text/csv": {"schema": {"type": "string"}},
                 MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}}})
async def import_catalog(request: Request, user: CurrentUser,
                         format: Annotated[Literal["csv", "xlsx"] | None,
                                           Query(description="csv o xlsx (por omisión: la extensión del archivo)")] = None):
    content, fmt, filename = await read_upload(request, "del catálogo", format)
    # a refused file: 422 importacion_invalida with the per-line ``errors`` (errors.remote_to_api)
    result = await catalog(request, "import_catalog", actor_of(user), fmt, base64.b64encode(content).decode("ascii"),
                           timeout=IMPORT_TIMEOUT)
    await audit_event(request, "catalog.imported", target="catalog:petition_types",
                      detail={"format": fmt, "filename": filename, "bytes": len(content)} | result)
    return result


@router.get("/export", summary="Exportar tipos de petición como CSV o XLSX",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}, MEDIA_TYPES["xlsx"]: {}}}})
async def export_catalog(request: Request, user: CurrentUser,
                         format: Annotated[Literal["csv", "xlsx"], Query(description="csv o xlsx")] = "csv",
                         agency: Annotated[str | None, Query(description="dependencia; personal de dependencia: "
                                                                         "la suya por omisión")] = None):
    # catalog scopes agency staff to their agency and names the file
    return service_file(await catalog(request, "export_file", actor_of(user), format, agency, timeout=IMPORT_TIMEOUT))
