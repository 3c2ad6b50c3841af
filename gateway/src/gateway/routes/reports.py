"""POST /v1/reports (file a report) and GET /v1/reports/{folio} (read one back).

Concurrent POSTs travel to intake as one ``create_reports`` call (``batching.py``); the
read is ``report_view.read_report``: routing's view, or intake's record while routing has
not seen the report yet. Who may read which report is the services' decision."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from ..auth import Principal, apikeys, staff_or_key
from ..errors import error_from_answer
from ..params import Folio
from ..report_view import read_report
from ..schemas import ReportCreated, ReportIn, ReportOut
from ..tracing import rpc_context

router = APIRouter(prefix="/v1/reports", tags=["reportes"])

#: who may try to file: any staff user, or a channel key holding ``reports:create`` (the
#: key's own surface). Intake decides who files with which channel (``prohibido``,
#: ``canal_no_permitido``): agency staff and auditors do not capture reports, block
#: leaders and channel keys file with their own channel only.
Filer = Annotated[Principal, Depends(staff_or_key(scopes=(apikeys.REPORTS_CREATE,), kinds=(apikeys.CHANNEL,)))]
#: any staff user or a key with ``reports:read`` (routing, or intake before routing, decides
#: which reports); citizens read theirs with the tracking token (``/v1/track/{folio}``).
ReportReader = Annotated[Principal, Depends(staff_or_key(scopes=(apikeys.REPORTS_READ,)))]


async def file_report(request: Request, payload: dict, actor: dict, idempotency_key: str | None) -> dict:
    """One report filed by ``actor`` through the batcher to intake; ``ApiError`` with
    intake's answer (intake decides who may file with which channel)."""
    answer = await request.app.state.report_batcher.submit({"payload": payload, "idempotency_key": idempotency_key,
                                                            "actor": actor, "trace": rpc_context()})
    if "error" in answer:
        raise error_from_answer(answer["error"])
    return answer["report"]


@router.post("", status_code=201, response_model=ReportCreated, summary="Registrar un reporte ciudadano")
async def create_report(report: ReportIn, request: Request, response: Response, principal: Filer,
                        idempotency_key: Annotated[str | None, Header(max_length=200)] = None):
    out = await file_report(request, report.model_dump(), principal.actor(), idempotency_key)
    if not out.get("created", True):
        response.headers["Idempotent-Replayed"] = "true"
    return out | {"status": "captured"}


@router.get("/{folio:int}", response_model=ReportOut, summary="Consultar un reporte")
async def get_report(folio: Folio, request: Request, who: ReportReader):
    return await read_report(request.app.state.call, folio, who.actor())
