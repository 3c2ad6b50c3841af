"""Use cases on staff users, shared by the HTTP routes and the CLI. Each takes an open
``AsyncConnection`` inside a transaction, and writes its audit row in that transaction."""
from __future__ import annotations

import asyncio
import re

from ..errors import ApiError
from . import store
from .model import Role, User
from .security import hash_password

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD = 12


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    username = normalise_username(username)
    if not USERNAME.match(username):
        raise ApiError(422, "usuario_invalido", "El usuario debe tener de 3 a 64 caracteres: letras minúsculas, "
                                                "dígitos, punto, guion o guion bajo.")
    return username


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ApiError(422, "contrasena_debil", f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres.")


def check_binding(role: str, agency: str | None, department: str | None) -> None:
    if role not in Role.__members__:
        raise ApiError(422, "rol_invalido", f"Rol desconocido: {role}.")
    if role == Role.agency_staff and not agency:
        raise ApiError(422, "dependencia_requerida", "El personal de dependencia debe tener una dependencia.")
    if role != Role.agency_staff and (agency or department):
        raise ApiError(422, "dependencia_no_aplica", "Solo el personal de dependencia se asocia a una "
                                                     "dependencia o departamento.")


async def create_user(conn, *, username: str, password: str, full_name: str, role: str,
                      agency: str | None = None, department: str | None = None, active: bool = True,
                      actor: User | None = None, actor_name: str = "sistema", ip: str | None = None) -> User:
    username = check_username(username)
    check_password(password)
    check_binding(role, agency, department)
    password_hash = await asyncio.to_thread(hash_password, password)
    user = await store.insert_user(conn, username=username, password_hash=password_hash, full_name=full_name,
                                   role=role, agency=agency, department=department, active=active)
    if user is None:
        raise ApiError(409, "usuario_existente", f"Ya existe el usuario {username}.")
    await store.audit(conn, "user.created", actor=actor, actor_name=actor_name,
                      target=f"user:{user.username}", ip=ip,
                      detail={"role": role, "agency": agency, "department": department, "active": active})
    return user


async def change_user(conn, user_id: int, changes: dict, *, actor: User | None, actor_name: str = "sistema",
                      ip: str | None = None) -> User:
    """``changes`` holds only the fields the caller sent (full_name, role, agency,
    department, active, password)."""
    current = await store.lock_user(conn, user_id)
    if current is None:
        raise ApiError(404, "usuario_no_encontrado", f"No existe el usuario {user_id}.")
    values = {k: v for k, v in changes.items() if k != "password"}
    role = values.get("role", current.role)
    if role != Role.agency_staff and "role" in values:
        values.setdefault("agency", None)
        values.setdefault("department", None)
    agency = values.get("agency", current.agency)
    department = values.get("department", current.department)
    check_binding(role, agency, department)
    if current.role == Role.admin and current.active and (role != Role.admin or values.get("active") is False):
        if await store.other_active_admins(conn, user_id) == 0:
            raise ApiError(409, "ultimo_administrador", "No se puede retirar al último administrador activo.")
    if "password" in changes:
        check_password(changes["password"])
        values["password_hash"] = await asyncio.to_thread(hash_password, changes["password"])
    user = await store.update_user(conn, user_id, values)
    detail = {k: v for k, v in values.items() if k != "password_hash" and getattr(current, k) != v}
    if "password_hash" in values:
        detail["password_changed"] = True
    await store.audit(conn, "user.updated", actor=actor, actor_name=actor_name,
                      target=f"user:{user.username}", ip=ip, detail=detail)
    return user
