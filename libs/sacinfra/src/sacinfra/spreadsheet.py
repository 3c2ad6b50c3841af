"""Reading a spreadsheet people filled in (CSV or XLSX) into rows of field values, with
problems reported by line — the plumbing every service's import shares. No domain rules:
each service says which columns it has and how a cell becomes a value.

Lenient about how people type: headers ignore case, accents and spacing
(``header_key``); CSV may be UTF-8 (with or without BOM) or Windows-1252, separated by
commas, semicolons or tabs; a cell written with a leading «'» to defuse a formula
(``guard_formula``) is read back without it. Line 1 is the header row and line *n* the
*n*-th row as a spreadsheet numbers it."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import Any, Callable, Mapping

FORMATS = ("csv", "xlsx")
#: a text cell starting like this is a formula to a spreadsheet
FORMULA_START = ("=", "+", "-", "@")


class FileError(ValueError):
    """The file as a whole cannot be read (not one line's problem); Spanish message."""


def decode_upload(fmt, content_b64, max_bytes: int = 10 * 1024 * 1024) -> bytes:
    """The file an RPC received as base64, checked: ``FileError`` with a Spanish reason
    for an unknown format, a missing or too large file, or bad base64."""
    import base64
    import binascii

    if fmt not in FORMATS:
        raise FileError(f"Formato desconocido «{fmt}»: use csv o xlsx.")
    if not isinstance(content_b64, str) or len(content_b64) > max_bytes * 4 // 3 + 4:
        raise FileError(f"El archivo falta o pasa de {max_bytes // (1024 * 1024)} MB.")
    try:
        return base64.b64decode(content_b64, validate=True)
    except (binascii.Error, ValueError):
        raise FileError("El contenido no está en base64.") from None


def header_key(value: Any) -> str:
    """Lowercase, no accents, runs of non-alphanumerics as one ``_``."""
    s = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def guard_formula(value: str) -> str:
    """A CSV cell that would start a formula gets a leading «'» (``cell_text`` strips it)."""
    return "'" + value if value.startswith(FORMULA_START) else value


def blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def cell_text(v) -> str:
    """A cell as text: ``12.0`` is «12», surrounding blanks and a formula guard removed."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v).strip()
    if len(s) > 1 and s[0] == "'" and s[1] in FORMULA_START:
        s = s[1:]
    return s


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


def _xlsx_rows(content: bytes, sheet_title: str, max_rows: int) -> list[list]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        raise FileError("El archivo no es un libro XLSX válido.") from None
    try:
        ws = wb[sheet_title] if sheet_title in wb.sheetnames else wb.worksheets[0]
        rows = []
        for r in ws.iter_rows(values_only=True):
            rows.append(list(r))
            if len(rows) > max_rows + 1:
                break
        return rows
    finally:
        wb.close()


def read(fmt: str, content: bytes, *, aliases: Mapping[str, str], headers: Mapping[str, str],
         required: tuple[str, ...], convert: Callable[[str, Any], Any], blank_values: Mapping[str, Callable[[], Any]]
         = {}, sheet_title: str = "", max_rows: int = 20_000
         ) -> tuple[list[tuple[int, dict, list[str]]], list[tuple[int, str]]]:
    """Rows ``[(line, {field: value}, [problem, …])]`` and errors of whole lines
    ``[(line, reason)]``. ``aliases``: ``header_key`` of a header → field (other columns
    are ignored); ``headers``: field → its header, for messages; ``convert(field, cell)``
    → value, or ``ValueError`` with a Spanish reason (the cell is then left out and
    reported); a blank cell leaves its field out, or takes ``blank_values[field]()``.
    Fully blank rows are skipped. ``FileError`` if the file cannot be read at all."""
    if fmt not in FORMATS:
        raise FileError(f"Formato desconocido «{fmt}»: use csv o xlsx.")
    table = _csv_rows(content) if fmt == "csv" else _xlsx_rows(content, sheet_title, max_rows)
    if not table or all(blank(c) for c in table[0]):
        raise FileError("línea 1: falta la fila de encabezados.")
    if len(table) > max_rows + 1:
        raise FileError(f"El archivo tiene más de {max_rows} filas.")
    columns: dict[int, str] = {}
    errors: list[tuple[int, str]] = []
    for i, h in enumerate(table[0]):
        field = None if blank(h) else aliases.get(header_key(h))
        if field is None:
            continue  # extra columns (notes…) are ignored
        if field in columns.values():
            errors.append((1, f"la columna «{headers[field]}» está repetida"))
        columns[i] = field
    missing = [headers[f] for f in required if f not in columns.values()]
    if missing:
        errors.append((1, "faltan las columnas " + ", ".join(f"«{m}»" for m in missing)))
    if errors:
        return [], errors
    rows: list[tuple[int, dict, list[str]]] = []
    for line, cells in enumerate(table[1:], start=2):
        if all(blank(c) for c in cells):
            continue
        if fmt == "csv" and len(cells) > len(table[0]) and any(not blank(c) for c in cells[len(table[0]):]):
            errors.append((line, "la fila tiene más celdas que encabezados"))
            continue
        values: dict = {}
        problems: list[str] = []
        for i, field in columns.items():
            v = cells[i] if i < len(cells) else None
            if blank(v):
                if field in blank_values:
                    values[field] = blank_values[field]()
                continue
            try:
                values[field] = convert(field, v)
            except ValueError as exc:
                problems.append(f"«{headers[field]}»: {exc}")
        rows.append((line, values, problems))
    return rows, errors


def csv_bytes(header: list[str], rows) -> bytes:
    """An export as CSV for Excel: UTF-8 with BOM, CRLF line ends, the header row first
    (cells already guarded with ``guard_formula`` by the caller; ``None`` is empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def rejection(errors: list[tuple[int, str]], max_listed: int = 50) -> tuple[str, list[dict]]:
    """A refused import as (Spanish message, ``[{"line", "message"}]``): the message says
    how many lines are bad and lists them («línea 3: …»), at most ``max_listed``."""
    errors = sorted(errors)
    listed = [f"línea {line}: {reason}" for line, reason in errors[:max_listed]]
    if len(errors) > max_listed:
        listed.append(f"… y {len(errors) - max_listed} errores más")
    count = len({line for line, _ in errors})
    head = f"No se importó nada: {count} línea{'s' if count != 1 else ''} con errores."
    return "\n".join([head, *listed]), [{"line": line, "message": reason} for line, reason in errors]
