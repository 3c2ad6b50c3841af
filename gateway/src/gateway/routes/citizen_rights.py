"""/v1/citizens/{number}/arco | cancel | opposition: personal-data rights (derechos ARCO).

- ``GET …/arco?reason=`` (supervisor, admin): ONE document with everything the platform
  holds about the person. Citizens composes it (RPC ``arco_document``: its own record,
  merged records, changes, oppositions and access-log entries, then intake's reports,
  routing's records of them, surveys' entries and each channel service of its setting
  ``CHANNEL_SERVICES``; a channel that does not answer is ``{"status": "no disponible"}``
  and listed in ``incomplete_sources``, still 200; see services/citizens/README.md); the
  gateway adds its own audit entries targeting the citizen and audits the read.
- ``POST …/cancel`` ``{reason}`` (supervisor, admin): irreversible anonymisation; citizens
  publishes ``citizen_cancelled`` per number and intake and surveys erase what they hold.
- ``POST …/opposition`` ``{scopes, reason}`` (operator, supervisor, admin): the person
  opposes surveys and/or contact; citizens publishes ``citizen_opposed``; surveys keeps
  the opt-out list.

Who may is citizens' decision (``domain.authorize``: the roles above today; 403
``prohibido`` for the others), taken before anyone else is asked."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..auth import CurrentUser, actor_of, audit_event, store
from ..auth.deps import AuthDep
from ..params import CitizenNumber

router = APIRouter(prefix="/v1/citizens", tags=["ciudadanos"])

Reason = Annotated[str, Query(min_length=3, max_length=500,
                              description="motivo (p. ej. folio de la solicitud ARCO); queda en la bitácora")]
#: citizens waits at most 5 s for intake, then 5 s for routing (surveys and the channels meanwhile)
ARCO_RPC_TIMEOUT = 30


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "solicitud ARCO de cancelación, oficio DAC/123/2026"}]})
    reason: str = Field(min_length=3, max_length=500)


class OppositionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "scopes": ["surveys"], "reason": "no desea recibir encuestas telefónicas"}]})
    scopes: list[Literal["surveys", "contact"]] = Field(min_length=1, max_length=2)
    reason: str = Field(min_length=3, max_length=500)


def _iso(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.date)) else value


async def _audit_entries(auth, numbers: list[int]) -> list[dict]:
    log = store.audit_log
    async with auth.db().connect() as conn:
        rows = await conn.execute(sa.select(log).where(log.c.target.in_([f"citizen:{n}" for n in numbers]))
                                  .order_by(log.c.id))
        return [{k: _iso(v) for k, v in r._mapping.items()} for r in rows]


@router.get("/{number:int}/arco", summary="Derecho de acceso (ARCO): todo lo que la plataforma guarda del ciudadano")
async def arco_access(number: CitizenNumber, request: Request, user: CurrentUser, reason: Reason,
                      auth: AuthDep) -> dict[str, Any]:
    doc = await request.app.state.call("citizens", "arco_document", actor_of(user), number, reason,
                                       timeout=ARCO_RPC_TIMEOUT)
    numbers, missing, services = doc["numbers"], doc["incomplete_sources"], doc["services"]
    audit = await _audit_entries(auth, numbers)
    await audit_event(request, "citizen.arco_access", target=f"citizen:{doc['number']}",
                      detail={"numbers": numbers, "reason": reason, "reports": len(services["routing"]["reports"]),
                              "incomplete_sources": missing})
    return {"citizen_number": doc["number"], "numbers": numbers, "incomplete_sources": missing,
            "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(), "generated_by": user.username,
            "services": services | {"gateway": {"audit_log": audit}}}


@router.post("/{number:int}/cancel", summary="Derecho de cancelación (ARCO): anonimiza al ciudadano en toda la "
                                             "plataforma (irreversible)")
async def cancel_citizen(number: CitizenNumber, body: CancelIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    out = await request.app.state.call("citizens", "cancel_citizen", actor_of(user), number, body.reason)
    if not out["already_cancelled"]:
        await audit_event(request, "citizen.cancelled", target=f"citizen:{out['number']}",
                          detail={"numbers": out["numbers"], "reason": body.reason})
    return out


@router.post("/{number:int}/opposition", summary="Derecho de oposición (ARCO): a encuestas y/o a ser contactado")
async def oppose(number: CitizenNumber, body: OppositionIn, request: Request, user: CurrentUser) -> dict[str, Any]:
    out = await request.app.state.call("citizens", "oppose", actor_of(user), number, body.scopes, body.reason)
    if out["added"]:
        await audit_event(request, "citizen.opposed", target=f"citizen:{out['number']}",
                          detail={"scopes": out["added"], "reason": body.reason})
    return out
