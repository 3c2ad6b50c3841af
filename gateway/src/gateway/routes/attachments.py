"""/v1/reports/{folio}/attachments[/{id}]: the files the citizen sent with the report (a
WhatsApp photo, an email's attachments), kept by intake with the report.

Who may read them is who may read the report, decided as ``GET /v1/reports/{folio}`` is
(``report_view``): routing first (it answers for the reports it has routed, by agency,
department and share); while routing has not seen the report, or does not show it to
this actor, intake decides with the actor (``NotFound`` otherwise: a folio's existence
is not revealed). A file is served as evidence is (its type checked by content, images
inline, ``nosniff``, sandboxed) and every read is audited."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel, ConfigDict

from ..auth import audit_event
from ..params import MAX_BIGINT, Folio
from ..report_view import assignment_of
from ..uploads import FILE_RESPONSES, evidence_response, upload_limits
from .reports import ReportReader

router = APIRouter(prefix="/v1/reports", tags=["reportes"])

class AttachmentOut(BaseModel):
    """One file the citizen sent (intake's ``list_attachments``)."""
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 12, "folio": 345, "filename": "foto-whatsapp-1.jpg", "content_type": "image/jpeg", "size": 48213,
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "at": "2026-12-07T16:02:11+00:00"}]})
    id: int
    folio: int
    filename: str
    content_type: str
    size: int
    sha256: str
    at: str


AttachmentId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="id del adjunto (de la lista del reporte)")]


async def _reader(request: Request, folio: int, actor: dict) -> dict | None:
    """None when routing already lets ``actor`` read ``folio`` (intake serves the file
    without deciding again); else the actor, for intake to decide."""
    return None if await assignment_of(request.app.state.call, folio, actor) is not None else actor


@router.get("/{folio:int}/attachments", response_model=list[AttachmentOut],
            summary="Los archivos que el ciudadano envió con su reporte (lista)")
async def list_attachments(folio: Folio, request: Request, who: ReportReader):
    actor = who.actor()
    return await request.app.state.call("intake", "list_attachments", folio, await _reader(request, folio, actor))


@router.get("/{folio:int}/attachments/{attachment_id:int}", response_class=Response,
            summary="Un archivo que el ciudadano envió con su reporte (los mismos bytes que envió)",
            responses=FILE_RESPONSES)
async def get_attachment(folio: Folio, attachment_id: AttachmentId, request: Request, who: ReportReader,
                         if_none_match: Annotated[str | None, Header()] = None) -> Response:
    actor = who.actor()
    found = await request.app.state.call("intake", "get_attachment", folio, attachment_id,
                                         await _reader(request, folio, actor), timeout=upload_limits().rpc_timeout)
    # photos may show people or homes: who read which file is kept, like other personal data
    await audit_event(request, "report.attachment_read", target=f"report:{folio}",
                      detail={"attachment_id": found["id"]})
    return evidence_response(found, if_none_match)
