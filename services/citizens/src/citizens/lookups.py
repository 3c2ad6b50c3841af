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

from . import normalize
from .domain import authorize, require_reason
from .exceptions import InvalidInput, NotFound
from .handlers import _full_name, _log, _number, _today
from .schemas import SEXES
MAX_NUMBERS = 500
DEFAULT_FIND_LIMIT, MAX_FIND_LIMIT = 10_000, 50_000
MAX_AGE = 130


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
    with uow:
        rows = uow.citizens_by_number(wanted)
        kept_ids = {r["merged_into"] for r in rows.values() if r["merged_into"] is not None} - set(rows)
        if kept_ids:
            rows |= uow.citizens_by_number(kept_ids)
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
    words: list[str] = []
    if name is not None:
        if not isinstance(name, str):
            raise InvalidInput("El nombre debe ser un texto.", "busqueda_muy_corta")
        tokens = normalize.name_key(name[:200]).split()
        if not any(len(t) >= 3 for t in tokens):
            raise InvalidInput("Escriba al menos tres letras seguidas del nombre.", "busqueda_muy_corta")
        words = tokens
    if sex is not None and sex not in SEXES:
        raise InvalidInput(f"Sexo inválido: {sex!r}; use uno de: {', '.join(SEXES)}.", "sexo_invalido")
    age_min, age_max = _age(age_min, "mínima"), _age(age_max, "máxima")
    if age_min is not None and age_max is not None and age_min > age_max:
        raise InvalidInput("La edad mínima es mayor que la máxima.", "edad_invalida")
    if not words and sex is None and age_min is None and age_max is None:
        raise InvalidInput("Indique nombre, sexo o rango de edad del ciudadano.", "filtro_ciudadano_vacio")
    today = _today()
    born_by = _years_before(today, age_min) if age_min is not None else None
    born_after = _years_before(today, age_max + 1) if age_max is not None else None
    with uow:
        found = uow.find_numbers(words, sex, born_by, born_after, limit + 1)
        truncated = len(found) > limit
        found = found[:limit]
        merged = uow.merged_into_any(found) if found else []
        _log(uow, who, [], "search", reason)  # one row, no number: the answer holds numbers only
    return {"numbers": sorted(set(found) | set(merged)), "truncated": truncated}


def related_numbers(uow, actor, number) -> dict:
    """The person behind ``number``: ``{"number": kept, "numbers": [kept, merged…]}``
    (no personal data; a merged number resolves to the record it redirects to)."""
    authorize(actor, "related_numbers")
    number = _number(number)
    with uow:
        row = uow.citizen(number)
        if row is None:
            raise NotFound(f"No existe el ciudadano número {number}.", "ciudadano_no_encontrado")
        kept = row["merged_into"] or row["number"]
        numbers = [kept] + uow.merged_numbers(kept)
    return {"number": kept, "numbers": numbers}
