"""SAC public HTTP API. Service calls go over RabbitMQ with an asyncio client of nameko's
RPC protocol (``rpc.AsyncRpcClient``): no threadpool, no blocking call in the event loop."""
from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from sacinfra.tracing import setup_tracing

from .auth import Auth, Principal, Role, apikeys, staff_or_key
from .auth.errors import HeaderApiError, header_api_error_handler
from .batching import CallBatcher
from .errors import (ApiError, api_error_handler, error_from_answer, http_error_handler, remote_to_api,
                     validation_error_handler)
from .openapi import document_errors
from .params import Folio
from .reports_query import READ_ROLES
from .routes import ROUTERS
from .rpc import AsyncRpcClient, RemoteCallError, ServiceUnavailable
from .schemas import ReportCreated, ReportIn, ReportOut, Summary
from .settings import SERVICES, Settings
from .tracing import TracingMiddleware, rpc_context

HTTP_REQUESTS = Counter("gateway_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_SECONDS = Histogram("gateway_http_request_seconds", "HTTP request duration", ["method", "route"])

#: who may file a report: front-desk staff, supervisors, admins, block leaders (their own
#: channel only) and channel keys with ``reports:create`` (their channel only). Agency
#: staff and auditors do not capture reports.
Filer = Annotated[Principal, Depends(staff_or_key(Role.operator, Role.supervisor, Role.admin, Role.block_leader,
                                                  scopes=(apikeys.REPORTS_CREATE,), kinds=(apikeys.CHANNEL,)))]
#: who may read one report: staff (agency staff: their agency's and shared ones; block
#: leaders: those they filed) and partner keys with ``reports:read`` (a department key: its
#: department's and shared ones; a channel key: those filed through its channel). Citizens
#: read theirs with the tracking token (``/v1/track/{folio}``): folios are sequential.
ReportReader = Annotated[Principal, Depends(staff_or_key(*READ_ROLES, scopes=(apikeys.REPORTS_READ,)))]


def channel_allowed(principal: Principal, channel: str, block_leader_channel: str) -> str | None:
    """The only channel ``principal`` may file reports with, when it is bound to one and
    ``channel`` is another (else None)."""
    if principal.key is not None:
        bound = principal.key.channel
    elif principal.user is not None and principal.user.role == Role.block_leader:
        bound = block_leader_channel
    else:
        return None
    return bound if channel != bound else None


def hidden_report(folio: int) -> ApiError:
    return ApiError(404, "reporte_no_encontrado", f"No existe el reporte con folio {folio}.")


def key_view(key, folio: int, report, assignment):
    """What a partner key may read of a report: a department key its department's reports
    and those shared with it (routing refused the actor: 403 becomes 404, the report is
    not there for it); a channel key the reports filed through its channel."""
    hidden = hidden_report(folio)
    if key.kind == apikeys.DEPARTMENT:
        if isinstance(assignment, ApiError) and assignment.status in (403, 404):
            return hidden, assignment  # not routed yet: not its department's either
    elif not isinstance(report, BaseException) and report.get("channel") != key.channel:
        return hidden, assignment
    return report, assignment


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
    app.add_exception_handler(HeaderApiError, header_api_error_handler)
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
            raise ApiError(503, "servicio_no_disponible", f"No fue posible atender la solicitud: {exc}.") from None

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

    @app.post("/v1/reports", status_code=201, response_model=ReportCreated, tags=["reportes"],
              summary="Registrar un reporte ciudadano")
    async def create_report(report: ReportIn, response: Response, principal: Filer,
                            idempotency_key: Annotated[str | None, Header(max_length=200)] = None):
        bound = channel_allowed(principal, report.channel, settings.block_leader_channel)
        if bound is not None:
            raise ApiError(403, "canal_no_permitido", f"Solo puede registrar reportes del canal «{bound}».")
        answer = await report_batcher.submit({"payload": report.model_dump(), "idempotency_key": idempotency_key,
                                              "created_by": principal.name, "trace": rpc_context()})
        if "error" in answer:
            raise error_from_answer(answer["error"])
        out = answer["report"]
        if not out.get("created", True):
            response.headers["Idempotent-Replayed"] = "true"
        return {"folio": out["folio"], "due_at": out["due_at"], "tracking_token": out["tracking_token"],
                "status": "captured", "petition_type": out["petition_type"], "agency": out["agency"],
                "department": out["department"], "created_at": out["created_at"]}

    @app.get("/v1/reports/{folio}", response_model=ReportOut, tags=["reportes"], summary="Consultar un reporte")
    async def get_report(folio: Folio, who: ReportReader):
        key, role = who.key, who.user.role if who.user is not None else None
        if role == Role.block_leader:  # only the reports it filed (routing knows who filed)
            mine = await call("routing", "query_reports", who.actor(), {"folios": [folio]}, 1, 1)
            if mine["total"] == 0:
                raise hidden_report(folio)
        scoped = (key is not None and key.kind == apikeys.DEPARTMENT) or role == Role.agency_staff
        report, assignment = await asyncio.gather(call("intake", "get_report", folio, who.actor()),
                                                  call("routing", "get_assignment", folio,
                                                       who.actor() if scoped else None),
                                                  return_exceptions=True)
        if key is not None:
            report, assignment = key_view(key, folio, report, assignment)
        elif role == Role.agency_staff and isinstance(assignment, ApiError) and assignment.status in (403, 404):
            raise hidden_report(folio)  # another agency's report, or not routed yet: not theirs either
        if isinstance(report, BaseException):
            raise report
        if isinstance(assignment, ApiError) and assignment.status == 404:
            assignment = {"status": "captured", "agency": report["agency"],
                          "department": report["department"], "history": []}
        elif isinstance(assignment, BaseException):
            raise assignment
        return report | {"status": assignment["status"], "agency": assignment["agency"],
                         "department": assignment["department"], "history": assignment.get("history", []),
                         "traffic_light": assignment.get("traffic_light")}

    @app.get("/v1/stats/summary", response_model=Summary, tags=["estadísticas"],
             summary="Resumen público de transparencia")
    async def stats_summary():
        return await call("stats", "summary")

    @app.get("/health", tags=["operación"], summary="Salud de todos los servicios")
    async def health():
        async def one(name):
            try:
                return name, (await rpc.call(name, "health", timeout=3.0))["status"]
            except Exception as exc:  # a service down must not make /health a 500
                return name, f"error: {type(exc).__name__}"

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
