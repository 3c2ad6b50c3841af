"""The catalog of petition types as a spreadsheet (CSV or XLSX): plain Python, no database.

One row per petition type, Spanish column headers (the file is for people), agency and
department by code.  ``write`` renders rows, ``read`` parses a file into
``(line, values)`` pairs plus per-line errors; line 1 is the header row and line *n*
is the *n*-th row of the sheet (as a spreadsheet numbers it).  What ``write`` produces,
``read`` reads back to the same values.

Import is lenient about how people type: headers ignore case, accents and spacing
(English field names work too), ``sla_unidad`` takes «días naturales», «días hábiles»,
«horas hábiles» or the API values, ``tipo`` takes «Tramite» without accent, ``activo``
takes sí/no/true/false/1/0 (blank = sí), CSV may be UTF-8 (with or without BOM) or
Windows-1252, separated by commas, semicolons or tabs.
"""
from __future__ import annotations

import io
import json
import re

from sacinfra import spreadsheet
from sacinfra.spreadsheet import FileError  # noqa: F401  (handlers catch transfer.FileError)

FORMATS = ("csv", "xlsx")

#: (field, header) in file order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "código"), ("name", "nombre"), ("kind", "tipo"), ("description", "descripción"),
    ("sla_amount", "sla_cantidad"), ("sla_unit", "sla_unidad"), ("agency", "dependencia"),
    ("department", "departamento"), ("active", "activo"), ("attributes", "preguntas_json"),
)
HEADERS = dict(COLUMNS)
REQUIRED = ("code", "name", "kind", "sla_amount", "sla_unit", "agency", "department")
SHEET_TITLE = "Catálogo"
MAX_ROWS = 20_000

UNIT_LABELS = {"calendar_days": "días naturales", "business_days": "días hábiles",
               "business_hours": "horas hábiles"}
KIND_LABELS = {"servicio": "Servicio", "tramite": "Trámite"}
_TRUE = {"si", "s", "true", "verdadero", "1", "x", "activo", "yes", "y"}
_FALSE = {"no", "n", "false", "falso", "0", "inactivo"}
_TEXT_FIELDS = ("code", "name", "description", "agency", "department")


_norm = spreadsheet.header_key


_ALIASES: dict[str, str] = {}
for _field, _header in COLUMNS:
    _ALIASES[_norm(_header)] = _field
    _ALIASES[_norm(_field)] = _field
_ALIASES.update({"preguntas": "attributes", "clave": "code", "dias": "sla_amount", "sla": "sla_amount",
                 "unidad": "sla_unit", "dependencia_codigo": "agency", "departamento_codigo": "department",
                 "activa": "active"})
_UNITS_BY_LABEL = {_norm(label): unit for unit, label in UNIT_LABELS.items()}
_UNITS_BY_LABEL.update({_norm(unit): unit for unit in UNIT_LABELS})
_UNITS_BY_LABEL.update({"dias": "calendar_days", "dias_habiles": "business_days", "horas": "business_hours"})


# --------------------------------------------------------------------------- writing

def _text_out(value: str, guard: bool) -> str:
    # a cell starting like a formula is prefixed with «'» in CSV (spreadsheet injection);
    # read() strips it again
    return spreadsheet.guard_formula(value) if guard else value


def _cells(row: dict, guard: bool) -> list:
    out = []
    for field, _ in COLUMNS:
        v = row.get(field)
        if field == "sla_amount":
            out.append(v)
        elif field == "sla_unit":
            out.append(UNIT_LABELS.get(v, v))
        elif field == "active":
            out.append("sí" if v else "no")
        elif field == "attributes":
            out.append(json.dumps(v, ensure_ascii=False, separators=(",", ":")) if v else "")
        else:
            out.append(_text_out(v or "", guard))
    return out


def write(fmt: str, rows: list[dict]) -> bytes:
    """The petition types ``rows`` as a CSV (UTF-8 with BOM, for Excel) or XLSX file."""
    if fmt == "csv":
        return spreadsheet.csv_bytes([h for _, h in COLUMNS], (_cells(r, guard=True) for r in rows))
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = SHEET_TITLE
        ws.append([h for _, h in COLUMNS])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            ws.append(_cells(r, guard=False))
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
        ws.freeze_panes = "A2"
        for letter, width in zip("ABCDEFGHIJ", (45, 45, 10, 60, 12, 15, 12, 20, 8, 60)):
            ws.column_dimensions[letter].width = width
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise ValueError(f"Formato desconocido: {fmt!r}.")


# --------------------------------------------------------------------------- reading

def _convert(field: str, v):
    """Cell value -> API value; ``ValueError`` with a Spanish reason."""
    if field == "sla_amount":
        if isinstance(v, bool):
            raise ValueError("debe ser un número entero")
        if isinstance(v, float):
            if not v.is_integer():
                raise ValueError("debe ser un número entero")
            return int(v)
        if isinstance(v, int):
            return v
        s = str(v).strip()
        if re.fullmatch(r"-?\d+", s):
            return int(s)
        raise ValueError("debe ser un número entero")
    if field == "sla_unit":
        return _UNITS_BY_LABEL.get(_norm(v), spreadsheet.cell_text(v))
    if field == "kind":
        return KIND_LABELS.get(_norm(v), spreadsheet.cell_text(v))
    if field == "active":
        if isinstance(v, bool):
            return v
        n = _norm(v)
        if n in _TRUE:
            return True
        if n in _FALSE:
            return False
        raise ValueError("debe ser «sí» o «no»")
    if field == "attributes":
        try:
            value = json.loads(v) if isinstance(v, str) else v
        except ValueError:
            raise ValueError("no es JSON válido (se espera una lista de preguntas)") from None
        if not isinstance(value, list):
            raise ValueError("debe ser una lista JSON de preguntas")
        return value
    return spreadsheet.cell_text(v)


def read(fmt: str, content: bytes) -> tuple[list[tuple[int, dict, list[str]]], list[tuple[int, str]]]:
    """Parse a file into rows ``[(line, {field: value}, [problem, …])]`` (a cell that
    cannot be converted is left out of the values and reported as a problem) and
    errors of whole lines ``[(line, reason)]`` (sacinfra.spreadsheet).

    A blank cell leaves its field out (the schema then reports a required one, or uses
    the default); a missing ``preguntas_json`` column leaves attributes out (an existing
    type keeps its questions).  Fully blank rows are skipped.  ``FileError`` if the
    file cannot be read at all.
    """
    return spreadsheet.read(fmt, content, aliases=_ALIASES, headers=HEADERS, required=REQUIRED, convert=_convert,
                            blank_values={"attributes": list, "description": str}, sheet_title=SHEET_TITLE,
                            max_rows=MAX_ROWS)
