"""Public tracking of a report by its folio and the short token given with it.

Folios are sequential: the token is what keeps one citizen from reading another's report.
The answer carries no personal data (no citizen number, no description, no intervention
texts): status, dates, the responsible agency and the status history."""
from __future__ import annotations



from fastapi import APIRouter, Query, Request

from ..params import Folio
from ..errors import ApiError

router = APIRouter(prefix="/v1/track", tags=["seguimiento ciudadano"])


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
    return {
        "folio": report["folio"], "petition_type": report["petition_type"], "status": assignment["status"],
        "agency": assignment["agency"], "department": assignment["department"],
        "created_at": report["created_at"], "due_at": report["due_at"],
        "colonia": report["location"]["colonia"],
        "history": [{"status": h.get("to_status"), "kind": h.get("kind"), "at": h.get("at")}
                    for h in assignment.get("history", [])],
    }



