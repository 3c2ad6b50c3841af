"""Personal-data rights (derechos ARCO) held by citizens, plain functions over a UnitOfWork.

- **Opposition** (``oppose``): the person opposes surveys and/or contact; stored with
  who, when and why; ``citizen_opposed`` (number and scopes) is published for every
  number of the person (the kept one and those merged into it), so surveys never
  samples a report filed under any of them.
- **Cancellation** (``cancel_citizen``): irreversible anonymisation of every record of the
  person (kept and merged numbers): names, sex, birth date, phones, email, address and
  the normalised search columns; the old values kept by rectifications in
  ``citizen_changes`` are replaced by ``[suprimido]``. The number, channel, consent
  version and dates stay (reports keep counting). ``citizen_cancelled`` (number only) is
  published per number through the outbox; intake and surveys erase what they hold.
  The access log keeps who, when and why (it never held personal values).
- **Access** (``arco_access``): everything citizens holds about the person, in one
  document; the read itself is logged (``arco_access``).
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from . import store
from .domain import authorize, require_reason
from .exceptions import Conflict, InvalidInput, NotFound
from .handlers import _citizen, _log, _merged_numbers, _now, _number, transaction

log = logging.getLogger(__name__)

c = store.citizens
SCOPES = ("surveys", "contact")
ERASED = "[suprimido]"
#: what a cancelled record keeps in the NOT NULL name columns
CANCELLED_NAME = "[cancelado]"
MAX_ACCESS_LOG = 5000


def _person_numbers(s, number: int, lock: bool = False) -> tuple[int, list[int]]:
    """(kept number, [kept] + numbers merged into it) of the person behind ``number``;
    a merged number resolves to the record it redirects to."""
    row = s.execute(sa.select(c.c.number, c.c.merged_into).where(c.c.number == number)).first()
    if row is None:
        raise NotFound(f"No existe el ciudadano número {number}.", "ciudadano_no_encontrado")
    kept = row.merged_into or row.number
    numbers = [kept] + _merged_numbers(s, kept)
    if lock:
        s.execute(sa.select(c.c.number).where(c.c.number.in_(numbers)).order_by(c.c.number).with_for_update())
    return kept, numbers


def _scopes(scopes) -> list[str]:
    if isinstance(scopes, str):
        scopes = [scopes]
    if not isinstance(scopes, (list, tuple)) or not scopes or any(x not in SCOPES for x in scopes):
        raise InvalidInput("Indique a qué se opone el ciudadano: «surveys» (encuestas) y/o «contact» (contacto).",
                           "oposicion_invalida")
    return list(dict.fromkeys(scopes))


def _opposition(r) -> dict:
    return {"scope": r["scope"], "reason": r["reason"], "author": r["author"], "at": r["at"].isoformat()}


def oppositions_of(s, numbers: list[int]) -> list[dict]:
    o = store.oppositions
    rows = s.execute(sa.select(o).where(o.c.number.in_(numbers)).order_by(o.c.id)).mappings()
    return [_opposition(r) | {"number": r["number"]} for r in rows]


# =========================================================================== opposition

@transaction
def oppose(uow, actor, number, scopes, reason) -> dict:
    """Record the person's opposition to surveys and/or contact (idempotent per scope)."""
    who = authorize(actor, "oppose")
    reason = require_reason(reason)
    number = _number(number)
    scopes = _scopes(scopes)
    s = uow.session
    kept, numbers = _person_numbers(s, number, lock=True)
    if s.execute(sa.select(c.c.cancelled_at).where(c.c.number == kept)).scalar() is not None:
        raise Conflict(f"Los datos del ciudadano {kept} se cancelaron: ya no se le contacta.", "ciudadano_cancelado")
    at = _now()
    o = store.oppositions
    added = list(s.execute(pg_insert(o).values([
        {"number": kept, "scope": scope, "reason": reason, "author": who.username, "at": at} for scope in scopes])
        .on_conflict_do_nothing(constraint="opposition_once_per_scope").returning(o.c.scope)).scalars())
    if added:
        s.execute(sa.insert(store.citizen_changes).values(
            number=kept, kind="opposition", author=who.username, reason=reason, at=at,
            before={}, after={"opposed_to": added}))
        uow.add_events([("citizen_opposed", {"number": n, "scopes": added, "opposed_at": at.isoformat()}, None)
                        for n in numbers])
    current = oppositions_of(s, [kept])
    uow.commit()
    return {"number": kept, "numbers": numbers, "added": added, "oppositions": current}


# =========================================================================== cancellation

def _erased(values) -> dict:
    """A rectification's before/after with every value replaced (field names stay)."""
    return {k: ERASED for k in (values or {})}


