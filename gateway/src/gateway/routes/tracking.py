"""Public tracking of a report by its folio and the short token given with it, and the
citizen's own reopening of a closure they dispute.

Folios are sequential: the token is what keeps one citizen from reading another's report.
The answer carries no personal data (no citizen number, no description, no intervention
texts): status, dates, the responsible agency and the status history."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..auth import audit_event
from ..errors import ApiError
from ..params import Folio

router = APIRouter(prefix="/v1/track", tags=["seguimiento ciudadano"])


def _view(report: dict, assignment: dict) -> dict:
    return {
        "folio": report["folio"], "petition_type": report["petition_type"], "status": assignment["status"],
        "agency": assignment["agency"], "department": assignment["department"],
        "created_at": report["created_at"], "due_at": report["due_at"],
        "colonia": report["location"]["colonia"],
        "history": [{"status": h.get("to_status"), "kind": h.get("kind"), "at": h.get("at")}
                    for h in assignment.get("history", [])],
    }


@router.get("/{folio}", summary="Seguimiento público de un reporte (folio y clave)")
async def track(request: Request, folio: Folio, token: str = Query(min_length=4, max_length=64)):
    call = request.app.state.call
    report = await call("intake", "track_report", folio, token)
    try:
        assignment = await call("routing", "get_assignment", folio)
    except ApiError as exc:
        if exc.status != 404:
            raise
        assignment = {"status": "captured", "agency": report["agency"], "department": report["department"],
                      "history": []}
    return _view(report, assignment)


class CitizenReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"token": "K7Q2M9XA", "reason": "La lámpara se volvió a apagar el mismo día"}]})
    token: str = Field(min_length=4, max_length=64, description="la clave que recibió con el folio")
    reason: str = Field(min_length=3, max_length=2000, description="por qué no quedó resuelto")


@router.post("/{folio}/reopen", summary="El ciudadano reabre su reporte terminado (folio y clave), dentro del plazo")
async def citizen_reopen(request: Request, folio: Folio, body: CitizenReopenIn):
    """A citizen disputes the closure: the folio's token proves it is theirs (404 otherwise,
    as for tracking); routing applies the reopening window (409 ``reapertura_fuera_de_plazo``)
    and the lifecycle (409 ``transicion_invalida`` when the report is not closed)."""
    call = request.app.state.call
    report = await call("intake", "track_report", folio, body.token)
    try:
        assignment = await call("routing", "get_assignment", folio)
    except ApiError as exc:
        if exc.status != 404:
            raise
        raise ApiError(409, "transicion_invalida", f"El reporte {folio} aún no está terminado.") from None
    citizen = f"ciudadano:folio-{folio}"
    actor = {"username": citizen, "role": "citizen", "agency": None, "department": None}
    out = await call("routing", "reopen_report", actor, folio, assignment["version"], body.reason)
    await audit_event(request, "report.reopened", target=f"report:{folio}", actor_name=citizen,
                      detail={"by": "citizen", "version": out["version"]})
    return _view(report, out)
