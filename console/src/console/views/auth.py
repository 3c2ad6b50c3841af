"""Sign in and out. The gateway's tokens stay in the server-side session; the browser
gets only the session id in an httpOnly, SameSite=Lax cookie (Secure outside development)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from .. import menu
from ..gateway import GatewayError
from ..sessions import COOKIE
from ..web import PostSession, SessionDep, gateway_of, render, settings_of

router = APIRouter()


@router.get("/")
async def home(request: Request):
    s = request.app.state.sessions.get(request.cookies.get(COOKIE))
    return RedirectResponse(menu.home_for(s.role) if s else "/login", status_code=303)


@router.get("/login")
async def login_form(request: Request, expirada: str | None = None):
    message = "Su sesión terminó por inactividad; ingrese de nuevo." if expirada else None
    return render(request, "login.html", {"notice": message})


@router.post("/login")
async def login(request: Request, username: Annotated[str, Form(max_length=120)] = "",
                password: Annotated[str, Form(max_length=200)] = ""):
    if not username or not password:
        return render(request, "login.html", {"error": "Escriba su usuario y su contraseña.", "username": username},
                      status=422)
    try:
        tokens, user = await gateway_of(request).login(username, password)
    except GatewayError as exc:
        return render(request, "login.html", {"error": exc.detail, "username": username},
                      status=exc.status if exc.status in (401, 429) else 502)
    old = request.cookies.get(COOKIE)
    if old:
        request.app.state.sessions.drop(old)
    s = request.app.state.sessions.create(tokens["access_token"], tokens["refresh_token"], user)
    response = RedirectResponse(menu.home_for(s.role), status_code=303)
    settings = settings_of(request)
    response.set_cookie(COOKIE, s.id, httponly=True, samesite="lax", secure=not settings.development, path="/")
    return response


@router.post("/logout")
async def logout(request: Request, session: PostSession):
    await gateway_of(request).logout(session)
    request.app.state.sessions.drop(session.id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/sin-permisos")
async def nothing(request: Request, session: SessionDep):
    return render(request, "error.html", {"status": 403, "title": "Sin pantallas",
                                          "message": "Su perfil no tiene pantallas en la consola."}, status=403)
