"""Use cases of surveys, plain functions over a sacinfra UnitOfWork (no nameko imports).

The opt-out list: citizens who opposed surveys or contact (``citizens.citizen_opposed``)
or whose data was cancelled (``citizens.citizen_cancelled``) are never sampled nor
called. Both handlers are idempotent (by ``event_id``, and by citizen and scope).
Surveys holds no answers or phone numbers yet (sampling and answers come with their own
issue); when it does, ``record_cancellation`` is where they are erased."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sacinfra.errors import InvalidInput

from . import store

o = store.opt_outs
SCOPES = ("surveys", "contact")


def _add(uow, number: int, scopes, at: str, event_id: str) -> int:
    stmt = pg_insert(o).values([{"citizen_number": number, "scope": s, "at": datetime.fromisoformat(at),
                                 "event_id": str(event_id)} for s in scopes])
    return len(uow.session.execute(stmt.on_conflict_do_nothing().returning(o.c.scope)).all())


def record_opposition(uow, envelope: dict) -> int:
    """``citizen_opposed`` → the number joins the opt-out list for its scopes."""
    if not uow.claim("surveys.citizen_opposed", envelope["event_id"]):
        uow.rollback()
        return 0
    d = envelope["data"]
    scopes = [s for s in d.get("scopes") or SCOPES if s in SCOPES] or list(SCOPES)
    added = _add(uow, d["number"], scopes, d["opposed_at"], envelope["event_id"])
    uow.commit()
    return added


def record_cancellation(uow, envelope: dict) -> int:
    """``citizen_cancelled`` → the number is never sampled nor called again."""
    if not uow.claim("surveys.citizen_cancelled", envelope["event_id"]):
        uow.rollback()
        return 0
    d = envelope["data"]
    added = _add(uow, d["number"], ["cancelled"], d["cancelled_at"], envelope["event_id"])
    uow.commit()
    return added


def _number(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("El número de ciudadano debe ser un entero positivo.", "numero_invalido")
    return value


def may_contact(uow, citizen_number) -> bool:
    """False when the citizen opposed surveys or contact or cancelled their data; the
    sampling must skip reports filed under such a number. None (anonymous report): False,
    there is nobody to call."""
    if citizen_number is None:
        return False
    number = _number(citizen_number)
    found = uow.session.execute(sa.select(o.c.scope).where(o.c.citizen_number == number).limit(1)).first()
    uow.rollback()
    return found is None


def arco_access(uow, citizen_numbers) -> dict:
    """What surveys holds about the citizen: the opt-out entries (answers: none kept yet)."""
    values = citizen_numbers if isinstance(citizen_numbers, (list, tuple)) else [citizen_numbers]
    numbers = [_number(v) for v in values]
    rows = uow.session.execute(sa.select(o).where(o.c.citizen_number.in_(numbers))
                               .order_by(o.c.citizen_number, o.c.scope)).mappings().all()
    uow.rollback()
    return {"citizen_numbers": numbers,
            "opt_outs": [{"citizen_number": r["citizen_number"], "scope": r["scope"], "at": r["at"].isoformat()}
                         for r in rows],
            "answers": []}
