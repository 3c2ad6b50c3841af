"""Indicators (Veracruz's "Matriz de indicadores"): definitions with a formula from a
fixed set, monthly frequency, baseline and goal; monthly values with the goal met or not."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from . import domain, store
from .domain import LOCAL_TZ, Range
from .exceptions import InvalidInput, NotFound
from .handlers import _compliance_rows, own_rows

#: the formulas an indicator may use, with what a person reads
FORMULAS = {
    "attended_over_received": "Solicitudes atendidas (terminadas o no viables) / recibidas en el mes",
    "count_received": "Solicitudes recibidas en el mes",
    "count_finished": "Solicitudes terminadas en el mes",
    "share_on_time": "Terminadas a tiempo / terminadas en el mes",
    "count_follow_up_calls": "Llamadas registradas en el mes (params.kind: follow_up, verification o callback)",
}
CODE = re.compile(r"^[a-z][a-z0-9_]{2,59}$")
DIRECTIONS = ("at_least", "at_most")


def _out(row: dict) -> dict:
    return {k: row[k] for k in ("code", "name", "formula", "params", "frequency", "baseline", "goal",
                                "goal_direction")} | {"formula_text": FORMULAS.get(row["formula"], row["formula"])}


def list_(uow, actor) -> dict:
    domain.scope_for(actor)
    with uow:
        return {"formulas": FORMULAS, "rows": [_out(r) for r in store.get_indicators(uow.session)]}


def _number(data, name):
    v = data.get(name)
    if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
        raise InvalidInput(f"«{name}» debe ser un número.", "indicador_invalido")
    return v


def upsert(uow, actor, data) -> dict:
    """Define or change an indicator (supervisors, admins)."""
    domain.may_write(actor, domain.INDICATOR_WRITERS, "definir indicadores")
    if not isinstance(data, dict):
        raise InvalidInput("Se espera un objeto con la definición del indicador.", "indicador_invalido")
    code, name, formula = data.get("code"), data.get("name"), data.get("formula")
    if not isinstance(code, str) or not CODE.match(code):
        raise InvalidInput("El código: minúsculas, números y guion bajo (3 a 60).", "indicador_invalido")
    if not isinstance(name, str) or not 3 <= len(name.strip()) <= 200:
        raise InvalidInput("El nombre debe tener entre 3 y 200 caracteres.", "indicador_invalido")
    if formula not in FORMULAS:
        raise InvalidInput(f"Fórmula desconocida; las válidas: {', '.join(FORMULAS)}.", "formula_invalida")
    if (data.get("frequency") or "monthly") != "monthly":
        raise InvalidInput("Por ahora la frecuencia es mensual (monthly).", "frecuencia_invalida")
    direction = data.get("goal_direction") or "at_least"
    if direction not in DIRECTIONS:
        raise InvalidInput("«goal_direction»: at_least o at_most.", "indicador_invalido")
    params = data.get("params") or {}
    if not isinstance(params, dict) or any(k not in ("kind",) for k in params):
        raise InvalidInput("«params» admite solo «kind».", "indicador_invalido")
    values = {"code": code, "name": name.strip(), "formula": formula, "params": params, "frequency": "monthly",
              "baseline": _number(data, "baseline"), "goal": _number(data, "goal"), "goal_direction": direction}
    with uow:
        store.upsert_indicator(uow.session, values)
        return _out(store.get_indicators(uow.session, code)[0])


def month_value(s, ind: dict, scope: str, month: date) -> dict:
    end = domain.next_month(month) - timedelta(days=1)
    f = ind["formula"]
    if f == "count_follow_up_calls":
        return {"value": store.count_calls(s, month, end, LOCAL_TZ, (ind["params"] or {}).get("kind"))}
    if f == "share_on_time":
        t = _compliance_rows(s, scope, "all", Range(month, end)).get("")
        n, ok = (t["n"], t["on_time"]) if t else (0, 0)
        return {"value": domain.share(ok, n), "numerator": ok, "denominator": n}
    counts: dict = {}
    dim, q_scope, keys = own_rows("all", scope)
    for r in store.agg_rows(s, dim, q_scope, [("m", month, month)], ("st:", "ev:"), keys):
        counts[r["measure"]] = counts.get(r["measure"], 0) + int(r["n"])
    received = sum(v for k, v in counts.items() if k.startswith("st:"))
    attended = counts.get("ev:finished", 0) + counts.get("ev:not_viable", 0)
    if f == "count_received":
        return {"value": received}
    if f == "count_finished":
        return {"value": counts.get("ev:finished", 0)}
    return {"value": domain.share(attended, received), "numerator": attended, "denominator": received}


def met(value, goal, direction) -> bool | None:
    if value is None or goal is None:
        return None
    return value >= goal if direction == "at_least" else value <= goal


def values(uow, actor, code, year, agency=None, now: datetime | None = None) -> dict:
    """Monthly values of an indicator for ``year`` (months that have begun)."""
    scope = domain.scope_for(actor, agency)
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidInput("El año debe ser un número entre 2000 y 2100.", "anio_invalido")
    today = (now or datetime.now(timezone.utc)).date()
    with uow:
        s = uow.session
        found = store.get_indicators(s, code)
        if not found:
            raise NotFound(f"No existe el indicador «{code}».", "indicador_no_encontrado")
        ind = found[0]
        rows = []
        for m in range(1, 13):
            month = date(year, m, 1)
            if month > today:
                break
            v = month_value(s, ind, scope, month)
            rows.append({"month": month.strftime("%Y-%m")} | v | {
                "goal": ind["goal"], "met": met(v["value"], ind["goal"], ind["goal_direction"])})
    return {"indicator": _out(ind), "year": year, "agency": None if scope == "*" else scope, "rows": rows}
