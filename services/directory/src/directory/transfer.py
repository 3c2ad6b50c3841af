"""The guide as a spreadsheet (CSV or XLSX): plain Python, no database.

One row per office, Spanish headers, lists separated by «;» (phones, extensions,
keywords, trámites). ``write`` renders offices; ``read`` parses a file into
``(line, values, problems)`` plus errors of whole lines; line 1 is the header row and
line *n* the *n*-th row as a spreadsheet numbers it. What ``write`` produces, ``read``
reads back to the same values. Headers ignore case, accents and spacing; CSV may be
UTF-8 (with or without BOM) or Windows-1252, separated by commas, semicolons or tabs.
A cell that starts like a formula is written with a leading «'» in CSV (spreadsheet
injection) and read back without it."""
from __future__ import annotations

import io
import re

from sacinfra import spreadsheet

from .domain import normalize

FORMATS = spreadsheet.FORMATS
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: (field, header) in file order
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "clave"), ("name", "nombre"), ("acronym", "siglas"), ("level", "nivel de gobierno"),
    ("parent_id", "clave superior"), ("street", "calle"), ("ext_number", "número exterior"),
    ("int_number", "número interior"), ("colonia", "colonia"), ("postal_code", "código postal"),
    ("city", "ciudad"), ("phones", "teléfonos"), ("extensions", "extensiones"), ("email", "correo electrónico"),
    ("website", "sitio web"), ("hours", "horario"), ("person_in_charge", "encargado o responsable"),
    ("keywords", "palabras clave"), ("procedures", "trámites y servicios"), ("active", "activa"),
    ("lat", "latitud"), ("lon", "longitud"),
)
HEADERS = dict(COLUMNS)
LISTS = ("phones", "extensions", "keywords", "procedures")
REQUIRED = ("id", "name", "level")
SHEET_TITLE = "Directorio"
MAX_ROWS = 20_000
_TRUE = {"si", "s", "true", "verdadero", "1", "x", "activa", "activo", "yes"}
_FALSE = {"no", "n", "false", "falso", "0", "inactiva", "inactivo"}
_ALIASES = {spreadsheet.header_key(h): f for f, h in COLUMNS} | {f: f for f, _ in COLUMNS}
_ALIASES.update({"nivel": "level", "superior": "parent_id", "padre": "parent_id", "tramites": "procedures",
                 "telefono": "phones", "extension": "extensions", "correo": "email", "email": "email",
                 "responsable": "person_in_charge", "encargado": "person_in_charge", "num_ext": "ext_number",
                 "num_int": "int_number", "cp": "postal_code", "web": "website", "latitude": "lat",
                 "longitude": "lon"})


# ---------------------------------------------------------------- writing

def _cells(office: dict, guard: bool) -> list:
    loc = office.get("location") or {}
    cells = []
    for field, _ in COLUMNS:
        if field in LISTS:
            v = "; ".join(office.get(field) or [])
        elif field == "active":
            v = "sí" if office.get("active") else "no"
        elif field in ("lat", "lon"):
            cells.append(loc.get(field))
            continue
        else:
            v = office.get(field) or ""
        cells.append(spreadsheet.guard_formula(v) if guard else v)
    return cells


def write(fmt: str, offices: list[dict]) -> bytes:
    if fmt == "csv":
        return spreadsheet.csv_bytes([h for _, h in COLUMNS], (_cells(o, guard=True) for o in offices))
    if fmt == "xlsx":
        import xlsxwriter

        buf = io.BytesIO()
        book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet(SHEET_TITLE)
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, [h for _, h in COLUMNS], bold)
        for r, o in enumerate(offices, start=1):
            for c, v in enumerate(_cells(o, guard=False)):
                if isinstance(v, (int, float)):
                    sheet.write_number(r, c, v)
                elif v:
                    sheet.write_string(r, c, v)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 1, 60)
        sheet.set_column(2, len(COLUMNS) - 1, 18)
        book.close()
        return buf.getvalue()
    raise ValueError(f"Formato desconocido: {fmt!r}.")


# ---------------------------------------------------------------- reading

def _convert(field: str, v):
    if field in LISTS:
        sep = r";" if field == "procedures" else r"[;,]"
        return [p.strip() for p in re.split(sep, spreadsheet.cell_text(v)) if p.strip()]
    if field == "active":
        if isinstance(v, bool):
            return v
        n = normalize(str(v))
        if n in _TRUE:
            return True
        if n in _FALSE:
            return False
        raise ValueError("debe ser «sí» o «no»")
    if field in ("lat", "lon"):
        try:
            return float(str(v).strip().replace(",", "."))
        except ValueError:
            raise ValueError("debe ser un número") from None
    return spreadsheet.cell_text(v)


def read(fmt: str, content: bytes) -> tuple[list[tuple[int, dict, list[str]]], list[tuple[int, str]]]:
    """``(line, values, problems)`` per row and whole-line errors (sacinfra.spreadsheet);
    latitude and longitude become ``location``."""
    rows, errors = spreadsheet.read(fmt, content, aliases=_ALIASES, headers=HEADERS, required=REQUIRED,
                                    convert=_convert, sheet_title=SHEET_TITLE, max_rows=MAX_ROWS)
    for _, values, problems in rows:
        lat, lon = values.pop("lat", None), values.pop("lon", None)
        if (lat is None) != (lon is None):
            problems.append("«latitud» y «longitud» van juntas")
        elif lat is not None:
            values["location"] = {"lat": lat, "lon": lon}
    return rows, errors
