"""Report lists over HTTP: query parameters → routing's filters (routing decides who may
filter by a citizen's data, asks citizens for the numbers and fills the citizen columns
of a page itself, from ``options``: see routes/reports_query.py).

Used by ``routes/reports_query.py`` ("Asuntos del día", "Consultas", citizen history)
and the exports:

    filters = parse_filters(request.query_params, CONSULTAS_FILTERS)
    page = await call("routing", "query_reports", actor_of(user), filters, page, per_page, sort, options)

Lists: repeat the parameter (``status=captured&status=done``); ``status``,
``traffic_light``, ``folios`` and ``citizen_number`` also take commas. Errors are
``ApiError`` 422 with a code and a Spanish message; routing validates the values of its
own filters (``estatus_invalido``, ``fecha_invalida``, …)."""
from __future__ import annotations

from typing import Iterable, Mapping

from .errors import ApiError

# query parameter -> routing filter, by kind
_LISTS_COMMA = {"status": "status", "traffic_light": "traffic_light", "folios": "folios", "folio": "folios",
                "citizen_number": "citizen_numbers", "citizen_numbers": "citizen_numbers"}
_LISTS = {"channel": "channel", "petition_type": "petition_type"}
_TEXTS = {"date_from": "date_from", "date_to": "date_to", "kind": "kind", "viability": "viability",
          "agency": "agency", "department": "department", "colonia": "colonia", "street": "street",
          "created_by": "created_by", "user": "created_by"}
_BOOLS = {"reassigned_only": "reassigned_only"}
#: citizen criteria: routing's ``citizen`` filter (routing resolves it through citizens)
_CITIZEN = {"citizen_name": "name", "sex": "sex"}
_CITIZEN_AGES = ("age_min", "age_max")

CONSULTAS_FILTERS = (frozenset(_LISTS_COMMA) | set(_LISTS) | set(_TEXTS) | set(_BOOLS) | set(_CITIZEN)
                     | set(_CITIZEN_AGES))
TODAY_FILTERS = frozenset({"status", "channel", "kind", "viability", "department"})
#: parameters of the list itself (not filters)
PAGING = frozenset({"page", "per_page", "sort", "reason", "hide_citizen_data", "hide_citizen_name", "hide_map"})

_TRUE, _FALSE = {"true", "1", "si", "sí", "yes"}, {"false", "0", "no"}


def flag(params: Mapping, name: str) -> bool:
    value = params.get(name)
    if value is None:
        return False
    value = value.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ApiError(422, "parametro_invalido", f"«{name}» es true o false.")


def integer(params: Mapping, name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(422, "parametro_invalido", f"«{name}» debe ser un número entero.") from None


def _values(params, name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    values = getlist(name) if getlist else ([params[name]] if name in params else [])
    return [v for v in values if v is not None]


def check_known(params, allowed: Iterable[str]) -> None:
    allowed = set(allowed)
    unknown = sorted(k for k in params.keys() if k not in allowed)
    if unknown:
        raise ApiError(422, "parametro_desconocido", f"Parámetro desconocido: «{unknown[0]}».")


def parse_filters(params, allowed: frozenset = CONSULTAS_FILTERS) -> dict:
    """Routing's filters from the query parameters; unknown parameters are refused
    (``parametro_desconocido``) so a typo does not widen a list."""
    check_known(params, set(allowed) | PAGING)
    filters: dict = {}
    for name, key in _LISTS_COMMA.items():
        if name in allowed:
            values = [v.strip() for raw in _values(params, name) for v in raw.split(",") if v.strip()]
            if values:
                filters.setdefault(key, []).extend(values)
    for name, key in _LISTS.items():
        if name in allowed and _values(params, name):
            filters[key] = _values(params, name)
    for name, key in _TEXTS.items():
        if name in allowed and params.get(name) is not None:
            filters[key] = params.get(name)
    for name, key in _BOOLS.items():
        if name in allowed and params.get(name) is not None:
            filters[key] = flag(params, name)
    citizen = {key: params.get(name) for name, key in _CITIZEN.items() if name in allowed and params.get(name)}
    citizen |= {name: integer(params, name) for name in _CITIZEN_AGES
                if name in allowed and params.get(name) not in (None, "")}
    if citizen:
        filters["citizen"] = citizen
    return filters


def options_of(params, reason: str) -> dict:
    """What a person's list or export asks routing to leave out, and the reason logged for
    reading personal data (routing decides the citizen columns from them)."""
    return {"reason": reason} | {k: flag(params, k) for k in ("hide_citizen_data", "hide_citizen_name", "hide_map")}


def reason_of(params, default: str) -> str:
    """The reason written to the personal-data access log: the caller's, or the screen's."""
    reason = (params.get("reason") or "").strip()
    if reason and not 3 <= len(reason) <= 500:
        raise ApiError(422, "motivo_invalido", "El motivo debe tener de 3 a 500 caracteres.")
    return reason or default


def paginated(url, answer: dict) -> dict:
    """Routing's page plus ``pages`` and ``links`` (self, next, prev: None at the ends)."""
    page, per_page, total = answer["page"], answer["per_page"], answer["total"]
    pages = max(1, -(-total // per_page))

    def link(n: int) -> str:
        return str(url.include_query_params(page=n))

    return answer | {"pages": pages, "links": {
        "self": link(page), "next": link(page + 1) if page < pages else None,
        "prev": link(page - 1) if 1 < page <= pages + 1 else None}}
