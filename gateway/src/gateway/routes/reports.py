"""POST /v1/reports (file a report) and GET /v1/reports/{folio} (read one back).

Concurrent POSTs travel to intake as one ``create_reports`` call (``batching.py``); the
read is ``report_view.read_report``: routing's view, or intake's record while routing has
not seen the report yet. Who may read which report is the services' decision."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from ..auth import Principal, Role, apikeys, staff_or_key
from ..errors import ApiError, error_from_answer
from ..params import Folio
from ..report_view import read_report
from ..schemas import ReportCreated, ReportIn, ReportOut
from ..tracing import rpc_context

router = APIRouter(prefix="/v1/reports", tags=["reportes"])

#: who may file a report: front-desk staff, supervisors, admins, block leaders (their own
#: channel only) and channel keys with ``reports:create`` (their channel only). Agency
#: staff and auditors do not capture reports.
Filer = Annotated[Principal, Depends(staff_or_key(Role.operator, Role.supervisor, Role.admin, Role.block_leader,
                                                  scopes=(apikeys.REPORTS_CREATE,), kinds=(apikeys.CHANNEL,)))]
#: any staff user or a key with ``reports:read`` (routing, or intake before routing, decides
#: which reports); citizens read theirs with the tracking token (``/v1/track/{folio}``).
ReportReader = Annotated[Principal, Depends(staff_or_key(scopes=(apikeys.REPORTS_READ,)))]


def bound_channel(principal: Principal, block_leader_channel: str) -> str | None:
    """The only channel ``principal`` may file with, when it is bound to one."""
    if principal.key is not None:
        return principal.key.channel
    if principal.user is not None and principal.user.role == Role.block_leader:
        return block_leader_channel
    return None


async def file_report(request: Request, payload: dict, created_by: str, idempotency_key: str | None) -> dict:
    """One report through the batcher to intake; ``ApiError`` with intake's answer."""
    answer = await request.app.state.report_batcher.submit({"payload": payload, "idempotency_key": idempotency_key,
                                                            "created_by": created_by, "trace": rpc_context()})
    if "error" in answer:
        raise error_from_answer(answer["error"])
    return answer["report"]


@router.post("", status_code=201, response_model=ReportCreated, summary="Registrar un reporte ciudadano")
async def create_report(report: ReportIn, request: Request, response: Response, principal: Filer,
                        idempotency_key: Annotated[str | None, Header(max_length=200)] = None):
    bound = bound_channel(principal, request.app.state.auth.settings.block_leader_channel)
    if bound is not None and bound != report.channel:
        raise ApiError(403, "canal_no_permitido", f"Solo puede registrar reportes del canal «{bound}».")
    out = await file_report(request, report.model_dump(), principal.name, idempotency_key)
    if not out.get("created", True):
        response.headers["Idempotent-Replayed"] = "true"
    return out | {"status": "captured"}


@router.get("/{folio:int}", response_model=ReportOut, summary="Consultar un reporte")
async def get_report(folio: Folio, request: Request, who: ReportReader):
    return await read_report(request.app.state.call, folio, who.actor())
