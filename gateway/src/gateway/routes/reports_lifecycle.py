"""/v1/reports/{folio}/…: the lifecycle of a report over routing's RPCs — start, finish
(with the closing intervention), not viable, reopen, reassign, share, interventions.

Who may do what with a report is routing's decision (its ``policy``): any signed-in
staff user reaches these routes and routing answers 403 ``prohibido`` (404 for a report
the user may not see at all). Department API keys (``X-API-Key``, kind ``department``)
read (``reports:read``) and write back — start, finish, interventions
(``reports:write``) — and routing checks the department (a shared report only for
reading and interventions); the key's kind and scopes are the gateway's own data. Every change carries the version read (body ``version`` or
``If-Match``; 428 without it, 409 ``version_desactualizada`` when stale, 409
``transicion_invalida`` for an illegal transition) and lands in the audit log."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ..params import Folio
from ..auth import CurrentUser, Principal, actor_of, apikeys, audit_event, staff_or_key
from .. import uploads, versioning

router = APIRouter(prefix="/v1/reports", tags=["seguimiento de reportes"])

#: any staff user (routing decides), or a department key with the scope (routing checks its department)
_DEPT = (apikeys.DEPARTMENT,)
ActingOrKey = Annotated[Principal, Depends(staff_or_key(scopes=(apikeys.REPORTS_WRITE,), kinds=_DEPT))]
ReadingOrKey = Annotated[Principal, Depends(staff_or_key(scopes=(apikeys.REPORTS_READ,), kinds=_DEPT))]
IfMatch = Annotated[str | None, Header(description="la versión leída, p. ej. \"3\" (o «version» en el cuerpo)")]

class Versioned(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(default=None, ge=1, description="la versión que leyó (o el encabezado If-Match)")


class StartIn(Versioned):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 1, "text": "Cuadrilla 3 en camino"}]})
    text: str | None = Field(default=None, max_length=4000, description="nota opcional al iniciar")


class FinishIn(Versioned):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"version": 2, "text": "Se cambió la lámpara y se probó el circuito."}]})
    text: str | None = Field(default=None, max_length=4000, description="la intervención de cierre (obligatoria)")


class ReasonIn(Versioned):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 3, "reason": "El ciudadano informa que la lámpara sigue apagada"}]})
    reason: str | None = Field(default=None, max_length=4000)


class ReassignIn(Versioned):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"version": 2, "agency": "SIAP", "department": "SIAP-ESPECIALES", "reason": "Es un animal muerto"}]})
    agency: str = Field(min_length=1, max_length=60)
    department: str = Field(min_length=1, max_length=60)
    reason: str | None = Field(default=None, max_length=4000)


class ShareIn(Versioned):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"version": 2, "agency": "MA", "department": "MA-ARBOLADO"}]})
    agency: str = Field(min_length=1, max_length=60)
    department: str = Field(min_length=1, max_length=60)


class InterventionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"text": "Se revisó el poste; falta el balastro, se solicita material"}]})
    text: str = Field(min_length=1, max_length=4000)


# --------------------------------------------------------------------------- helpers

async def routing(request: Request, method: str, *args):
    return await request.app.state.call("routing", method, *args)


async def _with_evidence(request: Request, method: str, *args, evidence: list[dict]):
    """A routing call whose last argument is the evidence files, sent only when there are
    some (with the longer ``EVIDENCE_RPC_TIMEOUT``)."""
    if not evidence:
        return await routing(request, method, *args)
    return await request.app.state.call("routing", method, *args, evidence,
                                        timeout=uploads.upload_limits().rpc_timeout)


async def _change(request: Request, response: Response, who, folio: int, body: Versioned, if_match: str | None,
                  method: str, action: str, *args, detail: dict | None = None, evidence: list[dict] = ()) -> dict:
    """A lifecycle change against the version the client read (body or If-Match): routing's
    ``method`` as ``who``, audited as ``action``; the new version goes back in ``ETag``."""
    version = versioning.version_of(body.version, if_match, "del reporte")
    out = await _with_evidence(request, method, actor_of(who), folio, version, *args, evidence=evidence)
    await audit_event(request, action, target=f"report:{folio}",
                      detail={"from_version": version, "version": out["version"], "status": out["status"],
                              "agency": out["agency"], "department": out["department"]} | (detail or {}))
    response.headers["ETag"] = versioning.etag(out["version"])
    return out


# --------------------------------------------------------------------------- reads

@router.get("/{folio:int}/assignment", summary="Asignación vigente (versión en ETag), compartidos e historial")
async def get_assignment(folio: Folio, request: Request, response: Response, user: ReadingOrKey) -> dict[str, Any]:
    out = await routing(request, "get_assignment", folio, actor_of(user))
    response.headers["ETag"] = versioning.etag(out["version"])
    return out


@router.get("/{folio:int}/interventions", summary="Intervenciones (seguimiento) de un reporte, la más antigua primero")
async def list_interventions(folio: Folio, request: Request, user: ReadingOrKey) -> list[dict[str, Any]]:
    return await routing(request, "list_interventions", folio, actor_of(user))


# --------------------------------------------------------------------------- changes

@router.post("/{folio:int}/start", summary="Iniciar la atención (Capturado → Proceso)")
async def start(folio: Folio, body: StartIn, request: Request, response: Response, user: ActingOrKey,
                if_match: IfMatch = None) -> dict[str, Any]:
    return await _change(request, response, user, folio, body, if_match, "start_report", "report.started", body.text)


@router.post("/{folio:int}/finish", summary="Terminar con la intervención de cierre (Proceso → Terminado)",
             description="JSON `{version, text}`, o `multipart/form-data` con `version`, `text` y archivos de "
                         "evidencia (`files`) que quedan en la intervención de cierre, en la misma transacción.",
             openapi_extra=uploads.multipart_openapi(FinishIn, "evidencia del cierre"))
async def finish(folio: Folio, request: Request, response: Response, user: ActingOrKey,
                 if_match: IfMatch = None) -> dict[str, Any]:
    body, evidence = await uploads.read_body(request, FinishIn)
    return await _change(request, response, user, folio, body, if_match, "finish_report", "report.finished",
                         body.text, detail={"evidence_files": len(evidence)} if evidence else None, evidence=evidence)


@router.post("/{folio:int}/not-viable", summary="Marcar como no viable, con el motivo")
async def not_viable(folio: Folio, body: ReasonIn, request: Request, response: Response, user: CurrentUser,
                     if_match: IfMatch = None) -> dict[str, Any]:
    return await _change(request, response, user, folio, body, if_match, "mark_not_viable", "report.not_viable",
                         body.reason, detail={"reason": body.reason})


@router.post("/{folio:int}/reopen", summary="Reabrir un reporte terminado o no viable (supervisión, administración)")
async def reopen(folio: Folio, body: ReasonIn, request: Request, response: Response, user: CurrentUser,
                 if_match: IfMatch = None) -> dict[str, Any]:
    return await _change(request, response, user, folio, body, if_match, "reopen_report", "report.reopened",
                         body.reason, detail={"reason": body.reason})


@router.post("/{folio:int}/reassign", summary="Reasignar a otra dependencia/departamento (conserva fecha límite)")
async def reassign(folio: Folio, body: ReassignIn, request: Request, response: Response, user: CurrentUser,
                   if_match: IfMatch = None) -> dict[str, Any]:
    return await _change(request, response, user, folio, body, if_match, "reassign_report", "report.reassigned",
                         body.agency, body.department, body.reason, detail={"reason": body.reason})


@router.post("/{folio:int}/share", summary="Compartir con otro departamento (ve y documenta; solo el dueño cierra)")
async def share(folio: Folio, body: ShareIn, request: Request, response: Response, user: CurrentUser,
                if_match: IfMatch = None) -> dict[str, Any]:
    return await _change(request, response, user, folio, body, if_match, "share_report", "report.shared",
                         body.agency, body.department,
                         detail={"shared_agency": body.agency, "shared_department": body.department})


@router.post("/{folio:int}/interventions", status_code=201, summary="Documentar una intervención (inmutable)",
             description="JSON `{text}`, o `multipart/form-data` con `text` y archivos de evidencia (`files`): "
                         "la intervención y sus archivos se guardan juntos o nada (413 `evidencia_muy_grande`, "
                         "422 `tipo_de_evidencia_no_permitido`, 422 `demasiadas_evidencias`).",
             openapi_extra=uploads.multipart_openapi(InterventionIn, "evidencia"))
async def add_intervention(folio: Folio, request: Request, user: ActingOrKey) -> dict[str, Any]:
    body, evidence = await uploads.read_body(request, InterventionIn)
    out = await _with_evidence(request, "add_intervention", actor_of(user), folio, body.text, evidence=evidence)
    await audit_event(request, "report.intervention_added", target=f"report:{folio}",
                      detail={"intervention_id": out["id"], "kind": out["kind"]}
                      | ({"evidence_ids": [e["id"] for e in out.get("evidence", [])]} if evidence else {}))
    return out
