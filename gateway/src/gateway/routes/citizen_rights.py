"""/v1/citizens/{number}/arco | cancel | opposition: personal-data rights (derechos ARCO).

- ``GET …/arco?reason=`` (supervisor, admin): ONE document with everything the platform
  holds about the person — citizens (record, merged records, changes, oppositions, access
  log entries about them), intake (their reports as received), routing (assignment,
  history and interventions of those reports), surveys (opt-out entries, answers) and the
  gateway's audit entries targeting the citizen. The read is logged by citizens and
  audited here.
- ``POST …/cancel`` ``{reason}`` (supervisor, admin): irreversible anonymisation; citizens
  publishes ``citizen_cancelled`` per number and intake and surveys erase what they hold.
- ``POST …/opposition`` ``{scopes, reason}`` (operator, supervisor, admin): the person
  opposes surveys and/or contact; citizens publishes ``citizen_opposed``; surveys keeps
  the opt-out list."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..auth import Role, User, actor_of, audit_event, require_roles, store
from ..auth.deps import AuthDep
from ..params import CitizenNumber
from ..report_view import routing_records

router = APIRouter(prefix="/v1/citizens", tags=["ciudadanos"])

RightsUser = Annotated[User, Depends(require_roles(Role.supervisor, Role.admin))]
WriterUser = Annotated[User, Depends(require_roles(Role.operator, Role.supervisor, Role.admin))]
Reason = Annotated[str, Query(min_length=3, max_length=500,
                              description="motivo (p. ej. folio de la solicitud ARCO); queda en la bitácora")]
MAX_REPORTS = 2000


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
async def arco_access(number: CitizenNumber, request: Request, user: RightsUser, reason: Reason,
                      auth: AuthDep) -> dict[str, Any]:
    call = request.app.state.call
    held = await call("citizens", "arco_access", actor_of(user), number, reason)
    numbers = held["numbers"]
    intake, surveys, audit = await asyncio.gather(call("intake", "arco_access", numbers),
                                                  call("surveys", "arco_access", numbers),
                                                  _audit_entries(auth, numbers))
    folios = [r["folio"] for r in intake["reports"]][:MAX_REPORTS]
    routing = await routing_records(call, folios, actor_of(user))
    await audit_event(request, "citizen.arco_access", target=f"citizen:{held['number']}",
                      detail={"numbers": numbers, "reason": reason, "reports": len(folios)})
    return {
        "citizen_number": held["number"], "numbers": numbers,
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(), "generated_by": user.username,
        "services": {
            "citizens": held,
            "intake": {"reports": intake["reports"]},
            "routing": {"reports": routing},
            "surveys": {"opt_outs": surveys["opt_outs"], "answers": surveys["answers"]},
            "gateway": {"audit_log": audit},
        },
    }


@router.post("/{number:int}/cancel", summary="Derecho de cancelación (ARCO): anonimiza al ciudadano en toda la "
                                             "plataforma (irreversible)")
async def cancel_citizen(number: CitizenNumber, body: CancelIn, request: Request, user: RightsUser) -> dict[str, Any]:
    out = await request.app.state.call("citizens", "cancel_citizen", actor_of(user), number, body.reason)
    if not out["already_cancelled"]:
        await audit_event(request, "citizen.cancelled", target=f"citizen:{out['number']}",
                          detail={"numbers": out["numbers"], "reason": body.reason})
    return out


@router.post("/{number:int}/opposition", summary="Derecho de oposición (ARCO): a encuestas y/o a ser contactado")
async def oppose(number: CitizenNumber, body: OppositionIn, request: Request, user: WriterUser) -> dict[str, Any]:
    out = await request.app.state.call("citizens", "oppose", actor_of(user), number, body.scopes, body.reason)
    if out["added"]:
        await audit_event(request, "citizen.opposed", target=f"citizen:{out['number']}",
                          detail={"scopes": out["added"], "reason": body.reason})
    return out
