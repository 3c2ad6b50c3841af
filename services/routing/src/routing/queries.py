"""Report queries: "Asuntos del día", "Consultas y reportes", exports, grouped counts and
the citizen history (filtered by citizen numbers): routing's read repository (it builds
the SQL of the lists; each call is one read-only ``with uow:`` block). The RPCs in
``service.py`` call these functions as they are.

``actor`` follows contracts/actor; which reports it may list is ``policy.list_scope``
(``scope_branches`` turns it into SQL). A public scope (the public, a citizen) gets rows
without ``citizen_number`` and ``created_by`` and may not filter or group by them.

Rows carry no personal data: the citizen is a number (names and phones are the citizens
service's, read through its logged reads by ``exports``; the ``citizen`` filter is turned
into ``citizen_numbers`` by ``by_citizen`` before these functions run)."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from sacinfra.settings import municipal_tz

from . import domain, policy, store
from .exceptions import Forbidden, InvalidInput

#: days ("today", date_from/date_to, grouping by date) are the municipality's
LOCAL_TZ = municipal_tz()

DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 200
DEFAULT_EXPORT_LIMIT, MAX_EXPORT_LIMIT = 2000, 5000
MAX_FOLIOS = 1000           # a folio list typed or pasted by a person
MAX_CITIZEN_NUMBERS = 50000  # numbers given, or resolved from a citizen name / sex / age filter (by_citizen)
MAX_GROUPS = 5000
MAX_TEXT = 200

a = store.assignments
s_ = store.shares

SORTS = {"folio": a.c.folio, "created_at": a.c.created_at, "due_at": a.c.due_at, "status": a.c.status,
         "agency": a.c.agency, "petition_type": a.c.petition_type, "colonia": a.c.colonia}
FILTERS = frozenset({"date_from", "date_to", "created_from", "created_to", "status", "channel", "kind", "viability", "agency", "department",
                     "petition_type", "colonia", "street", "folios", "reassigned_only", "traffic_light",
                     "created_by", "citizen_numbers"})
KINDS = {"tramite": "Trámite", "servicio": "Servicio"}
VIABILITY = ("viable", "not_viable")
LIGHTS = (domain.ON_TIME, domain.AT_RISK, domain.OVERDUE)
#: what a public list (``policy.Scope.public``) may not filter, group or show: people
PERSONAL_FILTERS = frozenset({"citizen_numbers", "created_by"})
PERSONAL_COLUMNS = ("citizen_number", "created_by")
PERSONAL_COLUMNS_GROUPS = frozenset({"created_by"})

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def search_key(text: str | None) -> str:
    """What ``colonia_norm`` / ``street_norm`` store and filters are turned into: lower
    case, accents off (``Ñ`` → ``n``), anything but letters and digits one space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain).strip()


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ)


def today(now: datetime | None = None) -> date:
    return (now or datetime.now(timezone.utc)).astimezone(LOCAL_TZ).date()


# --------------------------------------------------------------------------- validation

def _bad(message: str, code: str):
    return InvalidInput(message, code)


def _as_list(value, name: str) -> list:
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    raise _bad(f"El filtro «{name}» debe ser una lista.", "filtro_invalido")


def _text(value, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"El filtro «{name}» debe ser un texto no vacío.", "filtro_invalido")
    if len(value) > MAX_TEXT:
        raise _bad(f"El filtro «{name}» pasa de {MAX_TEXT} caracteres.", "filtro_invalido")
    return value.strip()


def _texts(value, name: str, limit: int = 200) -> list[str]:
    items = [_text(v, name) for v in _as_list(value, name)]
    if len(items) > limit:
        raise _bad(f"El filtro «{name}» admite hasta {limit} valores.", "filtro_invalido")
    return list(dict.fromkeys(items))


def _choices(value, name: str, allowed, code: str, label: str) -> list[str]:
    items = _as_list(value, name)
    wrong = [v for v in items if v not in allowed]
    if wrong:
        raise _bad(f"{label} inválido: {wrong[0]!r}; use uno de: {', '.join(allowed)}.", code)
    return list(dict.fromkeys(items))


