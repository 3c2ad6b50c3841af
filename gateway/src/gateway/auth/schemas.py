"""HTTP bodies of the auth, users and audit routes."""
from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..schemas import patch_of
from .model import Role


class LoginIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "operador.072", "password": "una-contraseña-larga-y-secreta"}]})
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class RefreshIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.…"}]})
    refresh_token: str = Field(min_length=1, max_length=4096)


class LogoutIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"refresh_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.…"}]})
    refresh_token: str | None = Field(default=None, max_length=4096)


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="segundos de vigencia del token de acceso")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    role: Role
    agency: str | None = None
    department: str | None = None
    active: bool
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "username": "alumbrado.jperez", "password": "una-contraseña-larga-y-secreta", "full_name": "Juana Pérez",
        "role": "agency_staff", "agency": "OP", "department": "OP-ALUMBRADO"}]})
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    full_name: str = Field(min_length=1, max_length=200)
    role: Role
    agency: str | None = Field(default=None, max_length=50)
    department: str | None = Field(default=None, max_length=50)
    active: bool = True


#: PATCH /v1/users/{id}: what is omitted is kept; name, role, active and password may not be null
UserPatch = patch_of(UserIn, "UserPatch", {"role": "supervisor", "agency": None, "department": None},
                     without=("username",))


class UserPage(BaseModel):
    items: list[UserOut]
    total: int
    limit: int
    offset: int


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor: str | None
    action: str
    target: str | None
    ip: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    limit: int
    offset: int
