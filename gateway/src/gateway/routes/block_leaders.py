"""/v1/block-leaders: the roster of jefes de manzana / jefes de cuartel (owned by citizens).

Who may read and remove entries is citizens' decision (``domain.authorize``, 403
``prohibido``). Adding or changing an entry's ``username`` reads the gateway's own users
first, so those two routes keep the editors' gate (no one else learns which logins lead). Names, phones and emails of leaders are personal data: they come
back only when the reader gives a ``reason`` (citizens logs the read) and never to
auditors. ``username`` links an entry to a staff login with role ``block_leader``, checked
here against the gateway's users. ``GET /v1/block-leaders.geojson`` is the map of active
leaders with the number of reports each login filed (routing's ``created_by``: a block
leader's reports are the ones it created), composed by citizens (``block_leaders_geojson``)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ..auth import CurrentUser, Role, User, actor_of, audit_event, require_roles, store
from ..auth.deps import AuthDep
from ..errors import ApiError
from ..params import MAX_BIGINT, Offset

router = APIRouter(tags=["jefes de manzana"])

#: who may link a roster entry to a staff login (the lookup reads the gateway's users)
WriterUser = Annotated[User, Depends(require_roles(Role.supervisor, Role.admin))]
Reason = Annotated[str | None, Query(min_length=3, max_length=500,
                                     description="motivo para ver nombre y contacto (queda en la bitácora); "
                                                 "sin él no se devuelven")]
Kind = Literal["manzana", "cuartel"]
Status = Literal["active", "suspended", "ended"]
USERNAME = r"^[a-z0-9._-]+$"
LeaderId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="identificador en el padrón")]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class LeaderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "manzana", "block": "M-12", "colonia": "Centro", "location": {"lat": 19.1738, "lon": -96.1342},
        "accredited_on": "2023-03-15", "full_name": "Ana Ruiz Pérez", "phone": "229 123 4567",
        "email": "ana@example.mx", "username": "jm.ana"}]})
    kind: Kind
    block: str = Field(min_length=1, max_length=60, description="manzana (o cuartel) que representa")
    colonia: str = Field(min_length=1, max_length=120)
    location: Location
    accredited_on: dt.date = Field(description="fecha de acreditación / toma de protesta")
    status: Status = "active"
    full_name: str = Field(min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    username: str | None = Field(default=None, max_length=120, pattern=USERNAME,
                                 description="usuario del personal con rol block_leader")
    citizen_number: int | None = Field(default=None, ge=1, le=MAX_BIGINT)


class LeaderPatch(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 2, "status": "suspended"}]})
    version: int | None = Field(default=None, ge=1, description="la versión leída (opcional)")
    kind: Kind | None = None
    block: str | None = Field(default=None, min_length=1, max_length=60)
    colonia: str | None = Field(default=None, min_length=1, max_length=120)
    location: Location | None = None
    accredited_on: dt.date | None = None
    status: Status | None = None
    full_name: str | None = Field(default=None, min_length=1, max_length=120)
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    username: str | None = Field(default=None, max_length=120, pattern=USERNAME)
    citizen_number: int | None = Field(default=None, ge=1, le=MAX_BIGINT)


async def citizens(request: Request, method: str, *args):
    return await request.app.state.call("citizens", method, *args)


async def check_leader_login(auth, username: str | None) -> None:
    """``username`` must be a staff user with role block_leader (422 otherwise)."""
    if username is None:
        return
    async with auth.conn() as conn:
        user, _ = await store.user_for_login(conn, username)
    if user is None or user.role != Role.block_leader:
        raise ApiError(422, "usuario_no_es_jefe_de_manzana",
                       f"«{username}» no es un usuario del personal con perfil de jefe de manzana.")


@router.post("/v1/block-leaders", status_code=201, summary="Dar de alta un jefe de manzana o de cuartel")
async def create_leader(body: LeaderIn, request: Request, response: Response, user: WriterUser,
                        auth: AuthDep) -> dict[str, Any]:
    await check_leader_login(auth, body.username)
    out = await citizens(request, "create_block_leader", actor_of(user), body.model_dump(mode="json"))
    await audit_event(request, "block_leader.created", target=f"block_leader:{out['id']}",
                      detail={"kind": out["kind"], "colonia": out["colonia"], "block": out["block"],
                              "username": out["username"]})
    response.headers["Location"] = f"/v1/block-leaders/{out['id']}"
    return out


@router.get("/v1/block-leaders", summary="Padrón de jefes de manzana y de cuartel")
async def list_leaders(request: Request, user: CurrentUser, reason: Reason = None, kind: Kind | None = None,
                       status: Status | None = None, colonia: str | None = Query(default=None, max_length=120),
                       block: str | None = Query(default=None, max_length=60),
                       username: str | None = Query(default=None, max_length=120),
                       limit: Annotated[int, Query(ge=1, le=1000)] = 100, offset: Offset = 0) -> dict[str, Any]:
    filters = {k: v for k, v in {"kind": kind, "status": status, "colonia": colonia, "block": block,
                                 "username": username}.items() if v}
    return await citizens(request, "list_block_leaders", actor_of(user), filters, reason, limit, offset)


@router.get("/v1/block-leaders.geojson", summary="Mapa de jefes de manzana activos (GeoJSON) con sus reportes",
            response_class=Response, responses={200: {"content": {"application/geo+json": {}}}})
async def leaders_geojson(request: Request, user: CurrentUser) -> Response:
    collection = await citizens(request, "block_leaders_geojson", actor_of(user))
    return Response(json.dumps(collection, ensure_ascii=False), media_type="application/geo+json")


@router.get("/v1/block-leaders/{leader_id:int}", summary="Un jefe de manzana del padrón")
async def get_leader(leader_id: LeaderId, request: Request, user: CurrentUser, reason: Reason = None) -> dict[str, Any]:
    return await citizens(request, "get_block_leader", actor_of(user), leader_id, reason)


@router.patch("/v1/block-leaders/{leader_id:int}", summary="Cambiar datos o estatus de un jefe de manzana")
async def update_leader(leader_id: LeaderId, body: LeaderPatch, request: Request, user: WriterUser,
                        auth: AuthDep) -> dict[str, Any]:
    changes = body.model_dump(mode="json", exclude_unset=True)
    version = changes.pop("version", None)
    for key in ("kind", "block", "colonia", "location", "accredited_on", "status", "full_name"):
        if key in changes and changes[key] is None:
            raise ApiError(422, "validacion", f"El campo «{key}» no puede ser nulo.")
    if changes.get("username"):
        await check_leader_login(auth, changes["username"])
    out = await citizens(request, "update_block_leader", actor_of(user), leader_id, changes, version)
    await audit_event(request, "block_leader.updated", target=f"block_leader:{leader_id}",
                      detail={"fields": out.get("changed_fields", [])})
    return out


@router.delete("/v1/block-leaders/{leader_id:int}", status_code=204, summary="Quitar a alguien del padrón")
async def delete_leader(leader_id: LeaderId, request: Request, user: CurrentUser) -> Response:
    await citizens(request, "delete_block_leader", actor_of(user), leader_id)
    await audit_event(request, "block_leader.deleted", target=f"block_leader:{leader_id}")
    return Response(status_code=204)