def _ints(value, name: str, limit: int, code: str, what: str) -> list[int]:
    items = _as_list(value, name)
    out = []
    for v in items:
        if isinstance(v, str) and v.strip().lstrip("#").isdigit():
            v = int(v.strip().lstrip("#"))
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 2**62:
            raise _bad(f"{what} inválido: {v!r} (un entero positivo).", code)
        out.append(v)
    if len(out) > limit:
        raise _bad(f"Se admiten hasta {limit} valores en «{name}».", code)
    return list(dict.fromkeys(out))


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value, name: str) -> date:
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _bad(f"Fecha inválida en «{name}»: {value!r} (use AAAA-MM-DD).", "fecha_invalida")


def _instant(value, name: str) -> datetime:
    """An ISO 8601 instant; without an offset, the municipality's time."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise _bad(f"Fecha inválida en «{name}»: {value!r} (use ISO 8601, p. ej. 2026-11-05T08:15:30-06:00).",
                   "fecha_invalida") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def parse_filters(filters) -> dict:
    """Validated filters (see the module doc and README); ``InvalidInput`` with a code and
    a Spanish message for anything unknown or malformed. None values are ignored."""
    if filters is None:
        return {}
    if not isinstance(filters, dict):
        raise _bad("Los filtros deben ser un objeto.", "filtro_invalido")
    unknown = sorted(set(filters) - FILTERS)
    if unknown:
        raise _bad(f"Filtro desconocido: «{unknown[0]}».", "filtro_desconocido")
    f = {k: v for k, v in filters.items() if v is not None}
    out: dict = {}
    for name in ("date_from", "date_to"):
        if name in f:
            out[name] = _day(f[name], name)
    for name in ("created_from", "created_to"):
        if name in f:
            out[name] = _instant(f[name], name)
    for first, last in (("date_from", "date_to"), ("created_from", "created_to")):
        if first in out and last in out and out[first] > out[last]:
            raise _bad("La fecha inicial es posterior a la final.", "rango_de_fechas_invalido")
    if "status" in f:
        out["status"] = _choices(f["status"], "status", domain.STATUSES, "estatus_invalido", "Estatus")
    if "traffic_light" in f:
        out["traffic_light"] = _choices(f["traffic_light"], "traffic_light", LIGHTS, "semaforo_invalido",
                                        "Semáforo")
    if "viability" in f:
        if f["viability"] not in VIABILITY:
            raise _bad(f"Viabilidad inválida: {f['viability']!r}; use viable o not_viable.", "viabilidad_invalida")
        out["viability"] = f["viability"]
    if "kind" in f:
        kind = KINDS.get(search_key(f["kind"]) if isinstance(f["kind"], str) else None)
        if kind is None:
            raise _bad(f"Tipo inválido: {f['kind']!r}; use Trámite o Servicio.", "tipo_invalido")
        out["kind"] = kind
    for name in ("channel", "petition_type"):
        if name in f:
            out[name] = _texts(f[name], name)
    for name in ("agency", "department", "created_by"):
        if name in f:
            out[name] = _text(f[name], name)
    if "colonia" in f:
        out["colonia"] = search_key(_text(f["colonia"], "colonia"))
    if "street" in f:
        key = search_key(_text(f["street"], "street"))
        if len(key) < 3:
            raise _bad("Escriba al menos tres letras o números de la calle.", "busqueda_muy_corta")
        out["street"] = key
    if "folios" in f:
        out["folios"] = _ints(f["folios"], "folios", MAX_FOLIOS, "folio_invalido", "Folio")
    if "citizen_numbers" in f:
        out["citizen_numbers"] = _ints(f["citizen_numbers"], "citizen_numbers", MAX_CITIZEN_NUMBERS,
                                       "numero_invalido", "Número de ciudadano")
    if "reassigned_only" in f:
        if not isinstance(f["reassigned_only"], bool):
            raise _bad("«reassigned_only» es verdadero o falso.", "filtro_invalido")
        out["reassigned_only"] = f["reassigned_only"]
    return out


def parse_page(page, per_page) -> tuple[int, int]:
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise _bad("La página debe ser un entero desde 1.", "pagina_invalida")
    if isinstance(per_page, bool) or not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise _bad(f"Los resultados por página van de 1 a {MAX_PER_PAGE}.", "por_pagina_invalido")
    return page, per_page


def parse_sort(sort) -> list:
    """``"-created_at"``, ``"agency,-due_at"``: allow-listed keys, ``-`` descending; ties
    broken by folio in the direction of the first key (a stable order for paging)."""
    sort = sort or "-created_at"
    if not isinstance(sort, str) or len(sort) > 100:
        raise _bad("Orden inválido.", "orden_invalido")
    keys, seen = [], set()
    for part in (p.strip() for p in sort.split(",")):
        name = part.lstrip("-")
        if name not in SORTS or name in seen:
            raise _bad(f"No se puede ordenar por «{part}»; use {', '.join(SORTS)} (con «-» descendente).",
                       "orden_invalido")
        seen.add(name)
        keys.append((name, part.startswith("-")))
    order = [SORTS[n].desc() if desc else SORTS[n].asc() for n, desc in keys]
    if "folio" not in seen:
        order.append(a.c.folio.desc() if keys[0][1] else a.c.folio.asc())
    return order


# --------------------------------------------------------------------------- conditions

def _closed():
    return a.c.status.in_(sorted(domain.CLOSED))


def light_conditions(now: datetime, share: float) -> dict:
    """The SQL of each colour, the same rule as ``domain.traffic_light``."""
    if not 0 < share <= 1:
        raise ValueError("at_risk_share must be in (0, 1]")
    now_ = sa.literal(now, sa.DateTime(timezone=True))
    # open spelled as its statuses (not NOT closed), so the partial indexes of 0003 apply
    closed, open_ = _closed(), a.c.status.in_(sorted(domain.OPEN))
    late_close = sa.and_(a.c.closed_at.is_not(None), a.c.closed_at > a.c.due_at)
    risk_from = a.c.created_at + (a.c.due_at - a.c.created_at) * sa.literal(share, sa.Float)
    overdue = sa.or_(sa.and_(closed, late_close), sa.and_(open_, now_ >= a.c.due_at))
    at_risk = sa.and_(open_, now_ < a.c.due_at, sa.or_(a.c.due_at <= a.c.created_at, now_ >= risk_from))
    on_time = sa.or_(sa.and_(closed, sa.not_(late_close)),
                     sa.and_(open_, now_ < a.c.due_at, a.c.due_at > a.c.created_at, now_ < risk_from))
    return {domain.ON_TIME: on_time, domain.AT_RISK: at_risk, domain.OVERDUE: overdue}


def _light_case(now: datetime, share: float):
    c = light_conditions(now, share)
    return sa.case((c[domain.OVERDUE], domain.OVERDUE), (c[domain.AT_RISK], domain.AT_RISK), else_=domain.ON_TIME)


def _shared_folios(uow, column, value) -> list[int]:
    return list(uow.session.execute(sa.select(s_.c.folio).where(column == value).distinct()).scalars())


def scope_branches(uow, scope: policy.Scope) -> list[list]:
    """``policy.list_scope``'s answer as SQL: disjoint alternatives (each a list of
    conditions; their OR is the scope, their counts add up); ``[[]]`` is everything. An
    agency's (or department's) own reports, and, apart, those of others shared with it:
    the shared folios are read first and passed as an array, so the planner ORs two index
    scans ((agency, created_at) and the primary key) instead of running a subquery per
    row, and the count of the first branch is an index-only scan."""
    if scope.kind == policy.ALL:
        return [[]]
    if scope.kind == policy.CREATED_BY:
        return [[a.c.created_by == scope.value]]
    if scope.kind == policy.CHANNEL:
        return [[a.c.channel == scope.value]]
    if scope.kind == policy.FOLIO:
        return [[a.c.folio == scope.value]]
    if scope.kind == policy.AGENCY:
        mine = a.c.agency == scope.agency
        shared = _shared_folios(uow, s_.c.agency, scope.agency)
    elif scope.kind == policy.DEPARTMENT:
        mine = sa.and_(a.c.agency == scope.agency, a.c.department == scope.department)
        shared = _shared_folios(uow, s_.c.department, scope.department)
    else:
        raise ValueError(f"unknown scope {scope.kind!r}")
    if not shared:
        return [[mine]]
    return [[mine], [sa.not_(mine), a.c.folio == sa.any_(sa.literal(shared, sa.ARRAY(sa.BigInteger)))]]


def filter_conditions(f: dict, now: datetime, share: float) -> list:
    conds = []
    if "date_from" in f:
        conds.append(a.c.created_at >= local_day_start(f["date_from"]))
    if "date_to" in f:
        conds.append(a.c.created_at < local_day_start(f["date_to"] + timedelta(days=1)))
    if "created_from" in f:
        conds.append(a.c.created_at >= f["created_from"])
    if "created_to" in f:
        conds.append(a.c.created_at <= f["created_to"])
    if "status" in f:
        conds.append(a.c.status.in_(f["status"]))
    if "channel" in f:
        conds.append(a.c.channel.in_(f["channel"]))
    if "petition_type" in f:
        conds.append(a.c.petition_type.in_(f["petition_type"]))
    for name in ("kind", "agency", "department", "created_by"):
        if name in f:
            conds.append(a.c[name] == f[name])
    if "viability" in f:
        conds.append(a.c.status == domain.NOT_VIABLE if f["viability"] == "not_viable"
                     else a.c.status != domain.NOT_VIABLE)
    if "colonia" in f:
        conds.append(a.c.colonia_norm == f["colonia"])
    if "street" in f:
        conds.append(a.c.street_norm.like("%" + f["street"].replace("%", "").replace("_", " ") + "%"))
    if "folios" in f:
        conds.append(a.c.folio.in_(f["folios"]))
    if "citizen_numbers" in f:
        conds.append(a.c.citizen_number == sa.any_(sa.literal(f["citizen_numbers"], sa.ARRAY(sa.BigInteger)))
                     if f["citizen_numbers"] else sa.false())
    if f.get("reassigned_only"):
        conds.append(a.c.reassign_count > 0)
    if "traffic_light" in f and set(f["traffic_light"]) != set(LIGHTS):
        colours = light_conditions(now, share)
        conds.append(sa.or_(*(colours[c] for c in f["traffic_light"])))
    return conds


# --------------------------------------------------------------------------- rows

def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(LOCAL_TZ).isoformat() if moment else None


def _rows(uow, rows, now: datetime, share: float, public: bool = False) -> list[dict]:
    """The rows as lists show them; ``public``: without ``PERSONAL_COLUMNS``."""
    folios = [r["folio"] for r in rows]
    shared: dict[int, list] = {}
    if folios:
        for s in uow.session.execute(sa.select(s_.c.folio, s_.c.agency, s_.c.department)
                                     .where(s_.c.folio.in_(folios)).order_by(s_.c.at, s_.c.department)).mappings():
            shared.setdefault(s["folio"], []).append({"agency": s["agency"], "department": s["department"]})
    out = [{
        "folio": r["folio"], "petition_type": r["petition_type"], "kind": r["kind"], "channel": r["channel"],
        "citizen_number": r["citizen_number"], "agency": r["agency"], "department": r["department"],
        "status": r["status"], "viability": "not_viable" if r["status"] == domain.NOT_VIABLE else "viable",
        "reassigned": (r["reassign_count"] or 0) > 0, "reassign_count": r["reassign_count"] or 0,
        "created_by": r["created_by"], "colonia": r["colonia"], "street": r["street"], "lat": r["lat"],
        "lon": r["lon"], "created_at": _iso(r["created_at"]), "due_at": _iso(r["due_at"]),
        "closed_at": _iso(r["closed_at"]),
        "traffic_light": domain.traffic_light(r["status"], r["created_at"], r["due_at"], now, r["closed_at"],
                                              share),
        "version": r["version"], "shared_with": shared.get(r["folio"], []),
    } for r in rows]
    if public:
        out = [{k: v for k, v in row.items() if k not in PERSONAL_COLUMNS} for row in out]
    return out


COLUMNS = [a.c.folio, a.c.petition_type, a.c.kind, a.c.channel, a.c.citizen_number, a.c.agency, a.c.department,
           a.c.status, a.c.reassign_count, a.c.created_by, a.c.colonia, a.c.street, a.c.lat, a.c.lon,
           a.c.created_at, a.c.due_at, a.c.closed_at, a.c.version]


class Selection:
    """The WHERE of a query (``conds``) and the same split into disjoint ``parts`` whose
    counts add up to the total (one per scope branch); ``public`` when the rows may show
    only the public view."""

    def __init__(self, branches: list[list], conds: list, public: bool = False):
        self.parts = [b + conds for b in branches]
        self.conds = (branches[0] if len(branches) == 1 else [sa.or_(*(sa.and_(*b) for b in branches))]) + conds
        self.public = public

    def count(self, session) -> int:
        return sum(session.execute(sa.select(sa.func.count()).select_from(a).where(*p)).scalar_one()
                   for p in self.parts)


def _scope(actor) -> policy.Scope:
    return policy.list_scope(policy.load_actor(actor))


def _where(uow, scope: policy.Scope, filters, now, share, extra=()) -> Selection:
    f = parse_filters(filters)
    if scope.public and PERSONAL_FILTERS & set(f):
        raise Forbidden("Una consulta pública no filtra por personas.", "prohibido")
    return Selection(scope_branches(uow, scope), filter_conditions(f, now, share) + list(extra), scope.public)


def _page(uow, where: Selection, page: int, per_page: int, sort, now: datetime, share: float) -> dict:
    order = parse_sort(sort)
    s = uow.session
    rows = s.execute(sa.select(*COLUMNS).where(*where.conds).order_by(*order)
                     .limit(per_page).offset((page - 1) * per_page)).mappings().all()
    if page == 1 and len(rows) < per_page:
        total = len(rows)  # the whole result is on this page: no count needed
    else:
        total = where.count(s)
    items = _rows(uow, rows, now, share, where.public)
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def _now(now):
    return now or datetime.now(timezone.utc)


def query_reports(uow, actor, filters=None, page: int = 1, per_page: int = DEFAULT_PER_PAGE,
                  sort: str = "-created_at", *, at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE,
                  now: datetime | None = None) -> dict:
    """"Consultas y reportes": the reports ``actor`` may see that match ``filters``, one
    page, ``{"items", "total", "page", "per_page"}``."""
    now = _now(now)
    scope = _scope(actor)
    page, per_page = parse_page(page, per_page)
    with uow:  # read-only: the block ends the transaction and releases the connection
        return _page(uow, _where(uow, scope, filters, now, at_risk_share), page, per_page, sort, now,
                     at_risk_share)


def newest_reports(uow, actor, filters=None, limit: int = MAX_FOLIOS, *,
                   at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE, now: datetime | None = None) -> list[dict]:
    """The ``limit`` newest reports ``actor`` may see that match ``filters`` (a public
    status list: Open311 ``requests``); ``limit`` 1–1000."""
    now = _now(now)
    scope = _scope(actor)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_FOLIOS:
        raise _bad(f"El límite va de 1 a {MAX_FOLIOS}.", "limite_invalido")
    with uow:
        where = _where(uow, scope, filters, now, at_risk_share)
        rows = uow.session.execute(sa.select(*COLUMNS).where(*where.conds).order_by(*parse_sort("-created_at"))
                                   .limit(limit)).mappings().all()
        return _rows(uow, rows, now, at_risk_share, where.public)


def today_reports(uow, actor, filters=None, page: int = 1, per_page: int = DEFAULT_PER_PAGE,
                  sort: str = "-created_at", *, at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE,
                  now: datetime | None = None) -> dict:
    """"Asuntos del día": the reports filed today (the municipality's calendar day) that
    ``actor`` may see, with the same filters and answer as ``query_reports``."""
    now = _now(now)
    scope = _scope(actor)
    page, per_page = parse_page(page, per_page)
    day = today(now)
    window = [a.c.created_at >= local_day_start(day), a.c.created_at < local_day_start(day + timedelta(days=1))]
    with uow:
        where = _where(uow, scope, filters, now, at_risk_share, window)
        return _page(uow, where, page, per_page, sort, now, at_risk_share) | {"date": day.isoformat()}


def export_reports(uow, actor, filters=None, after_folio=None, limit: int = DEFAULT_EXPORT_LIMIT, *,
                   at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE, now: datetime | None = None) -> dict:
    """Every matching report in folio order, ``limit`` at a time (keyset: pass the
    ``next_after`` of one call as ``after_folio`` of the next; None when done)."""
    now = _now(now)
    scope = _scope(actor)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_EXPORT_LIMIT:
        raise _bad(f"El límite va de 1 a {MAX_EXPORT_LIMIT}.", "limite_invalido")
    extra = []
    if after_folio is not None:
        extra.append(a.c.folio > _ints(after_folio, "after_folio", 1, "folio_invalido", "Folio")[0])
    with uow:
        where = _where(uow, scope, filters, now, at_risk_share, extra)
        rows = uow.session.execute(sa.select(*COLUMNS).where(*where.conds).order_by(a.c.folio).limit(limit)
                                   ).mappings().all()
        items = _rows(uow, rows, now, at_risk_share, where.public)
    return {"items": items, "next_after": items[-1]["folio"] if len(items) == limit else None}


def _group_columns(now: datetime, share: float) -> dict:
    local = sa.func.timezone(LOCAL_TZ.key, a.c.created_at)
    return {
        "agency": a.c.agency, "department": a.c.department, "status": a.c.status, "channel": a.c.channel,
        "petition_type": a.c.petition_type, "kind": a.c.kind, "colonia": a.c.colonia,
        "created_by": a.c.created_by,
        "viability": sa.case((a.c.status == domain.NOT_VIABLE, "not_viable"), else_="viable"),
        "reassigned": a.c.reassign_count > 0,
        "traffic_light": _light_case(now, share),
        "date": sa.func.to_char(local, "YYYY-MM-DD"), "month": sa.func.to_char(local, "YYYY-MM"),
    }


def group_reports(uow, actor, filters=None, by=("agency",), *,
                  at_risk_share: float = domain.DEFAULT_AT_RISK_SHARE, now: datetime | None = None) -> dict:
    """Counts of the matching reports grouped by ``by`` (e.g. ``["agency"]`` for the
    "agrupado general", ``["agency", "department", "petition_type"]`` for the detail):
    ``{"by", "groups": [{<key>: value, …, "count"}], "total"}``, largest groups first."""
    now = _now(now)
    scope = _scope(actor)
    columns = _group_columns(now, at_risk_share)
    by = _as_list(by, "by") if by is not None else []
    if not by or len(by) > 4 or any(not isinstance(k, str) or k not in columns for k in by) \
            or len(set(by)) != len(by):
        raise _bad(f"Agrupación inválida: use de 1 a 4 de {', '.join(columns)}.", "agrupacion_invalida")
    if scope.public and PERSONAL_COLUMNS_GROUPS & set(by):
        raise Forbidden("Una consulta pública no agrupa por personas.", "prohibido")
    keys = [columns[k].label(k) for k in by]
    count = sa.func.count().label("count")
    with uow:
        where = _where(uow, scope, filters, now, at_risk_share)
        ordinals = [sa.literal_column(str(i + 1)) for i in range(len(keys))]  # the same expressions
        rows = uow.session.execute(sa.select(*keys, count).where(*where.conds).group_by(*ordinals)
                                   .order_by(count.desc(), *ordinals).limit(MAX_GROUPS)).mappings().all()
        total = sum(r["count"] for r in rows) if len(rows) < MAX_GROUPS else where.count(uow.session)
    return {"by": list(by), "groups": [dict(r) for r in rows], "total": total}
