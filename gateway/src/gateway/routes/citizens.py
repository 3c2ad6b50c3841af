"""/v1/citizens: the citizen registry over citizens' RPCs.

Any staff user reaches these routes; who may do what is citizens' decision
(``domain.authorize``, 403 ``prohibido``).
Every read of personal data carries a ``reason`` (422 without it) that citizens writes to
its access log with the user; every change also lands in the gateway's audit log (with
field names and citizen numbers, not the personal data itself)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ..params import CitizenNumber, MAX_BIGINT, Offset
from ..auth import CurrentUser, actor_of, audit_event
from ..errors import ApiError, problem
from ..schemas import patch_of

router = APIRouter(prefix="/v1/citizens", tags=["ciudadanos"])

Reason = Annotated[str, Query(min_length=3, max_length=500,
                              description="motivo de la consulta de datos personales (queda en la bitácora)")]
Sex = Literal["female", "male", "nonbinary", "unspecified"]


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    colonia: str | None = Field(default=None, max_length=120)
    street: str | None = Field(default=None, max_length=200)
    number: str | None = Field(default=None, max_length=30)
    postal_code: str | None = Field(default=None, description="5 dígitos")
    references: str | None = Field(default=None, max_length=500)


class CitizenIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "given_names": "María Guadalupe", "first_surname": "Hernández", "second_surname": "López",
        "sex": "female", "birth_date": "1980-05-17", "phones": ["477 123 4567"],
        "address": {"colonia": "Centro", "street": "Madero", "number": "100", "postal_code": "37000"},
        "consent": True, "privacy_notice_version": "2026-01", "channel": "072"}]})
    given_names: str = Field(min_length=1, max_length=120)
    first_surname: str = Field(min_length=1, max_length=120)
    second_surname: str | None = Field(default=None, max_length=120)
    sex: Sex | None = None
    birth_date: dt.date | None = None
    phones: list[str] = Field(default=[], max_length=5, description="10 dígitos; se admiten +52, espacios y guiones")
    email: str | None = Field(default=None, max_length=254)
    address: Address = Address()
    consent: bool = Field(description="aceptó el aviso de privacidad")
    privacy_notice_version: str = Field(min_length=1, max_length=40)
    channel: str = Field(min_length=1, max_length=60, description="canal (origen) del registro, p. ej. 072")


CitizenPatch = patch_of(CitizenIn, "CitizenPatch", {"reason": "el ciudadano corrige su segundo apellido",
                                                   "second_surname": "López"},
                       without=("consent", "privacy_notice_version", "channel"),
                       reason=(str, Field(min_length=3, max_length=500, description="motivo de la rectificación")))


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"keep": 166045, "merge": 170112, "reason": "mismo teléfono y domicilio: registro duplicado"}]})
    keep: int = Field(ge=1, le=MAX_BIGINT, description="número que se conserva")
    merge: int = Field(ge=1, le=MAX_BIGINT, description="número que se fusiona en el conservado (queda redirigido)")
    reason: str | None = Field(default=None, min_length=3, max_length=500)


async def citizens(request: Request, method: str, *args, **kwargs):
    return await request.app.state.call("citizens", method, *args, **kwargs)


def _json(body: BaseModel) -> dict:
    return body.model_dump(mode="json", exclude_unset=True)


@router.post("", status_code=201, response_model=None,
             summary="Registrar un ciudadano (409 posibles_duplicados con la lista, salvo force=true)")
async def register_citizen(body: CitizenIn, request: Request, response: Response, user: CurrentUser,
                           force: bool = False):
    data = body.model_dump(mode="json")
    answer = await citizens(request, "register_citizen", actor_of(user), data, force)
    if "duplicates" in answer:  # nothing created: the operator chooses, or repeats with force=true
        return problem(409, "posibles_duplicados", "Puede ser una persona ya registrada: elija uno de los "
                       "registros o repita con force=true.", duplicates=answer["duplicates"])
    created = answer["created"]
    await audit_event(request, "citizen.registered", target=f"citizen:{created['number']}",
                      detail={"channel": created["channel"], "forced": force})
    response.headers["Location"] = f"/v1/citizens/{created['number']}"
    return created


@router.get("", summary="Buscar ciudadanos por número, teléfono o nombre (sin acentos, parcial, ordenado)")
async def search_citizens(request: Request, user: CurrentUser, reason: Reason,
                          q: Annotated[str, Query(min_length=1, max_length=200)],
                          limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    return await citizens(request, "search_citizens", actor_of(user), q, reason, limit)


@router.get("/access-log", summary="Bitácora de acceso a datos personales (auditores, administradores)")
async def access_log(request: Request, user: CurrentUser, citizen_number: Annotated[int | None, Query(ge=1)] = None,
                     username: str | None = None, since: dt.datetime | None = None, until: dt.datetime | None = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                     offset: Offset = 0) -> dict[str, Any]:
    for value in (since, until):
        if value is not None and value.tzinfo is None:
            raise ApiError(422, "fecha_invalida", "Indique la zona horaria de las fechas (ISO 8601).")
    return await citizens(request, "list_access_log", actor_of(user), citizen_number, username,
                          since.isoformat() if since else None, until.isoformat() if until else None, limit, offset)


@router.post("/merge", summary="Fusionar un registro duplicado en el que se conserva (su número redirige)")
async def merge_citizens(body: MergeIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    out = await citizens(request, "merge_citizens", actor_of(user), body.keep, body.merge, body.reason)
    await audit_event(request, "citizens.merged", target=f"citizen:{body.keep}",
                      detail={"kept": body.keep, "merged": body.merge})
    return out


@router.get("/{number:int}", summary="Consultar un ciudadano (un número fusionado redirige al conservado)")
async def get_citizen(number: CitizenNumber, request: Request, user: CurrentUser, reason: Reason) -> dict[str, Any]:
    """Citizens decides: agency staff read only a person behind a report routing shows them."""
    return await citizens(request, "get_citizen", actor_of(user), number, reason)


@router.get("/{number:int}/changes", summary="Historial de rectificaciones y fusiones de un ciudadano")
async def citizen_changes(number: CitizenNumber, request: Request, user: CurrentUser, reason: Reason) -> list[dict[str, Any]]:
    return await citizens(request, "citizen_changes", actor_of(user), number, reason)


@router.patch("/{number:int}", summary="Rectificar datos de un ciudadano (motivo obligatorio; queda el antes y "
                                       "el después)")
async def update_citizen(number: CitizenNumber, body: CitizenPatch, request: Request, user: CurrentUser) -> dict[str, Any]:
    changes = _json(body)
    reason = changes.pop("reason")
    out = await citizens(request, "update_citizen", actor_of(user), number, changes, reason)
    if out.get("changed_fields"):
        await audit_event(request, "citizen.rectified", target=f"citizen:{number}",
                          detail={"fields": out["changed_fields"], "reason": reason})
    return out
