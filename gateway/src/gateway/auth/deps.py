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

import logging
import secrets
import time
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Iterable

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sacinfra.transient import is_transient
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..errors import RETRY_AFTER_SECONDS, ApiError
from ..settings import Settings
from . import apikeys, store
from .apikeys import ApiKey, Principal, RateLimiter
from .errors import forbidden, unauthorized
from .model import User
from .security import ACCESS, TokenError, Tokens


@dataclass
class Auth:
    """What the auth routes and dependencies need; lives on ``app.state.auth``."""
    settings: Settings
    engine: AsyncEngine | None = None
    tokens: Tokens | None = None
    limiter: RateLimiter = field(default_factory=RateLimiter)  # partner keys, per process
    _touched: dict[int, float] = field(default_factory=dict)   # key id -> when last_used_at was written

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
            raise ApiError(503, "autenticacion_no_configurada",
                                 "La autenticación del personal no está configurada en este servidor.")
        return self.engine, self.tokens

    def db(self) -> AsyncEngine:
        """The gateway's database (API keys need no JWT secret)."""
        if self.engine is None:
            raise ApiError(503, "autenticacion_no_configurada",
                                 "La autenticación no está configurada en este servidor.")
        return self.engine

    def conn(self, begin: bool = False):
        """``gateway_db`` over this engine: every route reaches the gateway's database
        through it, so the database being away is a 503 with ``Retry-After``."""
        return gateway_db(self.db(), begin)


def get_auth(request: Request) -> Auth:
    return request.app.state.auth


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "desconocida"


AuthDep = Annotated[Auth, Depends(get_auth)]

log = logging.getLogger("gateway.auth")


def unavailable(detail: str) -> ApiError:
    """503 ``servicio_no_disponible`` with ``Retry-After``: a dependency is away, the
    request may be sent again (with the same Idempotency-Key) later."""
    return ApiError(503, "servicio_no_disponible", f"{detail} Intente de nuevo en unos segundos.",
                    {"Retry-After": RETRY_AFTER_SECONDS})


@contextmanager
def db_outage():
    """Around any use of the gateway's database: its being away (refused, restarted,
    reset) is a 503 with ``Retry-After``, not a 500."""
    try:
        yield
    except Exception as exc:
        if isinstance(exc, ApiError) or not is_transient(exc):
            raise
        log.warning("gateway database unavailable: %s: %s", type(exc).__name__, exc)
        raise unavailable("La base de datos de acceso no está disponible en este momento.") from None


@asynccontextmanager
async def gateway_db(engine: AsyncEngine, begin: bool = False):
    """A connection (``begin``: a transaction) to the gateway's database, under ``db_outage``."""
    with db_outage():
        async with (engine.begin() if begin else engine.connect()) as conn:
            conn: AsyncConnection
            yield conn


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
    async with gateway_db(engine) as conn:
        user = await store.active_user_with_live_token(conn, claims.user_id, claims.jti)
    if user is None:
        raise unauthorized("token_revocado", "La sesión fue cerrada o el usuario está inactivo.")
    request.state.user = user
    request.state.token = claims
    return user


CurrentUser = Annotated[User, Depends(current_user)]


# --------------------------------------------------------------------------- partner API keys

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="api_key",
                              description="Clave de API de un socio (canal o departamento)")
TOUCH_SECONDS = 60


def invalid_key() -> ApiError:
    return ApiError(401, "clave_invalida", "La clave de API no es válida o fue revocada.",
                          {"WWW-Authenticate": 'ApiKey header="X-API-Key"'})


class RateLimited(ApiError):
    def __init__(self, retry_after: str):
        super().__init__(429, "limite_excedido", f"La clave de API excedió su límite de solicitudes; "
                                                 f"intente de nuevo en {retry_after} s.", {"Retry-After": retry_after})
        self.retry_after = retry_after


