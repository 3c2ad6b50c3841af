"""Statistics as files people open: any table's rows as CSV or XLSX with Spanish headings
(``table_file``), and open data as CSV or JSON page by page (``open_data_file``). Stats owns every
statistic, so it renders them; the gateway streams the file (``sacinfra.tables``'
``file_answer``: base64 in JSON)."""
from __future__ import annotations

import base64
import json
from typing import Callable

from sacinfra.tables import Column, CsvEncoder, inferred_columns, table_file as render

from . import store
from .exceptions import InvalidInput

#: Spanish headings of every column a statistics table may have
HEADINGS = {
    "key": "Clave", "total": "Total", "captured": "Capturado", "in_progress": "Proceso", "done": "Terminado",
    "not_viable": "No viable", "received": "Recibidos", "started": "Iniciados", "finished": "Terminados",
    "share": "Proporción", "percent": "Porcentaje", "period": "Periodo", "on_time": "A tiempo",
    "share_on_time": "Cumplimiento", "ci95_low": "IC 95 % inferior", "ci95_high": "IC 95 % superior",
    "mean_hours": "Horas promedio", "median_hours": "Mediana (horas)", "mean_business_hours": "Horas hábiles promedio",
    "median_business_hours": "Mediana (horas hábiles)", "open_overdue": "Abiertos vencidos",
    "interventions": "Intervenciones", "rank": "Lugar", "lat": "Latitud", "lon": "Longitud",
    "channel": "Canal", "option": "Opción", "outcome": "Resultado", "conversations": "Conversaciones",
    "kind": "Tipo", "month": "Mes", "value": "Valor", "numerator": "Numerador", "denominator": "Denominador",
    "goal": "Meta", "met": "Meta cumplida", "folio": "Folio", "created_date": "Fecha", "petition_type":
    "Tipo de petición", "agency": "Dependencia", "department": "Departamento", "colonia": "Colonia",
    "zone": "Zona", "status": "Estatus", "closed_date": "Fecha de cierre", "version": "Versión",
    "reason": "Motivo", "generated_by": "Generado por", "generated_at": "Generado", "id": "Id",
}

#: the tables a file can be made of (their RPC) → the file's name (``args`` → name)
TABLES: dict[str, Callable[[list], str]] = {
    "totals": lambda args: "totales", "status_by_agency": lambda args: "estatus-por-dependencia",
    "time_series": lambda args: "serie-de-tiempo", "shares": lambda args: "participacion",
    "compliance": lambda args: "cumplimiento", "productivity": lambda args: "productividad",
    "geography": lambda args: "geografia", "channel_interactions": lambda args: "interacciones",
    "directory_usage": lambda args: "directorio", "list_closures": lambda args: "cierres",
    "list_indicators": lambda args: "indicadores", "indicator_values": lambda args: f"indicador-{args[0]}",
}
FORMATS = ("csv", "xlsx")

OPEN_DATA_COLUMNS = [Column(k, HEADINGS[k], "float" if k in ("lat", "lon") else "int" if k == "folio" else "text")
                     for k in store.OPEN_DATA_COLUMNS]


def check(table, args, fmt) -> None:
    """``InvalidInput`` for a table that is not one, arguments that are not a list, or a
    format other than csv and xlsx."""
    if table not in TABLES:
        raise InvalidInput(f"No existe la tabla «{table}».", "tabla_desconocida")
    if not isinstance(args, list):
        raise InvalidInput("Los argumentos de la tabla son una lista.", "datos_invalidos")
    if fmt not in FORMATS:
        raise InvalidInput(f"Formato desconocido «{fmt}»: use csv o xlsx.", "formato_invalido")


def table_file(table: str, args: list, result: dict, fmt: str) -> dict:
    """The ``rows`` of a table's answer as a file: columns in order of appearance, typed
    from their values, headed in Spanish."""
    rows = result.get("rows", [])
    return render(inferred_columns(rows, HEADINGS), rows, fmt, TABLES[table](args), title="Consulta de reportes")


def open_data_file(page: dict, first: bool, fmt: str = "csv") -> dict:
    """A page of open data as a piece of one file, the pieces in order making the whole:
    CSV (the header on the first page) or a JSON array (``[`` on the first page, ``]`` on
    the last): ``{content_b64, next_after}``."""
    if fmt == "csv":
        enc = CsvEncoder(OPEN_DATA_COLUMNS)
        content = (enc.header() if first else b"") + enc.rows(page["rows"])
    elif fmt == "json":
        rows = ",".join(json.dumps(row, ensure_ascii=False) for row in page["rows"])
        content = (("[" if first else "," if rows else "") + rows + ("]" if page["next_after"] is None else "")).encode()
    else:
        raise InvalidInput(f"Formato desconocido «{fmt}»: use csv o json.", "formato_invalido")
    return {"content_b64": base64.b64encode(content).decode("ascii"), "next_after": page["next_after"]}
