"""The columns of a "Consultas y reportes" export: Spanish headings, Spanish values, times
in the municipality's zone, and which columns a person may see.

A row is what routing's ``export_reports`` / ``query_reports`` answer (``folio``,
``petition_type``, ``status``, ``created_at`` in ISO 8601 …) plus the citizen columns
``reports_query.attach_citizens`` fills (``citizen_name``, ``citizen_phone``) when the
user may see them. ``columns_for`` decides the columns once per export: with
``hide_citizen_data`` there are no citizen columns at all; for a user who may not see
personal data (auditors) the citizen number only, as in the Consultas list; with
``hide_citizen_name`` no name column; with ``hide_map`` no latitude and longitude."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from ..settings import LOCAL_TZ

#: what people read is in the municipality's time (routing answers ISO 8601 with an offset)

STATUS = {"captured": "Capturado", "in_progress": "Proceso", "done": "Terminado", "not_viable": "No viable"}
TRAFFIC_LIGHT = {"on_time": "A tiempo", "at_risk": "En riesgo", "overdue": "Vencido"}
VIABILITY = {"viable": "Viable", "not_viable": "No viable"}
KIND = {"tramite": "Trámite", "servicio": "Servicio", "trámite": "Trámite"}
INTERVENTION_KIND = {"note": "Seguimiento", "start": "Inicio", "closing": "Cierre"}


def local_datetime(value: Any) -> dt.datetime | None:
    """An ISO 8601 string (or datetime) as a naive datetime in the municipality's zone
    (what a spreadsheet cell holds); naive input is taken as UTC."""
    if value in (None, ""):
        return None
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None)


def format_datetime(value: Any) -> str:
    """``2026-09-26 14:05`` in the municipality's zone ('' when empty): unambiguous, and
    Excel reads it as a date in any locale."""
    moment = local_datetime(value)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


def yes_no(value: Any) -> str:
    return "Sí" if value else "No"


def _label(table: dict[str, str]) -> Callable[[Any], str]:
    return lambda value: "" if value is None else table.get(str(value).lower(), str(value))


def _shared(value: Any) -> str:
    return "; ".join(f"{s.get('agency')}/{s.get('department')}" for s in value or [])


@dataclass(frozen=True)
class Column:
    key: str            # field of the row
    heading: str        # what the person reads
    kind: str = "text"  # text | int | float | datetime
    convert: Callable[[Any], Any] | None = None
    citizen: bool = False  # personal data: dropped with hide_citizen_data
    width: int = 14        # XLSX column width (characters)

    def value(self, row: dict) -> Any:
        value = row.get(self.key)
        if self.convert is not None:
            return self.convert(value)
        return value


#: every column, in order (León's Consultas screen, seed 000)
COLUMNS: tuple[Column, ...] = (
    Column("folio", "Folio", "int", width=10),
    Column("created_at", "Fecha", "datetime", width=17),
    Column("due_at", "Fecha límite", "datetime", width=17),
    Column("closed_at", "Fecha de cierre", "datetime", width=17),
    Column("status", "Estatus", convert=_label(STATUS), width=12),
    Column("traffic_light", "Semáforo", convert=_label(TRAFFIC_LIGHT), width=11),
    Column("viability", "Viabilidad", convert=_label(VIABILITY), width=11),
    Column("channel", "Origen", width=16),
    Column("petition_type", "Tipo de petición", width=34),
    Column("kind", "Tipo", convert=_label(KIND), width=10),
    Column("agency", "Dependencia", width=14),
    Column("department", "Departamento", width=20),
    Column("colonia", "Colonia", width=22),
    Column("street", "Calle", width=26),
    Column("lat", "Latitud", "float", width=11),
    Column("lon", "Longitud", "float", width=11),
    Column("citizen_number", "Número de ciudadano", "int", citizen=True, width=12),
    Column("citizen_name", "Ciudadano", citizen=True, width=30),
    Column("citizen_phone", "Teléfono", citizen=True, width=14),
    Column("created_by", "Usuario", width=16),
    Column("reassigned", "Reasignado", convert=yes_no, width=11),
    Column("reassign_count", "Reasignaciones", "int", width=8),
    Column("shared_with", "Compartido con", convert=_shared, width=24),
)

NAME_KEYS = frozenset({"citizen_name"})
NUMBER_KEYS = frozenset({"citizen_number"})
MAP_KEYS = frozenset({"lat", "lon"})


def columns_for(personal: bool, hide_citizen_data: bool = False, hide_citizen_name: bool = False,
                hide_map: bool = False) -> list[Column]:
    """The columns of one export. ``personal``: the user may see citizens' personal data
    (``reports_query.may_see_personal_data``); without it, the citizen number only (an id,
    not personal data: the Consultas list shows it too); with ``hide_citizen_data``, no
    citizen column at all; ``hide_citizen_name``: no name column; ``hide_map``: no
    latitude and longitude."""
    def hidden(c: Column) -> bool:
        if c.citizen and (hide_citizen_data or (not personal and c.key not in NUMBER_KEYS)):
            return True
        return (c.key in NAME_KEYS and hide_citizen_name) or (c.key in MAP_KEYS and hide_map)
    return [c for c in COLUMNS if not hidden(c)]


def headings(columns: list[Column]) -> list[str]:
    return [c.heading for c in columns]


def text_value(column: Column, row: dict) -> str:
    """A cell as text (CSV, PDF)."""
    value = column.value(row)
    if value is None:
        return ""
    if column.kind == "datetime":
        return format_datetime(value)
    return str(value)
