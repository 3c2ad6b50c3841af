"""What every screen shares: templates, the signed-in session, CSRF, role checks."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import labels, menu
from .gateway import Gateway
from .sessions import COOKIE, Session, same_token
from .settings import Settings

HERE = Path(__file__).resolve().parent
_env = Environment(loader=FileSystemLoader(HERE / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))
labels.install(_env)
templates = Jinja2Templates(env=_env)


class NotSignedIn(Exception):
    """No live session: the browser goes to the login page."""


class Forbidden(Exception):
    """The role has no business on this screen."""


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def gateway_of(request: Request) -> Gateway:
    return request.app.state.gateway


def current_session(request: Request) -> Session:
    s = request.app.state.sessions.get(request.cookies.get(COOKIE))
    if s is None:
        raise NotSignedIn()
    request.state.session = s
    return s


async def check_csrf(request: Request, session: Annotated[Session, Depends(current_session)]) -> Session:
    """Every state-changing request carries the session's CSRF token (form field or the
    header htmx sends); SameSite=Lax already keeps other sites' POSTs without the cookie."""
    token = request.headers.get("x-csrf-token")
    if token is None:
        form = await request.form()
        token = form.get("csrf")
    if not same_token(token, session.csrf):
        raise HTTPException(403, "La solicitud no trae la clave de seguridad del formulario; recargue la página.")
    return session


SessionDep = Annotated[Session, Depends(current_session)]
PostSession = Annotated[Session, Depends(check_csrf)]


def screen(path: str):
    """A dependency: the session, when its role has this screen in its menu."""

    def dep(session: SessionDep) -> Session:
        if not menu.may(session.role, path):
            raise Forbidden()
        return session

    return Depends(dep)


def render(request: Request, name: str, ctx: dict[str, Any] | None = None, status: int = 200):
    s: Session | None = getattr(request.state, "session", None)
    base = {"settings": settings_of(request), "session": s, "user": s.user if s else None,
            "menu": menu.menu_for(s.role) if s else [], "role_name": menu.ROLE_NAMES.get(s.role, "") if s else "",
            "csrf": s.csrf if s else "", "flash": s.take_flash() if s and name.endswith(".html") and
            not request.headers.get("hx-request") else [], "path": request.url.path}
    return templates.TemplateResponse(request, name, base | (ctx or {}), status_code=status)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def query_without(request: Request, *drop: str, **put) -> str:
    """The current query string without ``drop`` and with ``put`` (pagination links)."""
    from urllib.parse import urlencode
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in drop and k not in put and v != ""]
    items += [(k, str(v)) for k, v in put.items()]
    return urlencode(items)
