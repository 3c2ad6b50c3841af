"""Public tracking of a report by its folio and the short token given with it, and the
citizen's own reopening of a closure they dispute.

Folios are sequential: the token is what keeps one citizen from reading another's report.
The answer carries no personal data (no citizen number, no description, no intervention
texts): status, dates, the responsible agency and the status history."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..auth import audit_event, citizen_actor
from ..errors import ApiError
from ..params import Folio
from ..report_view import compose, read_report, tracking_view

router = APIRouter(prefix="/v1/track", tags=["seguimiento ciudadano"])


async def _tracked(request: Request, folio: int, token: str) -> dict:
    """The report of ``folio`` for the citizen holding its ``token`` (intake checks it: 404
    otherwise), read as that citizen."""
    call = request.app.state.call
    received = await call("intake", "track_report", folio, token)
    return await read_report(call, folio, citizen_actor(folio), received=received)


@router.get("/{folio:int}", summary="Seguimiento público de un reporte (folio y clave)")
async def track(request: Request, folio: Folio, token: str = Query(min_length=4, max_length=64)):
    return tracking_view(await _tracked(request, folio, token))


class CitizenReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"token": "K7Q2M9XA", "reason": "La lámpara se volvió a apagar el mismo día"}]})
    token: str = Field(min_length=4, max_length=64, description="la clave que recibió con el folio")
    reason: str = Field(min_length=3, max_length=2000, description="por qué no quedó resuelto")


@router.post("/{folio:int}/reopen", summary="El ciudadano reabre su reporte terminado (folio y clave), dentro del plazo")
async def citizen_reopen(request: Request, folio: Folio, body: CitizenReopenIn):
    """A citizen disputes the closure: the folio's token proves it is theirs (404 otherwise,
    as for tracking); routing applies the reopening window (409 ``reapertura_fuera_de_plazo``)
    and the lifecycle (409 ``transicion_invalida`` when the report is not closed)."""
    report = await _tracked(request, folio, body.token)
    if not report["assigned"]:
        raise ApiError(409, "transicion_invalida", f"El reporte {folio} aún no está terminado.")
    out = await request.app.state.call("routing", "reopen_report", citizen_actor(folio), folio, report["version"],
                                       body.reason)
    await audit_event(request, "report.reopened", target=f"report:{folio}", actor_name=f"ciudadano:folio-{folio}",
                      detail={"by": "citizen", "version": out["version"]})
    return tracking_view(compose(report, out))