async def authenticate_key(request: Request, auth: Auth, secret: str) -> ApiKey:
    """The active key of ``secret`` within its rate limit: 401 ``clave_invalida`` for an
    unknown or revoked key, 429 ``limite_excedido`` (``Retry-After``) over the limit."""
    if not secret or len(secret) > 200:
        raise invalid_key()
    engine = auth.db()
    async with gateway_db(engine) as conn:
        key = await apikeys.key_for_secret(conn, secret)
    if key is None:
        raise invalid_key()
    wait = auth.limiter.take(key.id, key.rate_limit)
    if wait is not None:
        raise RateLimited(RateLimiter.retry_after(wait))
    now = time.monotonic()
    if now - auth._touched.get(key.id, -TOUCH_SECONDS) >= TOUCH_SECONDS:  # last_used_at, once a minute
        auth._touched[key.id] = now
        async with gateway_db(engine, begin=True) as conn:
            await apikeys.touch(conn, key.id)
    request.state.api_key = key
    request.state.principal = Principal(key=key)
    return key


def staff_or_key(*roles: str, scopes: Iterable[str] = (), kinds: Iterable[str] | None = None,
                 staff: bool = True):
    """A dependency returning the ``Principal``: a staff user (``Authorization: Bearer``)
    whose role is one of ``roles`` (any role when none is given; no staff user at all with
    ``staff=False``), or a partner key (``X-API-Key``) of one of ``kinds`` (any kind when
    None, no key when empty) holding every scope in ``scopes``. 401 without valid
    credentials, 403 ``prohibido`` for another role, kind or a missing scope."""
    allowed_roles = frozenset(str(r) for r in roles)
    needed = tuple(scopes)
    allowed_kinds = None if kinds is None else frozenset(kinds)

    async def dependency(request: Request, auth: AuthDep,
                         credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                         api_key: Annotated[str | None, Depends(api_key_header)]) -> Principal:
        if credentials is not None and api_key is not None:
            raise ApiError(400, "credenciales_ambiguas", "Envíe un token de acceso o una clave de API, no ambos.")
        if api_key is not None:
            key = await authenticate_key(request, auth, api_key)
            if allowed_kinds is not None and key.kind not in allowed_kinds:
                raise forbidden("Este tipo de clave de API no permite esta operación.")
            missing = [s for s in needed if not key.has_scope(s)]
            if missing:
                raise forbidden(f"La clave de API no tiene el permiso «{missing[0]}».")
            return request.state.principal
        if credentials is None:
            raise ApiError(401, "no_autenticado", "Se requiere iniciar sesión o una clave de API.",
                                 {"WWW-Authenticate": 'Bearer realm="sac", ApiKey header="X-API-Key"'})
        user = await current_user(request, auth, credentials)
        if not staff or (allowed_roles and user.role not in allowed_roles):
            raise forbidden()
        request.state.principal = Principal(user=user)
        return request.state.principal

    dependency.__name__ = "staff_or_key"
    return dependency


#: any signed-in staff user or any active partner key (routes narrow it with ``staff_or_key``)
StaffOrKey = Annotated[Principal, Depends(staff_or_key())]


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
                      detail: dict | None = None, actor_name: str | None = None) -> None:
    """Record a change made by the current user (call it from any authenticated route,
    after the change succeeded). ``action`` is ``noun.verb`` (``report.reassigned``).
    ``actor_name``: who acted on a public route (no user, no key), e.g. a citizen."""
    auth: Auth = request.app.state.auth
    engine = auth.db()
    user = getattr(request.state, "user", None)
    key = getattr(request.state, "api_key", None)
    async with gateway_db(engine, begin=True) as conn:
        await store.audit(conn, action, actor=user,
                          actor_name=key.actor_name if user is None and key else actor_name,
                          target=target, ip=client_ip(request), detail=detail)


__all__ = ["Auth", "AuthDep", "CurrentUser", "Principal", "RateLimited", "StaffOrKey", "audit_event",
           "authenticate_key", "client_ip", "current_user", "db_outage", "gateway_db", "invalid_key", "require_roles", "staff_or_key", "unavailable"]
