"""/v1/auth: login, refresh (rotating), logout (revokes), me."""
from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Body, Request, Response

from ..auth import store
from ..auth.deps import AuthDep, CurrentUser, client_ip
from ..auth.errors import unauthorized
from ..errors import ApiError
from ..auth.schemas import LoginIn, LogoutIn, RefreshIn, TokenOut, UserOut
from ..auth.security import REFRESH, TokenError, hash_password, needs_rehash, verify_password
from ..auth.users import normalise_username

router = APIRouter(prefix="/v1/auth", tags=["autenticación"])

BAD_CREDENTIALS = ("credenciales_invalidas", "Usuario o contraseña incorrectos.")


def _pair_out(pair) -> TokenOut:
    return TokenOut(access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in)


@router.post("/login", response_model=TokenOut, summary="Iniciar sesión (personal)",
             responses={401: {"description": "credenciales inválidas"}, 429: {"description": "demasiados intentos"}})
async def login(body: LoginIn, request: Request, auth: AuthDep):
    _, tokens = auth.ready()
    settings = auth.settings
    username, ip = normalise_username(body.username), client_ip(request)
    async with auth.conn(begin=True) as conn:
        failures = await store.recent_failures(conn, username, ip, settings.login_window_seconds)
        if failures >= settings.login_max_failures:
            await store.audit(conn, "auth.login_blocked", actor_name=username, target=f"user:{username}", ip=ip)
        else:
            user, password_hash = await store.user_for_login(conn, username)
    if failures >= settings.login_max_failures:
        raise ApiError(429, "demasiados_intentos",
                             "Demasiados intentos fallidos de inicio de sesión; espere unos minutos e intente de nuevo.",
                             {"Retry-After": str(settings.login_window_seconds)})

    ok = await asyncio.to_thread(verify_password, password_hash, body.password)
    ok = ok and user is not None and user.active
    async with auth.conn(begin=True) as conn:
        if not ok:
            await store.add_failure(conn, username, ip)
            reason = "usuario_inexistente" if user is None else ("inactivo" if not user.active else "contrasena")
            await store.audit(conn, "auth.login_failed", actor=user, actor_name=username,
                              target=f"user:{username}", ip=ip, detail={"reason": reason})
        else:
            await store.clear_failures(conn, username, ip)
            if needs_rehash(password_hash):
                new_hash = await asyncio.to_thread(hash_password, body.password)
                await store.update_user(conn, user.id, {"password_hash": new_hash})
            await store.audit(conn, "auth.login", actor=user, target=f"user:{username}", ip=ip)
    if not ok:
        raise unauthorized(*BAD_CREDENTIALS)
    return _pair_out(tokens.issue_pair(user.id))


@router.post("/refresh", response_model=TokenOut, summary="Renovar el token (el de renovación se rota)")
async def refresh(body: RefreshIn, request: Request, auth: AuthDep):
    _, tokens = auth.ready()
    try:
        claims = tokens.decode(body.refresh_token, REFRESH)
    except TokenError as exc:
        raise unauthorized(exc.code, exc.detail) from None
    async with auth.conn(begin=True) as conn:
        first_use = await store.revoke(conn, claims.jti, claims.user_id, claims.expires_at)
        user = await store.get_user(conn, claims.user_id)
        if not first_use:
            await store.audit(conn, "auth.refresh_reused", actor=user, target=f"user:{claims.user_id}",
                              ip=client_ip(request))
    if not first_use:
        raise unauthorized("token_revocado", "El token de renovación ya fue usado o revocado; inicie sesión de nuevo.")
    if user is None or not user.active:
        raise unauthorized("token_revocado", "El usuario está inactivo.")
    return _pair_out(tokens.issue_pair(user.id))


@router.post("/logout", status_code=204, summary="Cerrar sesión (revoca los tokens)")
async def logout(request: Request, user: CurrentUser, auth: AuthDep,
                 body: Annotated[LogoutIn | None, Body()] = None):
    _, tokens = auth.ready()
    access = request.state.token
    refresh_claims = None
    if body is not None and body.refresh_token:
        try:
            refresh_claims = tokens.decode(body.refresh_token, REFRESH)
        except TokenError:
            refresh_claims = None  # expired or invalid: nothing to revoke
    async with auth.conn(begin=True) as conn:
        await store.revoke(conn, access.jti, user.id, access.expires_at)
        if refresh_claims is not None and refresh_claims.user_id == user.id:
            await store.revoke(conn, refresh_claims.jti, user.id, refresh_claims.expires_at)
        await store.audit(conn, "auth.logout", actor=user, target=f"user:{user.username}", ip=client_ip(request))
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, summary="El usuario de la sesión")
async def me(user: CurrentUser):
    return user
