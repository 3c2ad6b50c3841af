"""The answers as a spreadsheet people open (``export_file``): surveys owns the answers,
so it renders them (``sacinfra.tables``' writers, Spanish headings, no personal data: no
citizen number, no free text); the gateway streams the file."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from sacinfra.tables import Column, code_labels, file_answer, xlsx_table

#: rows of one export, and of each page read for it
EXPORT_MAX_ROWS = 100_000
EXPORT_PAGE = 1000
TITLE = "Encuestas de percepción ciudadana"

SOURCE = {"phone": "Teléfono", "app": "App / web"}
REOPEN = {"reopened": "Reabierto", "out_of_window": "Fuera de plazo", "not_closed": "No estaba cerrado",
          "forbidden": "Sin permiso", "failed": "Falló"}
EXPORT_COLUMNS = [
    Column("folio", "Folio", "int", width=10),
    Column("source", "Origen", convert=code_labels(SOURCE), width=11),
    Column("agency", "Dependencia", width=14),
    Column("department", "Departamento", width=20),
    Column("petition_type", "Tipo de petición", width=34),
    Column("questionnaire_code", "Cuestionario", width=22),
    Column("questionnaire_version", "Versión", "int", width=8),
    Column("completed_at", "Fecha", "datetime", width=17),
    Column("score", "Calificación", "float", width=12),
    Column("resolved", "¿Se resolvió?", convert=lambda v: "" if v is None else ("Sí" if v else "No"), width=13),
    Column("reopen_status", "Reapertura", convert=code_labels(REOPEN), width=14),
    Column("answers", "Respuestas", convert=lambda v: "; ".join(
        f"{k}: {'Sí' if x is True else 'No' if x is False else x}" for k, x in (v or {}).items()), width=60),
]


def answers_xlsx(page_after: Callable[[int], dict], now: dt.datetime) -> dict:
    """Every page ``page_after(after_id)`` gives (``{items, next_after_id}``), up to
    ``EXPORT_MAX_ROWS`` rows, as one workbook: ``file_answer`` with ``rows``."""
    def pages():
        after, sent = 0, 0
        while after is not None and sent < EXPORT_MAX_ROWS:
            page = page_after(after)
            yield page["items"]
            sent, after = sent + len(page["items"]), page["next_after_id"]

    rows = []  # counted as written (the pages are read lazily)
    content = xlsx_table(EXPORT_COLUMNS, (rows.append(len(p)) or p for p in pages()), title=TITLE)
    return file_answer(content, "xlsx", f"encuestas-{now:%Y%m%d-%H%M}.xlsx", rows=sum(rows))
