"""Reports by citizen: the citizen criteria of the lists and the citizen history. Routing
owns the lists, so it decides who may look reports up by a person's data and asks
citizens itself (the citizens' RPCs come in as plain callables: ``service.py`` bounds
them by ``CITIZENS_TIMEOUT_SECONDS`` and relays their refusals as they are).

- ``resolve(actor, filters, reason, find_numbers)``: a list's filters with the
  ``citizen`` filter (``{name, sex, age_min, age_max}``) turned into ``citizen_numbers``
  by ``citizens.find_numbers`` (numbers only; citizens logs one ``search`` with the
  reason), intersected with the ``citizen_numbers`` given. Only for actors that may see
  personal data (``policy.may_see_personal_data``), else ``Forbidden`` ``prohibido``;
  more than ``MAX_CITIZEN_MATCHES`` people is ``filtro_ciudadano_muy_amplio``. A filter
  that matches nobody stays a filter: an empty list, no reports.
- ``history(actor, number, name, options, …)``: the reports of one person (by number: the
  numbers merged into it too, ``citizens.related_numbers``) or of everyone matching a
  name, as the actor may list them (``policy.list_scope``), each row ``HISTORY_ROW``."""
from __future__ import annotations

from typing import Any, Callable

from . import exports, policy, queries
from .exceptions import Forbidden, InvalidInput

FindNumbers = Callable[..., dict]      # citizens.find_numbers(actor, name, sex, age_min, age_max, reason, limit)
RelatedNumbers = Callable[[Any, int], dict]  # citizens.related_numbers(actor, number)
PageOf = Callable[[dict], dict]        # one page of query_reports for these filters

CRITERIA = ("name", "sex", "age_min", "age_max")
#: how many people a citizen filter may match
MAX_CITIZEN_MATCHES = 20_000
#: the reason citizens logs for the history's reads when the person gave none
HISTORY_REASON = "Historial del ciudadano"
#: the columns of a history row
HISTORY_ROW = ("folio", "created_at", "petition_type", "kind", "status", "agency", "department", "channel",
               "due_at", "closed_at", "traffic_light", "citizen_number")


def parse_criteria(value) -> dict:
    """The citizen criteria given (None values left out); ``InvalidInput`` for a bad shape.
    What the values mean (a sex, an age range, three letters of a name) citizens judges."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput("El filtro «citizen» es un objeto con name, sex, age_min o age_max.", "filtro_invalido")
    unknown = sorted(set(value) - set(CRITERIA))
    if unknown:
        raise InvalidInput(f"Criterio de ciudadano desconocido: «{unknown[0]}».", "filtro_desconocido")
    out = {k: v for k, v in value.items() if v is not None}
    for key in ("name", "sex"):
        if key in out and (not isinstance(out[key], str) or len(out[key]) > queries.MAX_TEXT):
            raise InvalidInput(f"«citizen.{key}» es un texto de hasta {queries.MAX_TEXT} caracteres.",
                               "filtro_invalido")
    for key in ("age_min", "age_max"):
        if key in out and (isinstance(out[key], bool) or not isinstance(out[key], int)):
            raise InvalidInput(f"«citizen.{key}» debe ser un número entero.", "filtro_invalido")
    return out


def resolve(actor, filters, reason: str, find_numbers: FindNumbers):
    """``filters`` without ``citizen``, and with the people it names as ``citizen_numbers``."""
    if not isinstance(filters, dict) or "citizen" not in filters:
        return filters
    rest = {k: v for k, v in filters.items() if k != "citizen"}
    criteria = parse_criteria(filters["citizen"])
    if not criteria:
        return rest
    if not policy.may_see_personal_data(policy.load_actor(actor)):
        raise Forbidden("Su perfil no permite filtrar por datos personales del ciudadano.", "prohibido")
    given = queries.parse_filters(rest).get("citizen_numbers")  # the other filters judged before citizens is asked
    found = find_numbers(actor, criteria.get("name"), criteria.get("sex"), criteria.get("age_min"),
                         criteria.get("age_max"), reason, MAX_CITIZEN_MATCHES)
    if found["truncated"]:
        raise InvalidInput(f"El filtro de ciudadano abarca más de {MAX_CITIZEN_MATCHES:,} personas; "
                           "precíselo con el nombre o un rango de edad.", "filtro_ciudadano_muy_amplio")
    numbers = found["numbers"]
    if given is not None:
        numbers = [n for n in numbers if n in set(given)]
    return rest | {"citizen_numbers": numbers}


def _history_rows(answer: dict) -> dict:
    return answer | {"items": [{k: r.get(k) for k in HISTORY_ROW} for r in answer["items"]]}


def history(actor, number, name, options, *, page_of: PageOf, related_numbers: RelatedNumbers,
            find_numbers: FindNumbers, get_citizens: exports.GetCitizens) -> dict:
    """A page of the citizen history: by ``number``, ``{items, total, page, per_page,
    citizen: {number, numbers, full_name}}`` (the name only with reports to show, for an
    actor with personal data and without ``hide_citizen_data``); by ``name``, ``{…,
    citizen_numbers}``. ``options``: ``{reason, hide_citizen_data}`` (as the lists')."""
    personal = policy.may_see_personal_data(policy.load_actor(actor))
    o = exports.Options.load(options, HISTORY_REASON)
    if number is not None and name is not None:
        raise InvalidInput("Indique el número o el nombre del ciudadano, no ambos.", "filtro_invalido")
    if number is None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("Indique el nombre del ciudadano («name»).", "nombre_requerido")
        filters = resolve(actor, {"citizen": {"name": name.strip()}}, o.reason, find_numbers)
        return _history_rows(page_of(filters)) | {"citizen_numbers": filters["citizen_numbers"]}
    person = related_numbers(actor, number)
    answer = _history_rows(page_of({"citizen_numbers": person["numbers"]}))
    citizen = {"number": person["number"], "numbers": person["numbers"]}
    # the name comes with the person's reports this actor may list (as on any list), never without
    if personal and answer["total"] > 0 and not o.hide_citizen_data:
        found = get_citizens(actor, [person["number"]], o.reason)
        if found["items"]:
            citizen["full_name"] = found["items"][0]["full_name"]
    return answer | {"citizen": citizen}
