"""FastAPI dependencies for staff authentication and roles.

    from gateway.auth import CurrentUser, Role, agency_scope, require_roles

    @router.get("/v1/things")
    async def things(user: CurrentUser):                      # any signed-in staff user
        scope = agency_scope(user)                            # None = every agency

    @router.post("/v1/things", dependencies=[Depends(require_roles(Role.operator, Role.admin))])
    async def create(...): ...

    SupervisorUser = Annotated[User, Depends(require_roles(Role.supervisor, Role.auditor))]
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine

from ..settings import Settings
from . import store
from .errors import HeaderApiError, forbidden, unauthorized
from .model import User
from .security import ACCESS, TokenError, Tokens


@dataclass
class Auth:
    """What the auth routes and dependencies need; lives on ``app.state.auth``."""
    settings: Settings
    engine: AsyncEngine | None = None
    tokens: Tokens | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "Auth":
        secret = settings.jwt_secret
        if secret is None and settings.development:
            secret = secrets.token_urlsafe(48)  # per process: tokens do not survive a restart
        tokens = Tokens(secret, settings.access_token_seconds, settings.refresh_token_seconds) if secret else None
        return cls(settings, tokens=tokens)

    async def open(self) -> None:
        self.engine = store.make_async_engine(self.settings.database_url, self.settings.db_pool_size)

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
            self.engine = None

    def ready(self) -> tuple[AsyncEngine, Tokens]:
        if self.engine is None or self.tokens is None:
            # settings built in code without JWT_SECRET (the uvicorn entry point refuses to start)
            raise HeaderApiError(503, "autenticacion_no_configurada",
                                 "La autenticación del personal no está configurada en este servidor.")
        return self.engine, self.tokens


def get_auth(request: Request) -> Auth:
    return request.app.state.auth


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "desconocida"


AuthDep = Annotated[Auth, Depends(get_auth)]
bearer = HTTPBearer(auto_error=False, scheme_name="token", description="Token de acceso de /v1/auth/login")


async def current_user(request: Request, auth: AuthDep,
                       credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
    """The signed-in staff user: a valid, unexpired, unrevoked access token of an active user."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    engine, tokens = auth.ready()
    try:
        claims = tokens.decode(credentials.credentials, ACCESS)
    except TokenError as exc:
        raise unauthorized(exc.code, exc.detail) from None
    async with engine.connect() as conn:
        user = await store.active_user_with_live_token(conn, claims.user_id, claims.jti)
    if user is None:
        raise unauthorized("token_revocado", "La sesión fue cerrada o el usuario está inactivo.")
    request.state.user = user
    request.state.token = claims
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_roles(*roles: str):
    """A dependency returning the current user if their role is one of ``roles`` (else 403)."""
    allowed = frozenset(str(r) for r in roles)

    async def dependency(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise forbidden()
        return user

    dependency.__name__ = "require_" + "_or_".join(sorted(allowed))
    return dependency


async def audit_event(request: Request, action: str, *, target: str | None = None,
                      detail: dict | None = None) -> None:
    """Record a change made by the current user (call it from any authenticated route,
    after the change succeeded). ``action`` is ``noun.verb`` (``report.reassigned``)."""
    auth: Auth = request.app.state.auth
    engine, _ = auth.ready()
    async with engine.begin() as conn:
        await store.audit(conn, action, actor=getattr(request.state, "user", None), target=target,
                          ip=client_ip(request), detail=detail)


__all__ = ["Auth", "AuthDep", "CurrentUser", "audit_event", "client_ip", "current_user", "require_roles"]
