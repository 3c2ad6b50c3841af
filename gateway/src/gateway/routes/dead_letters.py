"""/v1/admin/dead-letters: events that failed their delivery limit, kept by the
deadletters service (services/deadletters), which decides who may list and replay them
(administrators only) and answers 403 ``prohibido`` to anybody else. The gateway
authenticates, passes the actor and records every look and every replay in its audit log."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..auth import CurrentUser, actor_of, audit_event
from ..params import MAX_BIGINT, Offset

router = APIRouter(prefix="/v1/admin/dead-letters", tags=["operación"])


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


async def deadletters(request: Request, method: str, *args):
    return await request.app.state.call("deadletters", method, *args)


@router.get("", response_model=DeadLetterPage, summary="Mensajes en la cola de mensajes muertos (administración)")
async def list_dead_letters(request: Request, user: CurrentUser, queue: str | None = None,
                            event_type: str | None = None,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50,
                            offset: Offset = 0):
    page = await deadletters(request, "list_dead_letters", actor_of(user),
                             {"queue": queue, "event_type": event_type}, limit, offset)
    await audit_event(request, "dead_letters.listed", detail={"queue": queue, "event_type": event_type,
                                                             "returned": len(page["items"]), "total": page["total"]})
    return page


@router.post("/replay", response_model=ReplayOut, summary="Reenviar mensajes muertos a su destino original")
async def replay_dead_letters(request: Request, body: ReplayIn, user: CurrentUser):
    result = await deadletters(request, "replay_dead_letters", actor_of(user), None if body.all else body.ids)
    await audit_event(request, "dead_letters.replayed", target=",".join(map(str, result["replayed"])) or None,
                      detail={"requested": "all" if body.all else body.ids, **result})
    return result
