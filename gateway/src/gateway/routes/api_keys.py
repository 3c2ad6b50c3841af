"""/v1/admin/api-keys: partner API keys (admin only). The secret is in the answer to the
POST and nowhere else; creating and revoking land in the audit log."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..auth import Role, User, apikeys, require_roles
from ..auth.deps import AuthDep, client_ip
from ..params import Id, Offset
from ..errors import ApiError

router = APIRouter(prefix="/v1/admin/api-keys", tags=["claves de API"])
AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
Scope = Literal["reports:create", "reports:read", "reports:write", "open311"]


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "chatbot", "kind": "channel", "channel": "CHATBOT", "scopes": ["reports:create", "open311"],
         "rate_limit": 600},
        {"name": "alumbrado-sig", "kind": "department", "agency": "OP", "department": "OP-ALUMBRADO",
         "scopes": ["reports:read", "reports:write"], "rate_limit": 120}]})
    name: str = Field(min_length=3, max_length=64)
    kind: Literal["channel", "department"]
    channel: str | None = Field(default=None, min_length=1, max_length=60)
    agency: str | None = Field(default=None, min_length=1, max_length=60)
    department: str | None = Field(default=None, min_length=1, max_length=60)
    scopes: list[Scope] = Field(min_length=1, max_length=4)
    rate_limit: int = Field(default=apikeys.DEFAULT_RATE_LIMIT, ge=1, le=apikeys.MAX_RATE_LIMIT,
                            description="solicitudes por minuto")


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: str
    channel: str | None = None
    agency: str | None = None
    department: str | None = None
    scopes: list[str]
    rate_limit: int
    key_prefix: str = Field(description="los primeros caracteres de la clave, para reconocerla")
    active: bool
    created_by: str
    created_at: dt.datetime | None = None
    revoked_by: str | None = None
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="la clave completa: se muestra solo esta vez; envíela en X-API-Key")


class ApiKeyPage(BaseModel):
    items: list[ApiKeyOut]
    total: int
    limit: int
    offset: int


async def _check_binding(request: Request, body: ApiKeyIn) -> None:
    """The channel exists, or the department exists, is active and belongs to the agency (catalog's word)."""
    call = request.app.state.call
    if body.kind == "channel" and body.channel:
        channels = await call("catalog", "list_channels")
        if body.channel not in {c["code"] for c in channels}:
            raise ApiError(422, "canal_no_encontrado", f"No existe el canal «{body.channel}».")
    if body.kind == "department" and body.agency and body.department:
        departments = await call("catalog", "list_departments", body.agency, True)
        if body.department not in {d["code"] for d in departments}:
            raise ApiError(422, "departamento_no_encontrado", f"El departamento «{body.department}» no existe o no "
                                                              f"pertenece a la dependencia «{body.agency}».")


@router.post("", response_model=ApiKeyCreated, status_code=201,
             summary="Crear una clave de API (la clave se muestra una vez)")
async def create(body: ApiKeyIn, request: Request, admin: AdminUser, auth: AuthDep):
    apikeys.check_key_fields(body.name, body.kind, body.scopes, body.rate_limit, body.channel, body.agency,
                             body.department)
    await _check_binding(request, body)
    async with auth.conn(begin=True) as conn:
        key, secret = await apikeys.create_key(conn, **body.model_dump(), actor=admin, ip=client_ip(request))
    return ApiKeyOut.model_validate(key).model_dump() | {"secret": secret}


@router.get("", response_model=ApiKeyPage, summary="Listar claves de API (sin la clave)")
async def list_keys(admin: AdminUser, auth: AuthDep, kind: Literal["channel", "department"] | None = None,
                    active: bool | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                    offset: Offset = 0):
    async with auth.conn() as conn:
        items, total = await apikeys.list_keys(conn, kind=kind, active=active, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.delete("/{key_id}", response_model=ApiKeyOut, summary="Revocar una clave de API (de inmediato)")
async def revoke(key_id: Id, request: Request, admin: AdminUser, auth: AuthDep):
    async with auth.conn(begin=True) as conn:
        return await apikeys.revoke_key(conn, key_id, actor=admin, ip=client_ip(request))
