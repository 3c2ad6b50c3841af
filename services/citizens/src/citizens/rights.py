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

from .domain import authorize, require_reason
from .exceptions import Conflict, InvalidInput, NotFound
from .handlers import _citizen, _log, _now, _number

SCOPES = ("surveys", "contact")
ERASED = "[suprimido]"
#: what a cancelled record keeps in the NOT NULL name columns
CANCELLED_NAME = "[cancelado]"
MAX_ACCESS_LOG = 5000


def _person_numbers(uow, number: int, lock: bool = False) -> tuple[int, list[int]]:
    """(kept number, [kept] + numbers merged into it) of the person behind ``number``;
    a merged number resolves to the record it redirects to."""
    row = uow.citizen(number)
    if row is None:
        raise NotFound(f"No existe el ciudadano número {number}.", "ciudadano_no_encontrado")
    kept = row["merged_into"] or row["number"]
    numbers = [kept] + uow.merged_numbers(kept)
    if lock:
        uow.lock_citizens(numbers)
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


def oppositions_of(uow, numbers: list[int]) -> list[dict]:
    return [_opposition(r) | {"number": r["number"]} for r in uow.oppositions(numbers)]


# =========================================================================== opposition

def oppose(uow, actor, number, scopes, reason) -> dict:
    """Record the person's opposition to surveys and/or contact (idempotent per scope)."""
    who = authorize(actor, "oppose")
    reason = require_reason(reason)
    number = _number(number)
    scopes = _scopes(scopes)
    with uow:
        kept, numbers = _person_numbers(uow, number, lock=True)
        if uow.citizen(kept)["cancelled_at"] is not None:
            raise Conflict(f"Los datos del ciudadano {kept} se cancelaron: ya no se le contacta.",
                           "ciudadano_cancelado")
        at = _now()
        added = uow.add_oppositions([{"number": kept, "scope": scope, "reason": reason, "author": who.username,
                                      "at": at} for scope in scopes])
        if added:
            uow.add_change({"number": kept, "kind": "opposition", "author": who.username, "reason": reason,
                            "at": at, "before": {}, "after": {"opposed_to": added}})
            uow.add_events([("citizen_opposed", {"number": n, "scopes": added, "opposed_at": at.isoformat()}, None)
                            for n in numbers])
        current = oppositions_of(uow, [kept])
    return {"number": kept, "numbers": numbers, "added": added, "oppositions": current}


# =========================================================================== cancellation

def _erased(values) -> dict:
    """A rectification's before/after with every value replaced (field names stay)."""
    return {k: ERASED for k in (values or {})}


def cancel_citizen(uow, actor, number, reason) -> dict:
    """Irreversibly anonymise the person behind ``number`` (and every number merged into
    it). Repeating it changes nothing (``already_cancelled``). After the commit a
    best-effort VACUUM (outside the transaction) drops the old row versions."""
    who = authorize(actor, "cancel")
    reason = require_reason(reason)
    number = _number(number)
    with uow:
        kept, numbers = _person_numbers(uow, number, lock=True)
        todo = uow.not_cancelled(numbers)
        if not todo:
            at = uow.citizen(kept)["cancelled_at"]
            return {"number": kept, "numbers": numbers, "cancelled_at": at.isoformat(), "already_cancelled": True}
        at = _now()
        uow.anonymise(todo, {
            "given_names": CANCELLED_NAME, "first_surname": CANCELLED_NAME, "second_surname": None, "name_norm": "",
            "sex": None, "birth_date": None, "phones": [], "email": None, "colonia": None, "colonia_norm": None,
            "street": None, "ext_number": None, "postal_code": None, "address_references": None, "updated_at": at,
            "cancelled_at": at, "cancelled_by": who.username})
        for r in uow.changes(todo, kind="rectification"):
            uow.rewrite_change(r["id"], _erased(r["before"]), _erased(r["after"]))
        uow.add_change({"number": kept, "kind": "cancellation", "author": who.username, "reason": reason, "at": at,
                        "before": {}, "after": {"cancelled_numbers": todo}})
        uow.add_events([("citizen_cancelled", {"number": n, "cancelled_at": at.isoformat()}, None) for n in todo])
        _log(uow, who, numbers, "cancellation", reason)
    uow.vacuum(("citizens", "citizen_changes"))
    return {"number": kept, "numbers": numbers, "cancelled_at": at.isoformat(), "already_cancelled": False}


# =========================================================================== access

def arco_access(uow, actor, number, reason) -> dict:
    """Everything citizens holds about the person behind ``number``: the record(s),
    rectification/merge/opposition/cancellation history, the access-log entries about
    them, oppositions and block-leader roster entries linked to the person."""
    who = authorize(actor, "arco_access")
    reason = require_reason(reason)
    number = _number(number)
    with uow:
        kept, numbers = _person_numbers(uow, number)
        rows = uow.citizens_by_number(numbers)
        changes = [{"number": r["number"], "kind": r["kind"], "author": r["author"], "reason": r["reason"],
                    "at": r["at"].isoformat(), "before": r["before"], "after": r["after"]}
                   for r in uow.changes(numbers)]
        access = [{"at": r["at"].isoformat(), "username": r["username"], "role": r["role"],
                   "citizen_number": r["citizen_number"], "action": r["action"], "reason": r["reason"]}
                  for r in uow.access_log_about(numbers, MAX_ACCESS_LOG)]
        leaders = [{"id": r["id"], "kind": r["kind"], "block": r["block"], "colonia": r["colonia"],
                    "status": r["status"], "username": r["username"], "citizen_number": r["citizen_number"]}
                   for r in uow.leaders_of_citizens(numbers)]
        _log(uow, who, numbers, "arco_access", reason)
        return {
            "number": kept, "numbers": numbers,
            "record": _citizen(rows[kept], numbers[1:]),
            "merged_records": [_citizen(rows[n]) for n in numbers[1:]],
            "changes": changes,
            "merges": [x for x in changes if x["kind"] == "merge"],
            "oppositions": oppositions_of(uow, numbers),
            "access_log": access,
            "block_leader_roster": leaders,
        }
