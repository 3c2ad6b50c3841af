"""/v1/users: staff users and roles (admin only). Every change lands in the audit log."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ..params import Id, Offset
from ..auth import Role, User, require_roles, store
from ..auth.deps import AuthDep, client_ip
from ..auth.schemas import UserIn, UserOut, UserPage, UserPatch
from ..auth.users import change_user, create_user
from ..errors import ApiError

router = APIRouter(prefix="/v1/users", tags=["usuarios"])
AdminUser = Annotated[User, Depends(require_roles(Role.admin))]


@router.get("", response_model=UserPage, summary="Listar usuarios del personal")
async def list_users(admin: AdminUser, auth: AuthDep, role: Role | None = None, agency: str | None = None,
                     active: bool | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                     offset: Offset = 0):
    async with auth.conn() as conn:
        items, total = await store.list_users(conn, role, agency, active, limit, offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.post("", response_model=UserOut, status_code=201, summary="Crear un usuario del personal")
async def create(body: UserIn, request: Request, admin: AdminUser, auth: AuthDep):
    async with auth.conn(begin=True) as conn:
        return await create_user(conn, **body.model_dump(), actor=admin, ip=client_ip(request))


@router.get("/{user_id}", response_model=UserOut, summary="Consultar un usuario del personal")
async def get(user_id: Id, admin: AdminUser, auth: AuthDep):
    async with auth.conn() as conn:
        user = await store.get_user(conn, user_id)
    if user is None:
        raise ApiError(404, "usuario_no_encontrado", f"No existe el usuario {user_id}.")
    return user


@router.patch("/{user_id}", response_model=UserOut, summary="Cambiar rol, dependencia, estado o contraseña")
async def patch(user_id: Id, body: UserPatch, request: Request, admin: AdminUser, auth: AuthDep):
    changes = body.model_dump(exclude_unset=True)
    async with auth.conn(begin=True) as conn:
        return await change_user(conn, user_id, changes, actor=admin, ip=client_ip(request))
