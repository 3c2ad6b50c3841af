"""/v1/citizens/{number}/arco | cancel | opposition: personal-data rights (derechos ARCO).

- ``GET …/arco?reason=`` (supervisor, admin): ONE document with everything the platform
  holds about the person — citizens (record, merged records, changes, oppositions, access
  log entries about them), intake (their reports as received), routing (assignment,
  history and interventions of those reports), surveys (opt-out entries, answers), each
  channel service (``channels``: the citizen's addresses on that medium, conversation in
  progress, filings, every message with its delivery state) and the gateway's audit
  entries targeting the citizen. The read is logged by citizens and by each channel, and
  audited here. The channel services asked are the setting ``CHANNEL_SERVICES`` (nameko
  service names, comma-separated; default ``whatsapp,email``): adding a channel is a
  setting, not a change here. Each answers ``arco_access`` within
  ``CHANNEL_ARCO_TIMEOUT`` seconds (default 3); one that does not (or fails) is listed as
  ``{"status": "no disponible", …}`` and in ``incomplete_sources``, and the rest of the
  document is still given (200): an away channel must not block a legal deadline, and the
  document says plainly what it lacks so the request can be completed later.
- ``POST …/cancel`` ``{reason}`` (supervisor, admin): irreversible anonymisation; citizens
  publishes ``citizen_cancelled`` per number and intake and surveys erase what they hold.
- ``POST …/opposition`` ``{scopes, reason}`` (operator, supervisor, admin): the person
  opposes surveys and/or contact; citizens publishes ``citizen_opposed``; surveys keeps
  the opt-out list.

Who may is citizens' decision (``domain.authorize``: the roles above today; 403
``prohibido`` for the others), taken before the gateway asks anyone else."""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from ..auth import CurrentUser, actor_of, audit_event, store
from ..auth.deps import AuthDep
from ..errors import ApiError
from ..params import CitizenNumber
from ..report_view import routing_records

router = APIRouter(prefix="/v1/citizens", tags=["ciudadanos"])

Reason = Annotated[str, Query(min_length=3, max_length=500,
                              description="motivo (p. ej. folio de la solicitud ARCO); queda en la bitácora")]
MAX_REPORTS = 2000
UNAVAILABLE = "no disponible"
log = logging.getLogger(__name__)


def channel_services() -> list[str]:
    """``CHANNEL_SERVICES``: the channel services the ARCO document asks (nameko names)."""
    raw = os.environ.get("CHANNEL_SERVICES", "whatsapp,email")
    return list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))


async def _channel_data(call, name: str, numbers: list[int], actor: dict, reason: str) -> dict:
    """What channel ``name`` holds about ``numbers``, or why it is missing (away, slow,
    failing: the document says so instead of failing whole)."""
    timeout = float(os.environ.get("CHANNEL_ARCO_TIMEOUT", "3"))
    try:
        held = await asyncio.wait_for(call(name, "arco_access", numbers, actor, reason, timeout=timeout),
                                      timeout + 1)
    except (ApiError, asyncio.TimeoutError) as exc:
        if isinstance(exc, ApiError) and exc.status < 500:
            raise
        log.warning("ARCO: el canal %s no respondió: %s", name, getattr(exc, "detail", exc))
        return {"status": UNAVAILABLE, "detail": f"El servicio del canal «{name}» no respondió; consulte de nuevo "
                                                 "para completar el documento."}
    return {"status": "ok", "channel": held.get("channel"), "contacts": held["contacts"]}


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
    call = request.app.state.call
    held = await call("citizens", "arco_access", actor_of(user), number, reason)
    numbers = held["numbers"]
    names = channel_services()
    intake, surveys, audit, *held_by_channels = await asyncio.gather(
        call("intake", "arco_access", numbers), call("surveys", "arco_access", numbers),
        _audit_entries(auth, numbers),
        *(_channel_data(call, name, numbers, actor_of(user), reason) for name in names))
    channels = dict(zip(names, held_by_channels))
    missing = [f"channels.{n}" for n, c in channels.items() if c["status"] == UNAVAILABLE]
    folios = [r["folio"] for r in intake["reports"]][:MAX_REPORTS]
    routing = await routing_records(call, folios, actor_of(user))
    await audit_event(request, "citizen.arco_access", target=f"citizen:{held['number']}",
                      detail={"numbers": numbers, "reason": reason, "reports": len(folios),
                              "incomplete_sources": missing})
    return {
        "citizen_number": held["number"], "numbers": numbers, "incomplete_sources": missing,
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(), "generated_by": user.username,
        "services": {
            "citizens": held,
            "intake": {"reports": intake["reports"]},
            "routing": {"reports": routing},
            "surveys": {"opt_outs": surveys["opt_outs"], "answers": surveys["answers"]},
            "channels": channels,
            "gateway": {"audit_log": audit},
        },
    }


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
