"""Reads for report lists (plain functions over a UnitOfWork): the name and phones of
the citizens of a page of reports, the numbers that match a citizen filter of
"Consultas" (name, sex, age range), and the numbers of one person (kept + merged).

- ``get_citizens`` returns personal data: one access-log row ``read`` per citizen
  returned, with the reason. Block leaders may call it too: the gateway asks only for
  the citizens of the reports the leader filed (routing scopes the rows first).
- ``find_numbers`` returns numbers only, found by personal data: one access-log row
  ``search`` without a number (the criteria are not stored: they are personal data).
- ``related_numbers`` returns numbers only, found by number: not logged."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from . import normalize, store
from .domain import authorize, require_reason
from .exceptions import InvalidInput, NotFound
from .handlers import _full_name, _log, _merged_numbers, _number, _today, transaction
from .schemas import SEXES

c = store.citizens
MAX_NUMBERS = 500
DEFAULT_FIND_LIMIT, MAX_FIND_LIMIT = 10_000, 50_000
MAX_AGE = 130


@transaction
def get_citizens(uow, actor, numbers, reason) -> dict:
    """``{"items": [{"number", "citizen_number", "full_name", "phones"}]}``, one per
    known number asked for (unknown ones are left out); ``citizen_number`` is the record
    a merged number redirects to. Logged: one ``read`` per citizen returned."""
    who = authorize(actor, "list_citizens")
    reason = require_reason(reason)
    if not isinstance(numbers, (list, tuple)):
        raise InvalidInput("Indique una lista de números de ciudadano.", "numero_invalido")
    if len(numbers) > MAX_NUMBERS:
        raise InvalidInput(f"Se consultan hasta {MAX_NUMBERS} ciudadanos a la vez.", "demasiados_ciudadanos")
    wanted = list(dict.fromkeys(_number(n) for n in numbers))
    if not wanted:
        return {"items": []}
    s = uow.session
    cols = (c.c.number, c.c.given_names, c.c.first_surname, c.c.second_surname, c.c.phones, c.c.merged_into)
    rows = {r["number"]: r for r in s.execute(sa.select(*cols).where(c.c.number.in_(wanted))).mappings()}
    kept_ids = {r["merged_into"] for r in rows.values() if r["merged_into"] is not None} - set(rows)
    if kept_ids:
        rows |= {r["number"]: r for r in s.execute(sa.select(*cols).where(c.c.number.in_(kept_ids))).mappings()}
    items = []
    for n in wanted:
        row = rows.get(n)
        if row is None:
            continue
        if row["merged_into"] is not None and row["merged_into"] in rows:
            row = rows[row["merged_into"]]
        items.append({"number": n, "citizen_number": row["number"], "full_name": _full_name(row),
                      "phones": list(row["phones"] or [])})
    if items:
        _log(uow, who, [i["citizen_number"] for i in items], "read", reason)
    uow.commit()
    return {"items": items}


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _age(value, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_AGE:
        raise InvalidInput(f"La edad {what} debe ser un entero entre 0 y {MAX_AGE}.", "edad_invalida")
    return value


@transaction
def find_numbers(uow, actor, name=None, sex=None, age_min=None, age_max=None, reason=None,
                 limit: int = DEFAULT_FIND_LIMIT) -> dict:
    """The numbers of the citizens matching every criterion given — ``name`` (every word
    inside the name, accent- and case-insensitive, partial), ``sex``, age between
    ``age_min`` and ``age_max`` (years, today) — plus the numbers merged into them (their
    reports were filed under those too): ``{"numbers": [...], "truncated": bool}``
    (``truncated`` when more than ``limit`` people match)."""
    who = authorize(actor, "find_numbers")
    reason = require_reason(reason)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_FIND_LIMIT:
        raise InvalidInput(f"El límite debe estar entre 1 y {MAX_FIND_LIMIT}.", "limite_invalido")
    conds = [c.c.merged_into.is_(None)]
    if name is not None:
        if not isinstance(name, str):
            raise InvalidInput("El nombre debe ser un texto.", "busqueda_muy_corta")
        tokens = normalize.name_key(name[:200]).split()
        if not any(len(t) >= 3 for t in tokens):
            raise InvalidInput("Escriba al menos tres letras seguidas del nombre.", "busqueda_muy_corta")
        conds += [c.c.name_norm.like(f"%{t}%") for t in tokens]
    if sex is not None:
        if sex not in SEXES:
            raise InvalidInput(f"Sexo inválido: {sex!r}; use uno de: {', '.join(SEXES)}.", "sexo_invalido")
        conds.append(c.c.sex == sex)
    age_min, age_max = _age(age_min, "mínima"), _age(age_max, "máxima")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise InvalidInput("La edad mínima es mayor que la máxima.", "edad_invalida")
    today = _today()
    if age_min is not None:
        conds.append(c.c.birth_date <= _years_before(today, age_min))
    if age_max is not None:
        conds.append(c.c.birth_date > _years_before(today, age_max + 1))
    if len(conds) == 1:
        raise InvalidInput("Indique nombre, sexo o rango de edad del ciudadano.", "filtro_ciudadano_vacio")
    s = uow.session
    found = list(s.execute(sa.select(c.c.number).where(*conds).order_by(c.c.number).limit(limit + 1)).scalars())
    truncated = len(found) > limit
    found = found[:limit]
    merged = list(s.execute(sa.select(c.c.number).where(c.c.merged_into.in_(found))).scalars()) if found else []
    _log(uow, who, [], "search", reason)  # one row, no number: the answer holds numbers only
    uow.commit()
    return {"numbers": sorted(set(found) | set(merged)), "truncated": truncated}


def related_numbers(uow, actor, number) -> dict:
    """The person behind ``number``: ``{"number": kept, "numbers": [kept, merged…]}``
    (no personal data; a merged number resolves to the record it redirects to)."""
    authorize(actor, "related_numbers")
    number = _number(number)
    s = uow.session
    row = s.execute(sa.select(c.c.number, c.c.merged_into).where(c.c.number == number)).first()
    if row is None:
        uow.rollback()
        raise NotFound(f"No existe el ciudadano número {number}.", "ciudadano_no_encontrado")
    kept = row.merged_into or row.number
    numbers = [kept] + _merged_numbers(s, kept)
    uow.rollback()
    return {"number": kept, "numbers": numbers}
