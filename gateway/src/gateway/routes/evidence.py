"""/v1/reports/{folio}/evidence/{id}: an evidence file of an intervention (photo, PDF),
for those who may read the report (routing's ``get_evidence`` decides); files are added
with ``POST …/interventions`` and ``POST …/finish`` as ``multipart/form-data``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response

from ..auth import audit_event
from ..params import MAX_BIGINT, Folio
from ..uploads import FILE_RESPONSES, evidence_response, upload_limits
from .reports_lifecycle import ReadingOrKey, actor_of

router = APIRouter(prefix="/v1/reports", tags=["seguimiento de reportes"])

EvidenceId = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="id de la evidencia (de la intervención)")]


@router.get("/{folio:int}/evidence/{evidence_id:int}", response_class=Response,
            summary="Un archivo de evidencia de una intervención (los mismos bytes que se subieron)",
            responses=FILE_RESPONSES)
async def get_evidence(folio: Folio, evidence_id: EvidenceId, request: Request, user: ReadingOrKey,
                       if_none_match: Annotated[str | None, Header()] = None) -> Response:
    evidence = await request.app.state.call("routing", "get_evidence", actor_of(user), folio, evidence_id,
                                            timeout=upload_limits().rpc_timeout)
    # photos may show people or homes: who read which file is kept, like other personal data
    await audit_event(request, "report.evidence_read", target=f"report:{folio}",
                      detail={"evidence_id": evidence["id"], "intervention_id": evidence["intervention_id"]})
    return evidence_response(evidence, if_none_match)