@transaction
def cancel_citizen(uow, actor, number, reason) -> dict:
    """Irreversibly anonymise the person behind ``number`` (and every number merged into
    it). Repeating it changes nothing (``already_cancelled``)."""
    who = authorize(actor, "cancel")
    reason = require_reason(reason)
    number = _number(number)
    s = uow.session
    kept, numbers = _person_numbers(s, number, lock=True)
    todo = list(s.execute(sa.select(c.c.number).where(c.c.number.in_(numbers), c.c.cancelled_at.is_(None))
                          .order_by(c.c.number)).scalars())
    if not todo:
        at = s.execute(sa.select(c.c.cancelled_at).where(c.c.number == kept)).scalar()
        uow.rollback()
        return {"number": kept, "numbers": numbers, "cancelled_at": at.isoformat(), "already_cancelled": True}
    at = _now()
    s.execute(sa.update(c).where(c.c.number.in_(todo)).values(
        given_names=CANCELLED_NAME, first_surname=CANCELLED_NAME, second_surname=None, name_norm="",
        sex=None, birth_date=None, phones=[], email=None, colonia=None, colonia_norm=None, street=None,
        ext_number=None, postal_code=None, address_references=None, updated_at=at,
        cancelled_at=at, cancelled_by=who.username))
    ch = store.citizen_changes
    for r in s.execute(sa.select(ch.c.id, ch.c.before, ch.c.after).where(
            ch.c.number.in_(todo), ch.c.kind == "rectification")).mappings().all():
        s.execute(sa.update(ch).where(ch.c.id == r["id"]).values(before=_erased(r["before"]),
                                                                after=_erased(r["after"])))
    s.execute(sa.insert(ch).values(number=kept, kind="cancellation", author=who.username, reason=reason, at=at,
                                   before={}, after={"cancelled_numbers": todo}))
    uow.add_events([("citizen_cancelled", {"number": n, "cancelled_at": at.isoformat()}, None) for n in todo])
    _log(uow, who, numbers, "cancellation", reason)
    uow.commit()
    vacuum(uow.engine, ("citizens", "citizen_changes"))
    return {"number": kept, "numbers": numbers, "cancelled_at": at.isoformat(), "already_cancelled": False}


def vacuum(engine, tables) -> None:
    """Best effort after a cancellation: VACUUM removes the dead row versions that still
    held the old values (invisible to SQL, but in the data files until then)."""
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM " + ", ".join(tables)))
    except Exception:  # noqa: BLE001 — autovacuum does it later anyway
        log.warning("VACUUM after a cancellation failed; autovacuum will clean up", exc_info=True)


# =========================================================================== access

@transaction
def arco_access(uow, actor, number, reason) -> dict:
    """Everything citizens holds about the person behind ``number``: the record(s),
    rectification/merge/opposition/cancellation history, the access-log entries about
    them, oppositions and block-leader roster entries linked to the person."""
    who = authorize(actor, "arco_access")
    reason = require_reason(reason)
    number = _number(number)
    s = uow.session
    kept, numbers = _person_numbers(s, number)
    rows = {r["number"]: r for r in s.execute(sa.select(c).where(c.c.number.in_(numbers))).mappings()}
    ch, al, bl = store.citizen_changes, store.access_log, store.block_leaders
    changes = [{"number": r["number"], "kind": r["kind"], "author": r["author"], "reason": r["reason"],
                "at": r["at"].isoformat(), "before": r["before"], "after": r["after"]}
               for r in s.execute(sa.select(ch).where(ch.c.number.in_(numbers)).order_by(ch.c.id)).mappings()]
    access = [{"at": r["at"].isoformat(), "username": r["username"], "role": r["role"],
               "citizen_number": r["citizen_number"], "action": r["action"], "reason": r["reason"]}
              for r in s.execute(sa.select(al).where(al.c.citizen_number.in_(numbers))
                                 .order_by(al.c.id.desc()).limit(MAX_ACCESS_LOG)).mappings()]
    leaders = [{"id": r["id"], "kind": r["kind"], "block": r["block"], "colonia": r["colonia"],
                "status": r["status"], "username": r["username"], "citizen_number": r["citizen_number"]}
               for r in s.execute(sa.select(bl).where(bl.c.citizen_number.in_(numbers))).mappings()]
    _log(uow, who, numbers, "arco_access", reason)
    out = {
        "number": kept, "numbers": numbers,
        "record": _citizen(rows[kept], numbers[1:]),
        "merged_records": [_citizen(rows[n]) for n in numbers[1:]],
        "changes": changes,
        "merges": [x for x in changes if x["kind"] == "merge"],
        "oppositions": oppositions_of(s, numbers),
        "access_log": access,
        "block_leader_roster": leaders,
    }
    uow.commit()
    return out
