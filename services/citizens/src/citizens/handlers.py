"""Use cases of citizens, plain functions over citizens' ``store.Store`` (its repository
over one unit of work). Each runs inside ``with uow:``, which commits at the end or rolls
back on error; none writes SQL (that is ``store.py``) and none decides a permission
itself (that is ``domain.authorize``).

Every read of personal data takes the ``actor`` and a ``reason`` and writes rows to
``personal_data_access_log`` (who, when, which citizen, why) in the same transaction as
the read. Events carry the citizen number only."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from sacinfra.settings import municipal_tz

from . import normalize, schemas
from .domain import REPORT_SCOPED, authorize, require_reason
from .exceptions import Conflict, InvalidInput, NotFound

#: pg_trgm similarity from which a registered name counts as a likely duplicate.
DUPLICATE_SIMILARITY = 0.6
#: pg_trgm similarity for a name search that found no name containing every word (typos).
SEARCH_SIMILARITY = 0.6
MAX_DUPLICATES = 10
MAX_LIMIT = 100
#: personal data (rectifiable): API name -> column
PERSONAL = {"given_names": "given_names", "first_surname": "first_surname", "second_surname": "second_surname",
            "sex": "sex", "birth_date": "birth_date", "phones": "phones", "email": "email"}
ADDRESS = {"colonia": "colonia", "street": "street", "number": "ext_number", "postal_code": "postal_code",
           "references": "address_references"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _today() -> date:
    try:
        return datetime.now(municipal_tz()).date()
    except Exception:  # no tz database
        return datetime.now(timezone.utc).date()


def age(birth: date | None, today: date | None = None) -> int | None:
    if birth is None:
        return None
    today = today or _today()
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _full_name(row) -> str:
    return " ".join(p for p in (row["given_names"], row["first_surname"], row["second_surname"]) if p)


def _citizen(row, merged_numbers: list[int] | None = None) -> dict:
    return {
        "number": row["number"], "given_names": row["given_names"], "first_surname": row["first_surname"],
        "second_surname": row["second_surname"], "full_name": _full_name(row), "sex": row["sex"],
        "birth_date": row["birth_date"].isoformat() if row["birth_date"] else None, "age": age(row["birth_date"]),
        "phones": list(row["phones"] or []), "email": row["email"],
        "address": {k: row[col] for k, col in ADDRESS.items()},
        "consent": row["consent"], "privacy_notice_version": row["privacy_notice_version"],
        "channel": row["channel"], "created_by": row["created_by"], "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(), "merged_into": row["merged_into"],
        "merged_numbers": merged_numbers or [],
        "cancelled_at": row["cancelled_at"].isoformat() if row.get("cancelled_at") else None,
    }


def _summary(row) -> dict:
    """What an operator needs to recognise a person in a list."""
    return {"number": row["number"], "full_name": _full_name(row), "phones": list(row["phones"] or []),
            "colonia": row["colonia"], "street": row["street"],
            "birth_date": row["birth_date"].isoformat() if row["birth_date"] else None, "age": age(row["birth_date"])}


def _log(uow, who, numbers, action: str, reason: str) -> None:
    """Access-log rows: one per citizen whose personal data is returned (one with no
    citizen when a search finds nobody)."""
    numbers = list(dict.fromkeys(numbers)) or [None]
    at = _now()
    uow.log_access([{"at": at, "username": who.username, "role": who.role, "citizen_number": n,
                     "action": action, "reason": reason} for n in numbers])


def _number(value, what: str = "número de ciudadano") -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"El {what} debe ser un entero positivo.", "numero_invalido")
    if isinstance(value, str) and value.strip().lstrip("#").isdigit():
        value = int(value.strip().lstrip("#"))
    if not isinstance(value, int) or value < 1 or value > 2**62:
        raise InvalidInput(f"El {what} debe ser un entero positivo.", "numero_invalido")
    return value


def _columns(values: dict) -> dict:
    """Loaded personal data (API shape) -> column values, with the normalised keys."""
    out = {col: values[k] for k, col in PERSONAL.items() if k in values}
    for k, col in ADDRESS.items():
        if k in (values.get("address") or {}):
            out[col] = values["address"][k]
    return out


# =========================================================================== duplicates

def find_duplicates(uow, name_norm: str, colonia_norm: str | None, phones: list[str]) -> list[dict]:
    """Likely duplicates of a person: same phone, same name in the same colonia, or a
    close name (pg_trgm similarity ≥ DUPLICATE_SIMILARITY). Merged records are left out."""
    rows = uow.duplicate_candidates(name_norm, colonia_norm, phones, DUPLICATE_SIMILARITY, MAX_DUPLICATES)
    out = []
    for r in rows:
        reasons = [k for k, hit in (("same_phone", r["same_phone"]), ("same_name_colonia", r["same_name_colonia"]),
                                    ("similar_name", r["score"] >= DUPLICATE_SIMILARITY)) if hit]
        out.append(_summary(r) | {"reasons": reasons, "similarity": round(float(r["score"]), 3)})
    return out


# =========================================================================== registration

def register_citizen(uow, actor, data, force: bool = False) -> dict:
    """``{"created": citizen}``, or ``{"duplicates": [...]}`` (likely the same person,
    for the operator to choose) without creating anything; ``force=True`` creates anyway."""
    who = authorize(actor, "register")
    values = schemas.load(schemas.citizen_schema, data)
    values["phones"] = list(dict.fromkeys(values["phones"]))
    row = _columns(values)
    row["name_norm"] = normalize.full_name_key(values["given_names"], values["first_surname"],
                                               values["second_surname"])
    row["colonia_norm"] = normalize.name_key(row.get("colonia")) or None
    with uow:
        if not force:
            duplicates = find_duplicates(uow, row["name_norm"], row["colonia_norm"], row["phones"])
            if duplicates:
                _log(uow, who, [d["number"] for d in duplicates], "duplicate_check",
                     "registro de ciudadano: posibles duplicados")
                return {"duplicates": duplicates}
        at = _now()
        created = uow.insert_citizen(row | {
            "consent": values["consent"], "privacy_notice_version": values["privacy_notice_version"],
            "channel": values["channel"], "created_by": who.username, "created_at": at, "updated_at": at})
        uow.add_events([("citizen_registered", {"number": created["number"], "channel": created["channel"],
                                                "registered_at": at.isoformat()}, None)])
        _log(uow, who, [created["number"]], "register", "registro de ciudadano")
    return {"created": _citizen(created)}


# =========================================================================== reads

def get_citizen(uow, actor, number, reason, sees_reports=None) -> dict:
    """One citizen; a merged number redirects to the kept record (``redirected_from``).
    A ``REPORT_SCOPED`` actor (agency staff) reads only a person behind a report it sees:
    ``sees_reports(actor, numbers)`` asks routing (None: it sees none); for the others the
    citizen does not exist (NotFound, as for a number nobody has)."""
    who = authorize(actor, "read")
    reason = require_reason(reason)
    number = _number(number)
    with uow:
        row = uow.citizen(number)
        if row is None:
            raise NotFound(f"No existe el ciudadano número {number}.", "ciudadano_no_encontrado")
        redirected = None
        if row["merged_into"] is not None:
            redirected = number
            row = uow.citizen(row["merged_into"])
        if who.role in REPORT_SCOPED and not (
                sees_reports and sees_reports(actor, [row["number"]] + uow.merged_numbers(row["number"]))):
            raise NotFound(f"No existe el ciudadano número {number} entre los de los reportes que usted atiende.",
                           "ciudadano_no_encontrado")
        _log(uow, who, [row["number"]], "read", reason)
        out = _citizen(row, uow.merged_numbers(row["number"]))
    return out | {"redirected_from": redirected}


def _search_rows(uow, query: str, limit: int) -> tuple[str, list]:
    phone = normalize.phone(query)
    compact = re.sub(r"[\s#]", "", query)
    if phone:
        return "phone", [(r, 1.0) for r in uow.by_phone(phone, limit)]
    if compact.isdigit():
        row = uow.citizen(int(compact))
        if row is not None and row["merged_into"] is not None:
            row = uow.citizen(row["merged_into"])
        return "number", [(row, 1.0)] if row is not None else []
    key = normalize.name_key(query)
    tokens = key.split()
    if not any(len(t) >= 3 for t in tokens):
        raise InvalidInput("Escriba al menos tres letras seguidas del nombre.", "busqueda_muy_corta")
    # every word of the query inside the name (partial: «guad hern»), ranked by trigram
    # similarity to the whole query; for a typo («hernandes»), close names (slower: only then)
    rows = uow.by_name_words(tokens, key, limit) or uow.by_similar_name(key, SEARCH_SIMILARITY, limit)
    return "name", [(r, float(r["score"])) for r in rows]


def search_citizens(uow, actor, query, reason, limit: int = 20) -> dict:
    """Citizens by number, phone or name (accent- and case-insensitive, partial, ranked):
    ``{"mode": "number"|"phone"|"name", "items": [summary + score]}``."""
    who = authorize(actor, "search")
    reason = require_reason(reason)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"El límite debe estar entre 1 y {MAX_LIMIT}.", "limite_invalido")
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("Indique número, teléfono o nombre a buscar.", "busqueda_vacia")
    with uow:
        mode, found = _search_rows(uow, query.strip()[:200], limit)
        items = [_summary(r) | {"score": round(score, 3)} for r, score in found]
        _log(uow, who, [i["number"] for i in items], "search", reason)
    return {"mode": mode, "items": items}


# =========================================================================== rectification

def _snapshot(row) -> dict:
    out = {k: row[col] for k, col in PERSONAL.items()} | {k: row[col] for k, col in ADDRESS.items()}
    out["birth_date"] = out["birth_date"].isoformat() if out["birth_date"] else None
    out["phones"] = list(out["phones"] or [])
    return out


def _flat(values: dict) -> dict:
    out = {k: values[k] for k in PERSONAL if k in values}
    out |= dict(values.get("address") or {})
    if isinstance(out.get("birth_date"), date):
        out["birth_date"] = out["birth_date"].isoformat()
    if "phones" in out:
        out["phones"] = list(dict.fromkeys(out["phones"]))
    return out


def update_citizen(uow, actor, number, changes, reason) -> dict:
    """Rectify personal data; ``citizen_changes`` keeps who, when, why, before and after."""
    who = authorize(actor, "rectify")
    reason = require_reason(reason)
    number = _number(number)
    values = schemas.load(schemas.citizen_changes_schema, changes)
    if not values or values == {"address": {}}:
        raise InvalidInput("Indique qué datos se rectifican.", "sin_cambios")
    with uow:
        row = uow.citizen(number, lock=True)
        if row is None:
            raise NotFound(f"No existe el ciudadano número {number}.", "ciudadano_no_encontrado")
        if row["merged_into"] is not None:
            raise Conflict(f"El ciudadano {number} se fusionó en el {row['merged_into']}: rectifique ese registro.",
                           "ciudadano_fusionado")
        if row["cancelled_at"] is not None:
            raise Conflict(f"Los datos del ciudadano {number} se cancelaron (derecho ARCO): no se rectifican.",
                           "ciudadano_cancelado")
        before = _snapshot(row)
        after = before | _flat(values)
        changed = [k for k in before if before[k] != after[k]]
        if changed:
            cols = {PERSONAL.get(k) or ADDRESS[k]: after[k] for k in changed}
            if "birth_date" in cols and cols["birth_date"]:
                cols["birth_date"] = date.fromisoformat(cols["birth_date"])
            cols["name_norm"] = normalize.full_name_key(after["given_names"], after["first_surname"],
                                                        after["second_surname"])
            cols["colonia_norm"] = normalize.name_key(after["colonia"]) or None
            at = _now()
            uow.update_citizen(number, cols | {"updated_at": at})
            uow.add_change({"number": number, "kind": "rectification", "author": who.username, "reason": reason,
                            "at": at, "before": {k: before[k] for k in changed},
                            "after": {k: after[k] for k in changed}})
        _log(uow, who, [number], "rectification" if changed else "read", reason)
        out = _citizen(uow.citizen(number), uow.merged_numbers(number))
    return out | {"changed_fields": changed}


def citizen_changes(uow, actor, number, reason) -> list[dict]:
    """The rectification and merge history of a citizen (personal data: logged)."""
    who = authorize(actor, "read_changes")
    reason = require_reason(reason)
    number = _number(number)
    with uow:
        rows = uow.changes([number])
        _log(uow, who, [number], "read", reason)
    return [{"kind": r["kind"], "author": r["author"], "reason": r["reason"], "at": r["at"].isoformat(),
             "before": r["before"], "after": r["after"]} for r in rows]


# =========================================================================== merge

def merge_citizens(uow, actor, keep, merge, reason: str | None = None) -> dict:
    """Mark ``merge`` as merged into ``keep``: its number redirects to ``keep`` (and so
    do numbers merged into it before). Nothing else moves: reports stay with the number
    they were filed under. Repeating the same merge changes nothing."""
    who = authorize(actor, "merge")
    reason = require_reason(reason) if reason is not None else "fusión de registros duplicados"
    keep, merge = _number(keep, "número que se conserva"), _number(merge, "número que se fusiona")
    if keep == merge:
        raise InvalidInput("No se puede fusionar un registro consigo mismo.", "fusion_invalida")
    with uow:
        rows = uow.citizens_by_number([keep, merge], lock=True)
        for n in (keep, merge):
            if n not in rows:
                raise NotFound(f"No existe el ciudadano número {n}.", "ciudadano_no_encontrado")
        if rows[keep]["merged_into"] is not None:
            raise Conflict(f"El ciudadano {keep} ya se fusionó en el {rows[keep]['merged_into']}.",
                           "ciudadano_fusionado")
        for n in (keep, merge):
            if rows[n]["cancelled_at"] is not None:
                raise Conflict(f"Los datos del ciudadano {n} se cancelaron (derecho ARCO): no se fusionan.",
                               "ciudadano_cancelado")
        already = rows[merge]["merged_into"]
        if already is not None and already != keep:
            raise Conflict(f"El ciudadano {merge} ya se fusionó en el {already}.", "ciudadano_fusionado")
        if already is None:
            at = _now()
            uow.merge(merge, keep, at)
            uow.add_change({"number": merge, "kind": "merge", "author": who.username, "reason": reason, "at": at,
                            "before": {"merged_into": None}, "after": {"merged_into": keep}})
            uow.add_events([("citizens_merged", {"kept": keep, "merged": merge, "merged_at": at.isoformat()}, None)])
            _spread_oppositions(uow, keep, at)
        _log(uow, who, [keep, merge], "merge", reason)
        return _citizen(uow.citizen(keep), uow.merged_numbers(keep))


def _spread_oppositions(uow, keep: int, at: datetime) -> None:
    """After a merge, an opposition made under any number of the person covers all of
    them: ``citizen_opposed`` for every number with the union of the scopes (consumers
    keep (number, scope) once, so repeats change nothing)."""
    numbers = [keep] + uow.merged_numbers(keep)
    scopes = sorted({o["scope"] for o in uow.oppositions(numbers)})
    if scopes:
        uow.add_events([("citizen_opposed", {"number": n, "scopes": scopes, "opposed_at": at.isoformat()}, None)
                        for n in numbers])


# =========================================================================== access log

def list_access_log(uow, actor, citizen_number=None, username: str | None = None, since: str | None = None,
                    until: str | None = None, limit: int = 100, offset: int = 0) -> dict:
    """Who read which citizen's personal data, when and why — auditors and admins."""
    authorize(actor, "read_access_log")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1000:
        raise InvalidInput("El límite debe estar entre 1 y 1000.", "limite_invalido")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidInput("El desplazamiento no puede ser negativo.", "desplazamiento_invalido")
    number = _number(citizen_number) if citizen_number is not None else None
    when = {}
    for name, value in (("since", since), ("until", until)):
        if value:
            try:
                when[name] = datetime.fromisoformat(value)
                if when[name].tzinfo is None:
                    raise ValueError
            except (TypeError, ValueError):
                raise InvalidInput("Fecha inválida (ISO 8601 con zona horaria).", "fecha_invalida") from None
    with uow:
        rows, total = uow.access_log(number, username or None, when.get("since"), when.get("until"), limit, offset)
    items = [{"id": r["id"], "at": r["at"].isoformat(), "username": r["username"], "role": r["role"],
              "citizen_number": r["citizen_number"], "block_leader_id": r["block_leader_id"], "action": r["action"],
              "reason": r["reason"]} for r in rows]
    return {"items": items, "total": total, "limit": limit, "offset": offset}
