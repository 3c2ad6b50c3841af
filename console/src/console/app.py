"""The console's FastAPI application: security headers on every answer, server-side
sessions, Spanish error pages, the screens (``views``) and the vendored static files."""
from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .gateway import Gateway, GatewayError, SessionExpired
from .sessions import COOKIE, SessionStore
from .settings import Settings
from .views import ROUTERS
from .web import HERE, Forbidden, NotSignedIn, is_htmx, render

log = logging.getLogger("console")

ERROR_TITLES = {400: "Solicitud no válida", 403: "Sin permiso", 404: "No encontrado", 405: "Operación no permitida",
                409: "Conflicto", 413: "Archivo demasiado grande", 422: "Datos no válidos", 429: "Demasiados intentos",
                500: "Error del sistema", 502: "Servicio no disponible", 503: "Servicio no disponible"}


def content_security_policy(settings: Settings) -> str:
    img = "'self' data: blob:" + (f" {settings.tile_origin}" if settings.tile_origin else "")
    return ("default-src 'self'; script-src 'self'; style-src 'self'; " f"img-src {img}; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def create_app(settings: Settings | None = None, gateway: Gateway | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app):
        yield
        await app.state.gateway.close()

    app = FastAPI(title="SAC · Consola", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.gateway = gateway or Gateway(settings.gateway_url, settings.gateway_timeout,
                                                    reference_ttl=settings.reference_ttl)
    app.state.sessions = SessionStore(settings.idle_timeout)
    csp = content_security_policy(settings)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        h = response.headers
        # the server's own time for the screen (gateway calls included): bench/console.py reads it
        h["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        h["Content-Security-Policy"] = csp
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "no-referrer"
        h["X-Frame-Options"] = "DENY"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        if not request.url.path.startswith("/static/"):
            h["Cache-Control"] = "no-store"
        if not settings.development:
            h["Strict-Transport-Security"] = "max-age=31536000"
        return response

    def error_page(request: Request, status: int, message: str):
        if getattr(request.state, "session", None) is None:  # the menu, when signed in
            request.state.session = app.state.sessions.get(request.cookies.get(COOKIE))
        if is_htmx(request):
            return render(request, "partials/error.html", {"status": status, "message": message}, status=200)
        return render(request, "error.html", {"status": status, "title": ERROR_TITLES.get(status, "Error"),
                                              "message": message}, status=status)

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn):
        if is_htmx(request):  # htmx follows HX-Redirect with a full page load
            return RedirectResponse("/login", status_code=200, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(SessionExpired)
    async def expired(request: Request, exc: SessionExpired):
        app.state.sessions.drop(request.cookies.get(COOKIE) or "")
        response = RedirectResponse("/login?expirada=1", status_code=303)
        if is_htmx(request):
            response.headers["HX-Redirect"] = "/login?expirada=1"
        return response

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden):
        return error_page(request, 403, "Su perfil no tiene acceso a esta pantalla.")

    @app.exception_handler(GatewayError)
    async def gateway_error(request: Request, exc: GatewayError):
        return error_page(request, exc.status if 400 <= exc.status < 500 else 502, exc.detail)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: HTTPException):
        message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else \
            "La página que busca no existe." if exc.status_code == 404 else "La solicitud no se pudo atender."
        return error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        return error_page(request, 422, "Revise los datos: hay campos con un formato no válido.")

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        log.exception("error en %s", request.url.path)
        return error_page(request, 500, "Ocurrió un error inesperado. Intente de nuevo; si persiste, avise a soporte.")

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        """Ready when the gateway answers (every screen needs it)."""
        try:
            r = await app.state.gateway.client.get("/healthz", timeout=3)
            ok = r.status_code == 200
        except Exception:  # noqa: BLE001 (any failure to reach it: not ready)
            ok = False
        return JSONResponse({"status": "ok" if ok else "sin_gateway"}, status_code=200 if ok else 503)

    app.add_middleware(GZipMiddleware, minimum_size=1024)  # Leaflet 148 KB → 42 KB on the wire
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app


def __getattr__(name):  # ``uvicorn console.app:app`` builds the app on first access
    if name == "app":
        return create_app()
    raise AttributeError(name)
