"""/v1/admin/dead-letters: events that failed their delivery limit (administrators only;
every look and every replay lands in the audit log).

The router's lifespan runs the mover (``gateway.dead_letters.Mover``) that takes each
message out of RabbitMQ's ``sac.dead-letter`` into the gateway's table, so listing reads
a table (no redelivery, no reordering, nothing lost) and replaying publishes to the
original exchange and routing key with confirms, then deletes the row.
``DEAD_LETTER_MOVER=0`` turns the mover off (another replica does it)."""
from __future__ import annotations

import datetime as dt
import os
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .. import dead_letters as dl
from ..auth import Role, User, audit_event, require_roles
from ..auth.deps import db_outage
from ..params import MAX_BIGINT, Offset
from ..errors import ApiError


@asynccontextmanager
async def lifespan(app: FastAPI):
    mover = None
    auth = getattr(app.state, "auth", None)
    if os.environ.get("DEAD_LETTER_MOVER", "1") != "0" and auth is not None and auth.engine is not None:
        mover = dl.Mover(auth.settings.amqp_uri, auth.engine)
        mover.start()
    app.state.dead_letter_mover = mover
    try:
        yield
    finally:
        if mover is not None:
            await mover.stop()


router = APIRouter(prefix="/v1/admin/dead-letters", tags=["operación"], lifespan=lifespan)
AdminUser = Annotated[User, Depends(require_roles(Role.admin))]


class DeadLetter(BaseModel):
    id: int
    event_id: str
    event_type: str | None
    producer: str | None
    queue: str = Field(description="la cola cuyo consumidor lo rechazó (x-death)")
    exchange: str = Field(description="el exchange al que se publicó originalmente")
    routing_key: str
    reason: str = Field(description="delivery_limit, rejected, expired…")
    count: int = Field(description="veces que murió (x-death count)")
    first_death_at: dt.datetime | None
    received_at: dt.datetime
    payload: Any = Field(description="el evento (sin datos personales: los eventos no los llevan)")


class DeadLetterPage(BaseModel):
    items: list[DeadLetter]
    total: int
    limit: int
    offset: int


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"ids": [12]}, {"all": True}]})
    ids: list[Annotated[int, Field(ge=1, le=MAX_BIGINT)]] | None = Field(default=None, min_length=1, max_length=1000)
    all: bool = False

    @model_validator(mode="after")
    def one_choice(self):
        if (self.ids is None) == (not self.all):
            raise ValueError("indique «ids» o «all»: true (solo uno de los dos)")
        return self


class ReplayOut(BaseModel):
    replayed: list[int]
    failed: list[dict]


def _engine(request: Request):
    return request.app.state.auth.db()


@router.get("", response_model=DeadLetterPage, summary="Mensajes en la cola de mensajes muertos (administración)")
async def list_dead_letters(request: Request, user: AdminUser, queue: str | None = None,
                            event_type: str | None = None,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50,
                            offset: Offset = 0):
    engine = _engine(request)
    with db_outage():
        items, total = await dl.list_page(engine, queue=queue, event_type=event_type, limit=limit, offset=offset)
        await dl.waiting(engine)
    await audit_event(request, "dead_letters.listed", detail={"queue": queue, "event_type": event_type,
                                                             "returned": len(items), "total": total})
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@router.post("/replay", response_model=ReplayOut, summary="Reenviar mensajes muertos a su destino original")
async def replay_dead_letters(request: Request, body: ReplayIn, user: AdminUser):
    engine = _engine(request)
    try:
        result = await dl.replay(engine, request.app.state.auth.settings.amqp_uri, None if body.all else body.ids)
    except dl.NotFound as exc:
        raise ApiError(404, "mensaje_no_encontrado",
                       f"No hay mensajes muertos con id {', '.join(map(str, exc.ids))}; no se reenvió nada.") from None
    except OSError as exc:
        raise ApiError(503, "servicio_no_disponible", f"No fue posible conectar con RabbitMQ: {exc}.") from None
    await audit_event(request, "dead_letters.replayed", target=",".join(map(str, result["replayed"])) or None,
                      detail={"requested": "all" if body.all else body.ids, **result})
    return result
