"""Spanish words for the API's codes, and formatting filters for the templates."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CITY_TZ = ZoneInfo("America/Mexico_City")

STATUS = {"captured": "Capturado", "in_progress": "Proceso", "done": "Terminado", "not_viable": "No viable"}
TRAFFIC = {"on_time": "En tiempo", "at_risk": "Por vencer", "overdue": "Vencido"}
VIABILITY = {"viable": "Viable", "not_viable": "No viable"}
SEX = {"female": "Mujer", "male": "Hombre", "nonbinary": "No binario", "unspecified": "Sin especificar"}
SLA_UNIT = {"calendar_days": "días naturales", "business_days": "días hábiles", "business_hours": "horas hábiles"}
HISTORY = {"assigned": "Asignado", "started": "Inicio de atención", "intervention": "Intervención",
           "finished": "Terminado", "not_viable": "No viable", "reopened": "Reabierto", "reassigned": "Reasignado",
           "shared": "Compartido"}
INTERVENTION = {"start": "Inicio", "note": "Seguimiento", "closing": "Cierre", "finish": "Cierre",
                "not_viable": "No viable", "reopen": "Reapertura"}
GROUP_BY = {"agency": "Dependencia", "department": "Departamento", "petition_type": "Tipo de petición",
            "status": "Estatus", "channel": "Origen", "kind": "Tipo", "colonia": "Colonia",
            "created_by": "Usuario", "viability": "Viabilidad", "reassigned": "Reasignado",
            "traffic_light": "Semáforo", "date": "Día", "month": "Mes"}


def when(value: str | None, with_time: bool = True) -> str:
    """An ISO timestamp as the city reads it: 07/12/2026 09:28."""
    if not value:
        return ""
    try:
        t = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if t.tzinfo is not None:
        t = t.astimezone(CITY_TZ)
    return t.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def sla(pt: dict) -> str:
    amount, unit = pt.get("sla_amount"), SLA_UNIT.get(pt.get("sla_unit"), pt.get("sla_unit") or "")
    if amount == 1:
        unit = unit.replace("días", "día").replace("horas", "hora").replace("naturales", "natural").replace(
            "hábiles", "hábil")
    return f"{amount} {unit}".strip()


FILTERS = {"status": STATUS, "traffic": TRAFFIC, "viability": VIABILITY, "sex": SEX, "history": HISTORY,
           "intervention": INTERVENTION, "group_by": GROUP_BY}


def install(env) -> None:
    env.filters["when"] = when
    env.filters["day"] = lambda v: when(v, with_time=False)
    env.filters["sla"] = sla
    for name, table in FILTERS.items():
        env.filters[name] = lambda v, t=table: t.get(v, v if v is not None else "")
