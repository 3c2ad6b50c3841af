"""SAC public HTTP API. Service calls go over RabbitMQ with an asyncio client of nameko's
RPC protocol (``rpc.AsyncRpcClient``): no threadpool, no blocking call in the event loop."""
from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from sacinfra.telemetry import counter, histogram, setup_tracing

from .auth import Auth
from .auth.deps import unavailable
from .batching import CallBatcher
from .errors import ApiError, api_error_handler, http_error_handler, remote_to_api, validation_error_handler
from .openapi import document_errors
from .routes import ROUTERS
from .rpc import AsyncRpcClient, RemoteCallError, ServiceUnavailable
from .settings import SERVICES, Settings
from .tracing import TracingMiddleware, rpc_context

HTTP_REQUESTS = counter("gateway_http_requests_total", "HTTP requests", ("method", "route", "status"))
HTTP_SECONDS = histogram("gateway_http_request_seconds", "HTTP request duration", ("method", "route"))


def create_app(settings: Settings | None = None) -> FastAPI:
    # the uvicorn entry point builds its settings here: a missing JWT_SECRET stops it
    settings = settings or Settings().require_secret()
    setup_tracing("gateway")
    rpc = AsyncRpcClient(settings.amqp_uri, timeout=settings.rpc_timeout)
    auth = Auth.from_settings(settings)  # staff users: the gateway's own database

    @asynccontextmanager
    async def lifespan(app):
        await auth.open()
        await rpc.connect()
        yield
        await rpc.close()
        await auth.close()

    # FastAPI's native telemetry would open a second server span per request, never
    # exported here; TracingMiddleware gives the one span whose context rides on RPC calls.
    app = FastAPI(title="SAC — Sistema de Atención Ciudadana", version="1.0.0", lifespan=lifespan,
                  telemetry={"tracing": False},
                  description="API pública de SAC: reportes ciudadanos, seguimiento y estadísticas.")
    app.state.rpc = rpc
    app.state.auth = auth
    app.add_exception_handler(ApiError, api_error_handler)
    for router in ROUTERS:
        app.include_router(router)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)  # unknown route, method
    fastapi_openapi = app.openapi

    def openapi() -> dict:  # FastAPI's document, plus the errors every operation may answer
        if app.openapi_schema is None:
            document_errors(fastapi_openapi())
        return app.openapi_schema

    app.openapi = openapi

    async def call(service: str, method: str, *args, timeout: float | None = None, **kwargs):
        try:
            return await rpc.call(service, method, *args, context=rpc_context(), timeout=timeout, **kwargs)
        except RemoteCallError as exc:
            raise remote_to_api(exc) from None
        except ServiceUnavailable as exc:
            raise unavailable(f"No fue posible atender la solicitud: {exc}.") from None  # 503 + Retry-After

    app.state.call = call
    # concurrent POSTs travel to intake as one create_reports call (see batching.py)
    report_batcher = CallBatcher(lambda requests: call("intake", "create_reports", requests))
    app.state.report_batcher = report_batcher  # Open311 POST requests travel the same way

    @app.middleware("http")
    async def metrics_mw(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        HTTP_REQUESTS.labels(request.method, path, str(response.status_code)).inc()
        HTTP_SECONDS.labels(request.method, path).observe(time.perf_counter() - started)
        return response

    app.add_middleware(TracingMiddleware)

    @app.get("/health", tags=["operación"], summary="Salud de todos los servicios")
    async def health():
        async def one(name):
            try:
                return name, (await rpc.call(name, "health", timeout=3.0))["status"]
            except Exception as exc:  # a service down must not make /health a 500
                return name, f"error: {type(exc).__name__}: {str(exc)[:200]}"  # which dependency is down

        results = dict(await asyncio.gather(*(one(s) for s in SERVICES)))
        ok = all(v == "ok" for v in results.values())
        return JSONResponse({"status": "ok" if ok else "degraded", "services": results},
                            status_code=200 if ok else 503)

    @app.get("/healthz", include_in_schema=False)
    async def healthz():
        return PlainTextResponse("ok\n")

    @app.get("/readyz", include_in_schema=False)
    async def readyz():
        try:
            await rpc.connect()
        except Exception as exc:
            return PlainTextResponse(f"broker: {exc}\n", status_code=503)
        return PlainTextResponse("ok\n")

    @app.get("/metrics", include_in_schema=False)
    async def metrics():
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app


def __getattr__(name):  # ``uvicorn gateway.app:app`` builds the app on first access
    if name == "app":
        globals()["app"] = create_app()
        return globals()["app"]
    raise AttributeError(name)
