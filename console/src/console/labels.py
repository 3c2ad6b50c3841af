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
LEADER_KIND = {"manzana": "Jefe(a) de manzana", "cuartel": "Jefe(a) de cuartel"}
LEADER_STATUS = {"active": "Activo", "suspended": "Suspendido", "ended": "Baja"}
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


def parse_day(value: str | None) -> dt.date | None:
    """A day as people in the city type it (dd/mm/aaaa; aaaa-mm-dd also accepted); None
    when empty; ``ValueError`` (with a Spanish message) when it is not a date."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if "/" in text:
            d, m, y = (int(x) for x in text.split("/"))
            if y < 1000:
                raise ValueError
            return dt.date(y, m, d)
        return dt.date.fromisoformat(text)
    except (ValueError, TypeError):
        raise ValueError(f"La fecha «{text}» no es válida: escríbala como dd/mm/aaaa (p. ej. 07/12/2026).") from None


def iso_day(value: str | None) -> str | None:
    """dd/mm/aaaa → aaaa-mm-dd for the gateway (``ValueError`` if not a date)."""
    d = parse_day(value)
    return d.isoformat() if d else None


def dmy(value) -> str:
    """aaaa-mm-dd (or a date) → dd/mm/aaaa, for the inputs and the tables."""
    if not value:
        return ""
    try:
        return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
          "noviembre", "diciembre")
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


def month_name(value: str | None) -> str:
    """2026-11 (or 2026-11-01) → noviembre de 2026."""
    try:
        y, m = str(value)[:7].split("-")
        return f"{MONTHS[int(m) - 1]} de {y}"
    except (ValueError, IndexError):
        return str(value or "")


def long_day(value) -> str:
    """2026-11-02 → lunes 02/11/2026."""
    try:
        d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{WEEKDAYS[d.weekday()]} {d:%d/%m/%Y}"


def percent(value, digits: int = 1) -> str:
    """0.8123 → 81.2 % (es-MX: point as decimal separator); empty for None."""
    if value is None:
        return "—"
    return f"{100 * float(value):.{digits}f} %"


def number(value) -> str:
    """12345 → 12,345 (es-MX thousands separator)."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def sla(pt: dict) -> str:
    amount, unit = pt.get("sla_amount"), SLA_UNIT.get(pt.get("sla_unit"), pt.get("sla_unit") or "")
    if amount == 1:
        unit = unit.replace("días", "día").replace("horas", "hora").replace("naturales", "natural").replace(
            "hábiles", "hábil")
    return f"{amount} {unit}".strip()


FILTERS = {"status": STATUS, "traffic": TRAFFIC, "viability": VIABILITY, "sex": SEX, "history": HISTORY,
           "intervention": INTERVENTION, "group_by": GROUP_BY, "leader_kind": LEADER_KIND,
           "leader_status": LEADER_STATUS}


def install(env) -> None:
    env.filters["when"] = when
    env.filters["day"] = lambda v: when(v, with_time=False)
    env.filters["sla"] = sla
    env.filters["dmy"] = dmy
    env.filters["month_name"] = month_name
    env.filters["long_day"] = long_day
    env.filters["percent"] = percent
    env.filters["number"] = number
    for name, table in FILTERS.items():
        env.filters[name] = lambda v, t=table: t.get(v, v if v is not None else "")
