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

import csv
import io
import json
import re
import unicodedata

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
_FORMULA_START = ("=", "+", "-", "@")
_TEXT_FIELDS = ("code", "name", "description", "agency", "department")


class FileError(ValueError):
    """The file as a whole cannot be read (not one line's problem)."""


def _norm(value: str) -> str:
    """Lowercase, no accents, runs of non-alphanumerics as one ``_``."""
    s = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


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
    return "'" + value if guard and value.startswith(_FORMULA_START) else value


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
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([h for _, h in COLUMNS])
        for r in rows:
            w.writerow(_cells(r, guard=True))
        return buf.getvalue().encode("utf-8-sig")
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

def _csv_rows(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        raise FileError("No se pudo leer el archivo CSV (se espera UTF-8).")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise FileError(f"El archivo CSV está mal formado: {exc}.") from None


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        raise FileError("El archivo no es un libro XLSX válido.") from None
    try:
        ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
        rows = []
        for r in ws.iter_rows(values_only=True):
            rows.append(list(r))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        wb.close()


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _as_text(v) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    if len(s) > 1 and s[0] == "'" and s[1] in _FORMULA_START:
        s = s[1:]
    return s


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
        return _UNITS_BY_LABEL.get(_norm(v), _as_text(v))
    if field == "kind":
        return KIND_LABELS.get(_norm(v), _as_text(v))
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
    return _as_text(v)


def read(fmt: str, content: bytes) -> tuple[list[tuple[int, dict, list[str]]], list[tuple[int, str]]]:
    """Parse a file into rows ``[(line, {field: value}, [problem, …])]`` (a cell that
    cannot be converted is left out of the values and reported as a problem) and
    errors of whole lines ``[(line, reason)]``.

    A blank cell leaves its field out (the schema then reports a required one, or uses
    the default); a missing ``preguntas_json`` column leaves attributes out (an existing
    type keeps its questions).  Fully blank rows are skipped.  ``FileError`` if the
    file cannot be read at all.
    """
    if fmt not in FORMATS:
        raise FileError(f"Formato desconocido «{fmt}»: use csv o xlsx.")
    table = _csv_rows(content) if fmt == "csv" else _xlsx_rows(content)
    if not table or all(_blank(c) for c in table[0]):
        raise FileError("línea 1: falta la fila de encabezados.")
    if len(table) > MAX_ROWS + 1:
        raise FileError(f"El archivo tiene más de {MAX_ROWS} filas.")
    columns: dict[int, str] = {}
    errors: list[tuple[int, str]] = []
    for i, h in enumerate(table[0]):
        if _blank(h):
            continue
        field = _ALIASES.get(_norm(h))
        if field is None:
            continue  # extra columns (notes…) are ignored
        if field in columns.values():
            errors.append((1, f"la columna «{HEADERS[field]}» está repetida"))
        columns[i] = field
    missing = [HEADERS[f] for f in REQUIRED if f not in columns.values()]
    if missing:
        errors.append((1, "faltan las columnas " + ", ".join(f"«{m}»" for m in missing)))
    if errors:
        return [], errors

    rows: list[tuple[int, dict, list[str]]] = []
    for line, cells in enumerate(table[1:], start=2):
        if all(_blank(c) for c in cells):
            continue
        if fmt == "csv" and len(cells) > len(table[0]) and any(not _blank(c) for c in cells[len(table[0]):]):
            errors.append((line, "la fila tiene más celdas que encabezados"))
            continue
        values: dict = {}
        problems: list[str] = []
        for i, field in columns.items():
            v = cells[i] if i < len(cells) else None
            if _blank(v):
                if field == "attributes":
                    values[field] = []
                elif field == "description":
                    values[field] = ""
                continue
            try:
                values[field] = _convert(field, v)
            except ValueError as exc:
                problems.append(f"«{HEADERS[field]}»: {exc}")
        rows.append((line, values, problems))
    return rows, errors
